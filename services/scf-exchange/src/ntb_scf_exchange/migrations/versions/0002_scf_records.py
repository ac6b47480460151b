"""alliances, applications, orders, invoices, payables, financings, bids, due work

Each aggregate row: the columns its queries filter on, and its whole state as JSON.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TIME = sa.DateTime(timezone=True)


def _body() -> sa.Column:  # type: ignore[type-arg]
    return sa.Column("body", sa.JSON(), nullable=False)


def upgrade() -> None:
    op.create_table(
        "alliances",
        sa.Column("alliance_id", sa.String(36), primary_key=True),
        sa.Column("parent_alliance_id", sa.String(36), nullable=False, index=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        _body())
    op.create_table(
        "alliance_members",
        sa.Column("alliance_id", sa.String(36), primary_key=True),
        sa.Column("member_id", sa.String(64), primary_key=True, index=True),
        sa.Column("joined_at", TIME, nullable=False),
        _body())
    op.create_table(
        "membership_applications",
        sa.Column("application_id", sa.String(36), primary_key=True),
        sa.Column("alliance_id", sa.String(36), nullable=False, index=True),
        sa.Column("applicant_id", sa.String(64), nullable=False, index=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        _body())
    op.create_table(
        "purchase_orders",
        sa.Column("purchase_order_id", sa.String(36), primary_key=True),
        sa.Column("buyer_id", sa.String(64), nullable=False),
        sa.Column("seller_id", sa.String(64), nullable=False, index=True),
        sa.Column("alliance_id", sa.String(36), nullable=False, index=True),
        sa.Column("number", sa.String(64), nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        _body(),
        sa.UniqueConstraint("buyer_id", "number", name="uq_purchase_orders_buyer_number"))
    op.create_table(
        "invoices",
        sa.Column("invoice_id", sa.String(36), primary_key=True),
        sa.Column("seller_id", sa.String(64), nullable=False),
        sa.Column("buyer_id", sa.String(64), nullable=False, index=True),
        sa.Column("purchase_order_id", sa.String(36), nullable=False, index=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("number", sa.String(64), nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        _body(),
        sa.UniqueConstraint("seller_id", "number", name="uq_invoices_seller_number"))
    op.create_table(
        "payables",
        sa.Column("payable_id", sa.String(36), primary_key=True),
        sa.Column("root_payable_id", sa.String(36), nullable=False, index=True),
        sa.Column("parent_payable_id", sa.String(36), nullable=False),
        sa.Column("holder_id", sa.String(64), nullable=False, index=True),
        sa.Column("obligor_id", sa.String(64), nullable=False, index=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("maturity_date", sa.Date(), nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        _body())
    op.create_table(
        "financings",
        sa.Column("financing_id", sa.String(36), primary_key=True),
        sa.Column("applicant_id", sa.String(64), nullable=False, index=True),
        sa.Column("funder_id", sa.String(64), nullable=False, index=True),
        sa.Column("product", sa.String(40), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("alliance_id", sa.String(36), nullable=False),
        sa.Column("collateral_id", sa.String(36), nullable=False, index=True),
        sa.Column("created_at", TIME, nullable=False),
        _body())
    op.create_table(
        "bids",
        sa.Column("bid_id", sa.String(36), primary_key=True),
        sa.Column("financing_id", sa.String(36), nullable=False, index=True),
        sa.Column("funder_id", sa.String(64), nullable=False, index=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        _body())
    op.create_table(
        "due_work",
        sa.Column("work_id", sa.String(120), primary_key=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("subject_id", sa.String(36), nullable=False),
        sa.Column("due_at", TIME, nullable=False, index=True),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("done_at", TIME, nullable=True),
        sa.Column("last_error", sa.String(500), nullable=False, server_default=""))


def downgrade() -> None:
    for table in ("due_work", "bids", "financings", "payables", "invoices", "purchase_orders",
                  "membership_applications", "alliance_members", "alliances"):
        op.drop_table(table)
