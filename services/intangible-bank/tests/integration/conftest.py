"""intangible-bank on the real PostgreSQL: the API tests' `bank` and `bank_with_log`, but
every server on fresh schemas of the test database (row locks and the unique registration
number are PostgreSQL's here, not SQLite's)."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest_asyncio
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api"))

from bank_support import Bank, start_bank, stop_bank

from ntbkit.storage.engine import create_engine
from ntbkit.testing import database_url_under_test, unique_schema


async def _drop(*schemas: str) -> None:
    engine = create_engine(database_url_under_test(), schema="public")
    async with engine.begin() as connection:
        for schema in schemas:
            await connection.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    await engine.dispose()


@pytest_asyncio.fixture
async def bank() -> AsyncIterator[Bank]:
    schema = unique_schema("intangible")
    started = await start_bank(database_url_under_test(), schema)
    yield started
    await stop_bank(started)
    await _drop(schema)


@pytest_asyncio.fixture
async def bank_with_log() -> AsyncIterator[Bank]:
    schema, log_schema = unique_schema("intangible"), unique_schema("laborcoin")
    started = await start_bank(database_url_under_test(), schema,
                               log_database=(database_url_under_test(), log_schema))
    yield started
    await stop_bank(started)
    await _drop(schema, log_schema)
