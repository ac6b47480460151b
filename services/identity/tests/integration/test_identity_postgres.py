"""identity on the real test PostgreSQL (fresh schema, migrated by Alembic at start):
search with LIKE wildcards in the query, paging by (created_at, principal_id), wave
points with JSON inputs and their recomputation, and concurrent profile updates that
must not both win. Fails (never skips) without NTB_TEST_DATABASE_URL."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path

import grpc
import pytest_asyncio
from identity_server import IdentityServer, auth, identity_server, person

from ntb.identity.v1 import identity_pb2 as pb
from ntb_identity.domain.value_model import ValueInputs, hourly_value_fen
from ntbkit.testing import postgres_schema


@pytest_asyncio.fixture
async def server(tmp_path: Path) -> AsyncIterator[IdentityServer]:
    async with postgres_schema("identity") as (schema, engine):
        url = engine.url.render_as_string(hide_password=False)
        async with identity_server(tmp_path, 903, database_url=url, schema=schema) as running:
            yield running


async def test_search_escapes_wildcards_and_pages_on_postgres(server: IdentityServer) -> None:
    token = await server.token()
    for name in ("100% Cotton", "100 Cotton", "1000 Looms", "100_Mills"):
        await server.stub.RegisterPrincipal(person(name), metadata=auth(token), timeout=10)
    found = await server.stub.SearchPrincipals(pb.SearchPrincipalsRequest(query="100%"),
                                               metadata=auth(token), timeout=5)
    assert [p.display_name for p in found.principals] == ["100% Cotton"]
    names: list[str] = []
    page_token = ""
    while True:
        page = await server.stub.SearchPrincipals(pb.SearchPrincipalsRequest(
            query="100", page={"page_size": 1, "page_token": page_token}),
            metadata=auth(token), timeout=5)
        names += [p.display_name for p in page.principals]
        page_token = page.page.next_page_token
        if not page_token:
            break
    assert sorted(names) == ["100 Cotton", "100% Cotton", "1000 Looms", "100_Mills"]


async def test_value_points_round_trip_and_concurrent_updates_do_not_both_win(
    server: IdentityServer,
) -> None:
    token = await server.token()
    pid = (await server.stub.RegisterPrincipal(person(), metadata=auth(token),
                                               timeout=10)).principal.principal_id

    async def update(years: int) -> grpc.StatusCode:
        try:
            await server.stub.UpdatePersonProfile(pb.UpdatePersonProfileRequest(
                request_id=str(uuid.uuid4()), principal_id=pid, expected_version=1,
                person=pb.PersonProfile(birth_year=1990, experience_years=years)),
                metadata=auth(token), timeout=10)
        except grpc.aio.AioRpcError as error:
            return error.code()
        return grpc.StatusCode.OK

    codes = await asyncio.gather(update(9), update(10))
    assert sorted(c.name for c in codes) == ["FAILED_PRECONDITION", "OK"]
    wave = await server.stub.GetValueWave(pb.GetValueWaveRequest(principal_id=pid),
                                          metadata=auth(token), timeout=5)
    assert [p.sequence for p in wave.points] == [1, 2]
    for point in wave.points:
        i = point.inputs
        inputs = ValueInputs(
            i.region, i.industry_code, i.base_hourly_value.units,
            Decimal(i.region_factor.value), Decimal(i.industry_factor.value), i.age_years,
            i.experience_years, Decimal(i.age_factor.value),
            Decimal(i.experience_factor.value), Decimal(i.quality_factor.value),
            Decimal(i.rating_average.value), i.ratings_count, i.value_model_version,
            i.education)
        assert hourly_value_fen(inputs) == point.hourly_value.units
