"""indicator data sets (versioned uploads) and the latest Labor Coin price

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "indicator_datasets",
        sa.Column("version", sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
                  primary_key=True, autoincrement=False),
        sa.Column("dataset_id", sa.String(64), nullable=False, unique=True),
        sa.Column("format", sa.String(32), nullable=False),
        sa.Column("sha256", sa.LargeBinary(32), nullable=False),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("country_count", sa.Integer(), nullable=False),
        sa.Column("years", sa.String(2000), nullable=False),
        sa.Column("description", sa.String(200), nullable=False),
        sa.Column("indicator_code", sa.String(32), nullable=False),
        sa.Column("values_applied", sa.Integer(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "coin_prices",
        sa.Column("asset", sa.String(16), primary_key=True),
        sa.Column("price", sa.String(64), nullable=False),
        sa.Column("sequence", sa.BigInteger(), nullable=False),
        sa.Column("effective_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("coin_prices")
    op.drop_table("indicator_datasets")
