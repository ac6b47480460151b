"""securitizations and their tranches' index

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
    op.create_table(
        "securitizations",
        sa.Column("securitization_id", sa.String(36), primary_key=True),
        sa.Column("sponsor_id", sa.String(64), nullable=False, index=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False))
    op.create_table(
        "securitization_tranches",
        sa.Column("tranche_id", sa.String(36), primary_key=True),
        sa.Column("securitization_id", sa.String(36), nullable=False, index=True))


def downgrade() -> None:
    op.drop_table("securitization_tranches")
    op.drop_table("securitizations")
