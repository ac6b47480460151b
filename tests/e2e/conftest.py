"""The distributed suite, started once for all e2e tests of a run."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio
from e2e_suite import DistributedSuite


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def suite() -> AsyncIterator[DistributedSuite]:
    suite = DistributedSuite()
    try:
        await suite.start_all()
        yield suite
    finally:
        await suite.stop_all()
        await suite.drop_schemas()
