"""Tables every service has: outbox, inbox and idempotency keys.

Each service adds them to its own MetaData (`add_messaging_tables(metadata)`) and
creates them in its first Alembic migration (`create_messaging_tables(op)`).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

OUTBOX = "outbox"
INBOX = "inbox"
IDEMPOTENCY = "idempotency_keys"


def _outbox_columns() -> list[sa.Column[Any]]:
    return [
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True,
                  autoincrement=True),
        sa.Column("event_id", sa.String(36), nullable=False, unique=True),
        sa.Column("topic", sa.String(200), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("event_type", sa.String(200), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.Column("headers", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    ]


def _inbox_columns() -> list[sa.Column[Any]]:
    return [
        sa.Column("consumer_group", sa.String(200), primary_key=True),
        sa.Column("event_id", sa.String(64), primary_key=True),
        sa.Column("topic", sa.String(200), nullable=False),
        sa.Column("handled_at", sa.DateTime(timezone=True), nullable=False),
    ]


def _idempotency_columns() -> list[sa.Column[Any]]:
    return [
        sa.Column("operation", sa.String(100), primary_key=True),
        sa.Column("request_id", sa.String(64), primary_key=True),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.Column("response", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    ]


def add_messaging_tables(metadata: sa.MetaData) -> tuple[sa.Table, sa.Table, sa.Table]:
    return (
        sa.Table(OUTBOX, metadata, *_outbox_columns()),
        sa.Table(INBOX, metadata, *_inbox_columns()),
        sa.Table(IDEMPOTENCY, metadata, *_idempotency_columns()),
    )


def create_messaging_tables(op: Any) -> None:
    """Alembic helper: `create_messaging_tables(op)` inside a migration's upgrade()."""
    op.create_table(OUTBOX, *_outbox_columns())
    op.create_table(INBOX, *_inbox_columns())
    op.create_table(IDEMPOTENCY, *_idempotency_columns())


def drop_messaging_tables(op: Any) -> None:
    for name in (IDEMPOTENCY, INBOX, OUTBOX):
        op.drop_table(name)


# The same tables for queries in ntbkit's own code (typed columns: JSON, binary, time).
_queries = sa.MetaData()
outbox_table, inbox_table, idempotency_table = add_messaging_tables(_queries)
