"""stored answers compressed with lz4

A 1,000-transfer CreateTransfers call stores its answer (~200 KB) for retries.
PostgreSQL's default compression (pglz) took ~4 ms of the batch's write to compress
it; lz4 takes under 1 ms for about the same size. Values stored before stay as they
are (each value records its own method).

Only where the server was built with lz4 (Debian's is); SQLite (embedded mode)
stores no compressed values.

Revision ID: 0008
Revises: 0007
"""

from alembic import op
from sqlalchemy import text

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_HAS_LZ4 = text("SELECT 'lz4' = ANY(enumvals) FROM pg_settings "
                "WHERE name = 'default_toast_compression'")


def _lz4_available() -> bool:
    bind = op.get_bind()
    return bind.dialect.name == "postgresql" and bool(bind.execute(_HAS_LZ4).scalar())


def upgrade() -> None:
    if _lz4_available():
        op.execute("ALTER TABLE idempotency_keys ALTER COLUMN response SET COMPRESSION lz4")


def downgrade() -> None:
    if _lz4_available():
        op.execute("ALTER TABLE idempotency_keys ALTER COLUMN response SET COMPRESSION default")
