"""intangible-bank on the real PostgreSQL: the API tests' `bank`, but both servers on one
fresh schema of the test database (row locks and the unique registration number are
PostgreSQL's here, not SQLite's)."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest_asyncio

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api"))

from bank_support import Bank, start_bank, stop_bank

from ntbkit.testing import database_url_under_test, unique_schema


@pytest_asyncio.fixture
async def bank() -> AsyncIterator[Bank]:
    import sqlalchemy as sa

    from ntbkit.storage.engine import create_engine
    schema = unique_schema("intangible")
    started = await start_bank(database_url_under_test(), schema)
    yield started
    await stop_bank(started)
    engine = create_engine(database_url_under_test(), schema=schema)
    async with engine.begin() as connection:
        await connection.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    await engine.dispose()
