"""intangible-bank's tables (its schema only; changed only through Alembic migrations)."""

from __future__ import annotations

import sqlalchemy as sa

from ntbkit.storage.messaging_tables import add_messaging_tables

metadata = sa.MetaData()
add_messaging_tables(metadata)
