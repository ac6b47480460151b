"""persons' profile and credit in the projection; demands

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("persons") as batch:
        batch.add_column(sa.Column("experience_years", sa.Integer(), nullable=False,
                                   server_default="0"))
        batch.add_column(sa.Column("skills", sa.JSON(), nullable=False, server_default="[]"))
        batch.add_column(sa.Column("advantages", sa.JSON(), nullable=False,
                                   server_default="[]"))
        batch.add_column(sa.Column("credit_score", sa.Integer(), nullable=True))
    op.create_table(
        "demands",
        sa.Column("demand_id", sa.String(36), primary_key=True),
        sa.Column("buyer_id", sa.String(36), nullable=False, index=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("description", sa.String(5000), nullable=False),
        sa.Column("industry_code", sa.String(8), nullable=False),
        sa.Column("skills", sa.JSON(), nullable=False),
        sa.Column("hours", sa.String(20), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("window_end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("max_price_units", sa.BigInteger(), nullable=False),
        sa.Column("region", sa.String(16), nullable=False),
        sa.Column("remote_ok", sa.Boolean(), nullable=False),
        sa.Column("min_experience_years", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("demands")
    with op.batch_alter_table("persons") as batch:
        for column in ("credit_score", "advantages", "skills", "experience_years"):
            batch.drop_column(column)
