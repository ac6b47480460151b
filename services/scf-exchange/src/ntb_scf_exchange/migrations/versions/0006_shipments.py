"""shipments

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "shipments",
        sa.Column("shipment_id", sa.String(36), primary_key=True),
        sa.Column("purchase_order_id", sa.String(36), nullable=False, index=True),
        sa.Column("carrier_id", sa.String(64), nullable=False, index=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False))


def downgrade() -> None:
    op.drop_table("shipments")
