"""the Internet Patent Bank: listings, offers, agreements, royalty payments

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
        "pb_listings",
        sa.Column("listing_id", sa.String(36), primary_key=True),
        sa.Column("asset_id", sa.String(36), nullable=False, index=True),
        sa.Column("seller_id", sa.String(36), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("loan_id", sa.String(36), nullable=False, index=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
    )
    op.create_table(
        "pb_offers",
        sa.Column("offer_id", sa.String(36), primary_key=True),
        sa.Column("listing_id", sa.String(36), nullable=False, index=True),
        sa.Column("buyer_id", sa.String(36), nullable=False, index=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
    )
    op.create_table(
        "pb_agreements",
        sa.Column("agreement_id", sa.String(36), primary_key=True),
        sa.Column("asset_id", sa.String(36), nullable=False, index=True),
        sa.Column("licensor_id", sa.String(36), nullable=False, index=True),
        sa.Column("licensee_id", sa.String(36), nullable=False, index=True),
        sa.Column("agreed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
    )
    op.create_table(
        "pb_royalty_payments",
        sa.Column("royalty_payment_id", sa.String(36), primary_key=True),
        sa.Column("agreement_id", sa.String(36), nullable=False, index=True),
        sa.Column("period_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
    )


def downgrade() -> None:
    for table in ("pb_royalty_payments", "pb_agreements", "pb_offers", "pb_listings"):
        op.drop_table(table)
