"""devices and warehouse receipts

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "devices",
        sa.Column("device_id", sa.String(36), primary_key=True),
        sa.Column("owner_id", sa.String(64), nullable=False, index=True),
        sa.Column("public_key", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False))
    op.create_table(
        "warehouse_receipts",
        sa.Column("receipt_id", sa.String(36), primary_key=True),
        sa.Column("warehouse_id", sa.String(64), nullable=False, index=True),
        sa.Column("depositor_id", sa.String(64), nullable=False, index=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False))


def downgrade() -> None:
    op.drop_table("warehouse_receipts")
    op.drop_table("devices")
