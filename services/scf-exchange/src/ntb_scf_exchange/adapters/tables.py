"""scf-exchange's tables (its schema only; changed only through Alembic migrations).

Each aggregate row: the columns queries filter on, and the whole state as a JSON
document (adapters/documents.py)."""

from __future__ import annotations

import sqlalchemy as sa

from ntbkit.storage.messaging_tables import add_messaging_tables

metadata = sa.MetaData()
add_messaging_tables(metadata)

TIME = sa.DateTime(timezone=True)
ID = sa.String(36)


def _body() -> sa.Column[object]:
    return sa.Column("body", sa.JSON, nullable=False)


alliances = sa.Table(
    "alliances", metadata,
    sa.Column("alliance_id", ID, primary_key=True),
    sa.Column("parent_alliance_id", sa.String(36), nullable=False, index=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("created_at", TIME, nullable=False),
    _body(),
)
alliance_members = sa.Table(
    "alliance_members", metadata,
    sa.Column("alliance_id", ID, primary_key=True),
    sa.Column("member_id", sa.String(64), primary_key=True, index=True),
    sa.Column("joined_at", TIME, nullable=False),
    _body(),
)
membership_applications = sa.Table(
    "membership_applications", metadata,
    sa.Column("application_id", ID, primary_key=True),
    sa.Column("alliance_id", ID, nullable=False, index=True),
    sa.Column("applicant_id", sa.String(64), nullable=False, index=True),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("created_at", TIME, nullable=False),
    _body(),
)
purchase_orders = sa.Table(
    "purchase_orders", metadata,
    sa.Column("purchase_order_id", ID, primary_key=True),
    sa.Column("buyer_id", sa.String(64), nullable=False),
    sa.Column("seller_id", sa.String(64), nullable=False, index=True),
    sa.Column("alliance_id", sa.String(36), nullable=False, index=True),
    sa.Column("number", sa.String(64), nullable=False),
    sa.Column("created_at", TIME, nullable=False),
    _body(),
    sa.UniqueConstraint("buyer_id", "number", name="uq_purchase_orders_buyer_number"),
)
invoices = sa.Table(
    "invoices", metadata,
    sa.Column("invoice_id", ID, primary_key=True),
    sa.Column("seller_id", sa.String(64), nullable=False),
    sa.Column("buyer_id", sa.String(64), nullable=False, index=True),
    sa.Column("purchase_order_id", ID, nullable=False, index=True),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("number", sa.String(64), nullable=False),
    sa.Column("created_at", TIME, nullable=False),
    _body(),
    sa.UniqueConstraint("seller_id", "number", name="uq_invoices_seller_number"),
)
payables = sa.Table(
    "payables", metadata,
    sa.Column("payable_id", ID, primary_key=True),
    sa.Column("root_payable_id", ID, nullable=False, index=True),
    sa.Column("parent_payable_id", sa.String(36), nullable=False),
    sa.Column("holder_id", sa.String(64), nullable=False, index=True),
    sa.Column("obligor_id", sa.String(64), nullable=False, index=True),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("maturity_date", sa.Date, nullable=False),
    sa.Column("created_at", TIME, nullable=False),
    _body(),
)
financings = sa.Table(
    "financings", metadata,
    sa.Column("financing_id", ID, primary_key=True),
    sa.Column("applicant_id", sa.String(64), nullable=False, index=True),
    sa.Column("funder_id", sa.String(64), nullable=False, index=True),
    sa.Column("product", sa.String(40), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("alliance_id", sa.String(36), nullable=False),
    sa.Column("collateral_id", ID, nullable=False, index=True),
    sa.Column("created_at", TIME, nullable=False),
    _body(),
)
bids = sa.Table(
    "bids", metadata,
    sa.Column("bid_id", ID, primary_key=True),
    sa.Column("financing_id", ID, nullable=False, index=True),
    sa.Column("funder_id", sa.String(64), nullable=False, index=True),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("created_at", TIME, nullable=False),
    _body(),
)
# Work that falls due (settle a payable chain at maturity, retry an overdue one, default
# it after grace): kept in the database so a restart loses none.
due_work = sa.Table(
    "due_work", metadata,
    sa.Column("work_id", sa.String(120), primary_key=True),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("subject_id", ID, nullable=False),
    sa.Column("due_at", TIME, nullable=False, index=True),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("done_at", TIME, nullable=True),
    sa.Column("last_error", sa.String(500), nullable=False, server_default=""),
)
securitizations = sa.Table(
    "securitizations", metadata,
    sa.Column("securitization_id", ID, primary_key=True),
    sa.Column("sponsor_id", sa.String(64), nullable=False, index=True),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("created_at", TIME, nullable=False),
    _body(),
)
# Which securitization a tranche belongs to (SubscribeTranche names only the tranche).
securitization_tranches = sa.Table(
    "securitization_tranches", metadata,
    sa.Column("tranche_id", ID, primary_key=True),
    sa.Column("securitization_id", ID, nullable=False, index=True),
)
devices = sa.Table(
    "devices", metadata,
    sa.Column("device_id", ID, primary_key=True),
    sa.Column("owner_id", sa.String(64), nullable=False, index=True),
    sa.Column("public_key", sa.String(64), nullable=False, unique=True),  # hex
    sa.Column("created_at", TIME, nullable=False),
    _body(),
)
warehouse_receipts = sa.Table(
    "warehouse_receipts", metadata,
    sa.Column("receipt_id", ID, primary_key=True),
    sa.Column("warehouse_id", sa.String(64), nullable=False, index=True),
    sa.Column("depositor_id", sa.String(64), nullable=False, index=True),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("created_at", TIME, nullable=False),
    _body(),
)
letters_of_credit = sa.Table(
    "letters_of_credit", metadata,
    sa.Column("letter_of_credit_id", ID, primary_key=True),
    sa.Column("applicant_id", sa.String(64), nullable=False, index=True),
    sa.Column("beneficiary_id", sa.String(64), nullable=False, index=True),
    sa.Column("issuing_bank_id", sa.String(64), nullable=False, index=True),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("created_at", TIME, nullable=False),
    _body(),
)
shipments = sa.Table(
    "shipments", metadata,
    sa.Column("shipment_id", ID, primary_key=True),
    sa.Column("purchase_order_id", ID, nullable=False, index=True),
    sa.Column("carrier_id", sa.String(64), nullable=False, index=True),
    sa.Column("created_at", TIME, nullable=False),
    _body(),
)
