"""matching's tables (its schema only; changed only through Alembic migrations)."""

from __future__ import annotations

import sqlalchemy as sa

from ntbkit.storage.messaging_tables import add_messaging_tables

metadata = sa.MetaData()

# What matching knows of identity's persons, from identity's events (never its tables).
persons = sa.Table(
    "persons",
    metadata,
    sa.Column("person_id", sa.String(36), primary_key=True),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("region", sa.String(16), nullable=False),
    sa.Column("industry_code", sa.String(8), nullable=False),
    sa.Column("kyc_status", sa.String(16), nullable=False),
    sa.Column("experience_years", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("skills", sa.JSON(), nullable=False, server_default="[]"),
    sa.Column("advantages", sa.JSON(), nullable=False, server_default="[]"),
    sa.Column("credit_score", sa.Integer(), nullable=True),
)

demands = sa.Table(
    "demands",
    metadata,
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
    sa.Column("open_hours", sa.String(20), nullable=True),  # NULL: nothing ordered yet
)

person_keys = sa.Table(
    "person_keys",
    metadata,
    sa.Column("key_id", sa.String(64), primary_key=True),
    sa.Column("person_id", sa.String(36), nullable=False, index=True),
    sa.Column("public_key", sa.LargeBinary(), nullable=False),
    sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
)

entrustments = sa.Table(
    "entrustments",
    metadata,
    sa.Column("entrustment_id", sa.String(36), primary_key=True),
    sa.Column("person_id", sa.String(36), nullable=False, index=True),
    sa.Column("status", sa.String(24), nullable=False),
    sa.Column("hours", sa.String(20), nullable=False),
    sa.Column("available_hours", sa.String(20), nullable=False),
    sa.Column("available_from", sa.DateTime(timezone=True), nullable=False),
    sa.Column("available_until", sa.DateTime(timezone=True), nullable=False),
    sa.Column("skills", sa.JSON(), nullable=False),
    sa.Column("min_price_asset", sa.String(8), nullable=False),
    sa.Column("min_price_units", sa.BigInteger(), nullable=False),
    sa.Column("region", sa.String(16), nullable=False),
    sa.Column("remote_ok", sa.Boolean(), nullable=False),
    sa.Column("note", sa.String(2000), nullable=False),
    sa.Column("contract_id", sa.String(36), nullable=False, unique=True),
    sa.Column("canonical_terms", sa.LargeBinary(), nullable=False),
    sa.Column("terms_sha256", sa.LargeBinary(), nullable=False),
    sa.Column("signer_key_id", sa.String(64), nullable=False),
    sa.Column("signer_signature", sa.LargeBinary(), nullable=False),
    sa.Column("platform_signature", sa.LargeBinary(), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("signed_at", sa.DateTime(timezone=True), nullable=True),
)

# An order and its saga's position: `saga` names the money movement in flight.
orders = sa.Table(
    "orders",
    metadata,
    sa.Column("order_id", sa.String(36), primary_key=True),
    sa.Column("demand_id", sa.String(36), nullable=False, index=True),
    sa.Column("entrustment_id", sa.String(36), nullable=False, index=True),
    sa.Column("buyer_id", sa.String(36), nullable=False, index=True),
    sa.Column("worker_id", sa.String(36), nullable=False, index=True),
    sa.Column("hours", sa.String(20), nullable=False),
    sa.Column("hourly_price_fen", sa.BigInteger(), nullable=False),
    sa.Column("labor_value_fen", sa.BigInteger(), nullable=False),
    sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("status", sa.String(24), nullable=False, index=True),
    sa.Column("saga", sa.String(16), nullable=True, index=True),
    sa.Column("payment_attempt", sa.Integer(), nullable=False),
    sa.Column("buy_coins_if_needed", sa.Boolean(), nullable=False),
    sa.Column("max_coin_price", sa.String(40), nullable=True),
    sa.Column("escrow_units", sa.BigInteger(), nullable=False),
    sa.Column("coin_price", sa.String(40), nullable=True),
    sa.Column("escrow_transfer_id", sa.String(36), nullable=False),
    sa.Column("escrow_expires_at", sa.DateTime(timezone=True), nullable=True, index=True),
    sa.Column("funded_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("late", sa.Boolean(), nullable=False),
    sa.Column("rating", sa.Integer(), nullable=False),
    sa.Column("comment", sa.String(2000), nullable=False),
    sa.Column("delivery_note", sa.String(2000), nullable=False),
    sa.Column("cancel_reason", sa.String(2000), nullable=False),
    sa.Column("cancelled_by", sa.String(64), nullable=False),
    sa.Column("settlement", sa.JSON(), nullable=True),
    sa.Column("dispute", sa.JSON(), nullable=True),
    sa.Column("version", sa.Integer(), nullable=False),
)

# The saga's recorded steps: each ledger call is written here (STARTED, with every id
# and amount it carries) before it is made, and its outcome after.
order_saga_steps = sa.Table(
    "order_saga_steps",
    metadata,
    sa.Column("order_id", sa.String(36), primary_key=True),
    sa.Column("step_no", sa.Integer(), primary_key=True),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("attempt", sa.Integer(), nullable=False),
    sa.Column("request_id", sa.String(36), nullable=False, unique=True),
    sa.Column("transfer_id", sa.String(36), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("detail", sa.JSON(), nullable=False),
    sa.Column("reason", sa.String(64), nullable=False),
    sa.Column("result", sa.JSON(), nullable=False),
    sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
)

add_messaging_tables(metadata)
