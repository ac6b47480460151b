"""scf-exchange on the real PostgreSQL: the credit-chain scenario of the API tests
(migrations, JSON documents, row locks, due work) against the test database."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest_asyncio
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api"))

import test_scf_credit_chain_api as chain
from scf_api_support import ScfServer
from scf_fakes import MovableClock
from test_scf_credit_chain_api import CORE, CORE2, F1, F2, START

from ntbkit.storage.engine import create_engine
from ntbkit.testing import database_url_under_test, unique_schema


@pytest_asyncio.fixture
async def server() -> AsyncIterator[ScfServer]:
    url, schema = database_url_under_test(), unique_schema("scf")
    scf = ScfServer(url, MovableClock(START), schema=schema)
    scf.ratings.ratings.update({CORE: "AA", CORE2: "BBB"})
    for funder in (F1, F2):
        scf.ledger.deposit(funder, "CNY", 2_000_000_00)
    scf.ledger.deposit(CORE, "CNY", 1_000_000_00)
    await scf.start()
    try:
        yield scf
    finally:
        await scf.stop()
        engine = create_engine(url, schema="public")
        async with engine.begin() as connection:
            await connection.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        await engine.dispose()


async def test_credit_chain_on_postgres(server: ScfServer) -> None:
    await chain.test_credit_shared_to_tier_two_financed_and_settled_at_maturity(server)


async def test_default_on_postgres(server: ScfServer) -> None:
    await chain.test_an_unpaid_chain_goes_overdue_then_defaults_after_grace(server)
