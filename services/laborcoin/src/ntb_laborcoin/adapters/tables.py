"""laborcoin's tables (its schema only; changed only through Alembic migrations)."""

from __future__ import annotations

import sqlalchemy as sa

from ntbkit.storage.messaging_tables import add_messaging_tables

metadata = sa.MetaData()

accounts = sa.Table(
    "accounts",
    metadata,
    sa.Column("account_id", sa.String(36), primary_key=True),
    sa.Column("owner_id", sa.String(64), nullable=False),
    sa.Column("asset", sa.String(16), nullable=False),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("debits_must_not_exceed_credits", sa.Boolean(), nullable=False),
    sa.Column("credits_must_not_exceed_debits", sa.Boolean(), nullable=False),
    sa.Column("debits_posted", sa.BigInteger(), nullable=False),
    sa.Column("credits_posted", sa.BigInteger(), nullable=False),
    sa.Column("debits_pending", sa.BigInteger(), nullable=False),
    sa.Column("credits_pending", sa.BigInteger(), nullable=False),
    sa.Column("version", sa.BigInteger(), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.UniqueConstraint("owner_id", "asset", "kind", name="accounts_owner_asset_kind_key"),
)

_Id = sa.String(36)
_Sequence = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

transfers = sa.Table(
    "transfers",
    metadata,
    sa.Column("seq", _Sequence, primary_key=True, autoincrement=True),
    sa.Column("transfer_id", _Id, nullable=False, unique=True),
    sa.Column("debit_account_id", _Id, sa.ForeignKey("accounts.account_id"), nullable=False),
    sa.Column("credit_account_id", _Id, sa.ForeignKey("accounts.account_id"), nullable=False),
    sa.Column("asset", sa.String(16), nullable=False),
    sa.Column("amount", sa.BigInteger(), nullable=False),
    sa.Column("code", sa.String(40), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("pending_id", sa.String(36), nullable=False),
    sa.Column("timeout_s", sa.BigInteger(), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("reference", sa.String(128), nullable=False),
    sa.Column("memo", sa.String(500), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    # Committing transaction (PostgreSQL xid8): the log sealer's commit-order watermark.
    sa.Column("txid", sa.BigInteger(), nullable=True),
)

pending_transfers = sa.Table(
    "pending_transfers",
    metadata,
    sa.Column("transfer_id", _Id, primary_key=True),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("amount_posted", sa.BigInteger(), nullable=False),
    sa.Column("resolved_by", sa.String(36), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
)

transfer_outcomes = sa.Table(
    "transfer_outcomes",
    metadata,
    sa.Column("transfer_id", _Id, primary_key=True),
    sa.Column("fingerprint", sa.String(64), nullable=False),
    sa.Column("code", sa.String(40), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

account_history = sa.Table(
    "account_history",
    metadata,
    sa.Column("account_id", _Id, primary_key=True),
    sa.Column("version", sa.BigInteger(), primary_key=True),
    sa.Column("transfer_id", _Id, nullable=False),
    sa.Column("debits_posted", sa.BigInteger(), nullable=False),
    sa.Column("credits_posted", sa.BigInteger(), nullable=False),
    sa.Column("debits_pending", sa.BigInteger(), nullable=False),
    sa.Column("credits_pending", sa.BigInteger(), nullable=False),
)

policies = sa.Table(
    "policies",
    metadata,
    sa.Column("version", sa.BigInteger(), primary_key=True, autoincrement=False),
    sa.Column("k", sa.String(40), nullable=False),
    sa.Column("p0", sa.String(40), nullable=False),
    sa.Column("retired_share", sa.String(40), nullable=False),
    sa.Column("fee_rate", sa.String(40), nullable=False),
    sa.Column("effective_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("set_by", sa.String(64), nullable=False),
    sa.Column("reason", sa.String(500), nullable=False),
)

entrustments = sa.Table(
    "entrustments",
    metadata,
    sa.Column("entrustment_id", _Id, primary_key=True),
    sa.Column("person_id", _Id, nullable=False, index=True),
    sa.Column("available_milli_hours", sa.BigInteger(), nullable=False),
)

person_values = sa.Table(
    "person_values",
    metadata,
    sa.Column("person_id", _Id, primary_key=True),
    sa.Column("value_fen_per_hour", sa.BigInteger(), nullable=False),
    sa.Column("sequence", sa.BigInteger(), nullable=False),
)

# One row: sum over entrustments of available milli-hours x the person's value (fen).
labor_basis = sa.Table(
    "labor_basis",
    metadata,
    sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
    sa.Column("weighted_fen_milli_hours", sa.BigInteger(), nullable=False),
)

price_points = sa.Table(
    "price_points",
    metadata,
    sa.Column("sequence", _Sequence, primary_key=True, autoincrement=True),
    sa.Column("price", sa.String(60), nullable=False),
    sa.Column("reserve_fen", sa.BigInteger(), nullable=False),
    sa.Column("outstanding_units", sa.BigInteger(), nullable=False),
    sa.Column("cause", sa.String(20), nullable=False),
    sa.Column("cause_ref", sa.String(64), nullable=False),
    sa.Column("effective_at", sa.DateTime(timezone=True), nullable=False),
)

log_leaves = sa.Table(
    "log_leaves",
    metadata,
    sa.Column("leaf_index", sa.BigInteger(), primary_key=True, autoincrement=False),
    # Exactly one of transfer_id and anchor_id.
    sa.Column("transfer_id", _Id, nullable=True, unique=True),
    sa.Column("anchor_id", _Id, nullable=True, unique=True),
    sa.Column("leaf_hash", sa.LargeBinary(), nullable=False),
)

anchors = sa.Table(
    "anchors",
    metadata,
    sa.Column("seq", _Sequence, primary_key=True, autoincrement=True),
    sa.Column("anchor_id", _Id, nullable=False, unique=True),
    sa.Column("source", sa.String(64), nullable=False),
    sa.Column("subject", sa.String(200), nullable=False),
    sa.Column("digest", sa.LargeBinary(), nullable=False),
    sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("txid", sa.BigInteger(), nullable=True),  # as transfers.txid
)

log_nodes = sa.Table(
    "log_nodes",
    metadata,
    sa.Column("level", sa.Integer(), primary_key=True, autoincrement=False),
    sa.Column("idx", sa.BigInteger(), primary_key=True, autoincrement=False),
    sa.Column("hash", sa.LargeBinary(), nullable=False),
)

log_state = sa.Table(
    "log_state",
    metadata,
    sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
    sa.Column("tree_size", sa.BigInteger(), nullable=False),
    sa.Column("last_txid", sa.BigInteger(), nullable=False),
    sa.Column("last_seq", sa.BigInteger(), nullable=False),
    sa.Column("anchor_txid", sa.BigInteger(), nullable=False),
    sa.Column("anchor_seq", sa.BigInteger(), nullable=False),
)

checkpoints = sa.Table(
    "checkpoints",
    metadata,
    sa.Column("tree_size", sa.BigInteger(), primary_key=True, autoincrement=False),
    sa.Column("root_hash", sa.LargeBinary(), nullable=False),
    sa.Column("note", sa.Text(), nullable=False),
    sa.Column("key_id", sa.String(200), nullable=False),
    sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
)

add_messaging_tables(metadata)
