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

add_messaging_tables(metadata)
