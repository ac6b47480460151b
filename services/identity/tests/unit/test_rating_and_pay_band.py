"""Enterprise rating from financial ratios (AAA..C, stronger statements rate higher,
missing statements are a reason) and pay bands from comparable persons' current values
(percentiles with the sample size; the model alone below 5 persons), rating changes
published as EnterpriseRatingChanged, ratings closed to persons, through identity's
gRPC API on a real loopback server with SQLite; plus the pure band and rating rules."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path

import grpc
import pytest
import pytest_asyncio
from identity_server import IdentityServer, auth, identity_server, person

from ntb.common.v1 import common_pb2
from ntb.events.v1 import identity_events_pb2 as iev
from ntb.identity.v1 import identity_pb2 as pb
from ntb_identity.adapters import model_files
from ntb_identity.domain import enterprise_rating, pay_band
from ntb_identity.domain.model import FinancialStatements
from ntbkit.messaging.envelope import decode


@pytest_asyncio.fixture
async def server(tmp_path: Path) -> AsyncIterator[IdentityServer]:
    async with identity_server(tmp_path, 902) as running:
        yield running


def statements(*, liabilities_yuan: int, net_income_yuan: int) -> pb.FinancialStatements:
    def cny(yuan: int) -> common_pb2.Money:
        return common_pb2.Money(asset="CNY", units=yuan * 100)

    return pb.FinancialStatements(
        fiscal_year=2025, revenue=cny(10_000_000), net_income=cny(net_income_yuan),
        ebit=cny(net_income_yuan + 200_000), interest_expense=cny(100_000),
        total_assets=cny(8_000_000), total_liabilities=cny(liabilities_yuan),
        current_assets=cny(3_000_000), current_liabilities=cny(1_500_000))


async def rated(server: IdentityServer, token: str,
                financials: pb.FinancialStatements | None) -> pb.EnterpriseRating:
    profile = pb.EnterpriseProfile(registration_number="91440300MA5XXXXX1")
    if financials is not None:
        profile.financials.CopyFrom(financials)
    registered = await server.stub.RegisterPrincipal(pb.RegisterPrincipalRequest(
        request_id=str(uuid.uuid4()), kind=pb.PRINCIPAL_KIND_ENTERPRISE, display_name="Co",
        country_code="CN", region="CN-GD", industry_code="C26", enterprise=profile),
        metadata=auth(token), timeout=10)
    response = await server.stub.GetEnterpriseRating(pb.GetEnterpriseRatingRequest(
        principal_id=registered.principal.principal_id), metadata=auth(token), timeout=5)
    return response.rating


async def test_stronger_statements_rate_higher(server: IdentityServer) -> None:
    token = await server.token()
    strong = await rated(server, token,
                         statements(liabilities_yuan=2_000_000, net_income_yuan=1_800_000))
    weak = await rated(server, token,
                       statements(liabilities_yuan=7_500_000, net_income_yuan=-300_000))
    none = await rated(server, token, None)
    assert strong.rating == common_pb2.CREDIT_RATING_AAA  # lower enum number = better
    assert strong.rating < weak.rating and strong.score > weak.score
    assert Decimal(strong.probability_of_default.value) < Decimal(
        weak.probability_of_default.value)
    assert "HIGH_LEVERAGE" in [r.code for r in weak.reasons]
    assert none.reasons[0].code == "NO_FINANCIAL_STATEMENTS"


def test_a_default_drops_the_rating() -> None:
    card = model_files.scorecard(1)
    books = FinancialStatements(2025, 10**9, 10**8, 12 * 10**7, 10**7, 8 * 10**8,
                                2 * 10**8, 3 * 10**8, 10**8)
    clean = enterprise_rating.rate(books, Decimal(0), card)
    defaulted = enterprise_rating.rate(books, Decimal(1), card)
    assert defaulted.score < clean.score and defaulted.reasons[0].code == "LOAN_DEFAULTS"


def test_percentiles_are_nearest_rank() -> None:
    band = pay_band.band_from_sample([5000, 1000, 2000, 4000, 3000], model_value_fen=9999)
    assert (band.p10_fen, band.p25_fen, band.median_fen, band.p75_fen, band.p90_fen) == (
        1000, 2000, 3000, 4000, 5000)
    assert band.sample_size == 5
    small = pay_band.band_from_sample([1000], model_value_fen=10000)
    assert (small.p10_fen, small.median_fen, small.p90_fen, small.sample_size) == (
        8000, 10000, 12000, 1)


async def test_pay_band_from_comparable_persons(server: IdentityServer) -> None:
    token = await server.token()
    request = pb.RecommendPayBandRequest(industry_code="C", region="CN-GD", experience_years=8)
    empty = (await server.stub.RecommendPayBand(request, metadata=auth(token),
                                                timeout=5)).band
    assert empty.sample_size == 0 and empty.p10.units < empty.median.units < empty.p90.units
    for years in (5, 6, 8, 10, 11, 20):
        await server.stub.RegisterPrincipal(person(experience_years=years),
                                            metadata=auth(token), timeout=10)
    band = (await server.stub.RecommendPayBand(request, metadata=auth(token), timeout=5)).band
    assert band.sample_size == 5  # 20 years of experience is not comparable to 8
    assert band.p10.units <= band.p25.units <= band.median.units <= band.p75.units
    assert band.p75.units <= band.p90.units and band.value_model_version == 1


async def rating_events(server: IdentityServer, principal_id: str,
                        count: int) -> list[iev.EnterpriseRatingChanged]:
    for _ in range(100):
        found = []
        for envelope in server.bus.broker.logs["ntb.identity.credit.v1"]:
            if envelope.event_type == iev.EnterpriseRatingChanged.DESCRIPTOR.full_name:
                event = decode(envelope, iev.EnterpriseRatingChanged)
                assert isinstance(event, iev.EnterpriseRatingChanged)
                if event.principal_id == principal_id:
                    found.append(event)
        if len(found) >= count:
            return found
        await asyncio.sleep(0.05)
    raise AssertionError(f"fewer than {count} rating events")


async def test_new_statements_change_the_rating_and_say_so(server: IdentityServer) -> None:
    token = await server.token()
    registered = await server.stub.RegisterPrincipal(pb.RegisterPrincipalRequest(
        request_id=str(uuid.uuid4()), kind=pb.PRINCIPAL_KIND_ENTERPRISE, display_name="Co",
        country_code="CN", region="CN-GD", industry_code="C26",
        enterprise=pb.EnterpriseProfile(registration_number="91440300MA5XXXXX2")),
        metadata=auth(token), timeout=10)
    pid = registered.principal.principal_id
    profile = pb.EnterpriseProfile(registration_number="91440300MA5XXXXX2")
    profile.financials.CopyFrom(
        statements(liabilities_yuan=2_000_000, net_income_yuan=1_800_000))
    await server.stub.UpdateEnterpriseProfile(pb.UpdateEnterpriseProfileRequest(
        request_id=str(uuid.uuid4()), principal_id=pid, enterprise=profile),
        metadata=auth(token), timeout=10)
    first, second = await rating_events(server, pid, 2)
    assert first.previous_rating == common_pb2.CREDIT_RATING_UNSPECIFIED
    assert second.previous_rating == first.rating
    assert second.rating == common_pb2.CREDIT_RATING_AAA < first.rating


async def test_a_person_may_not_read_an_enterprises_rating(server: IdentityServer) -> None:
    token = await server.token()
    rating = await rated(server, token, None)
    pid = (await server.stub.RegisterPrincipal(person(), metadata=auth(token),
                                               timeout=10)).principal.principal_id
    created = await server.stub.CreateApiClient(pb.CreateApiClientRequest(
        request_id=str(uuid.uuid4()), principal_id=pid, display_name="app",
        scopes=["identity.read"]), metadata=auth(token), timeout=10)
    own = await server.token(created.api_client.client_id, created.client_secret)
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await server.stub.GetEnterpriseRating(pb.GetEnterpriseRatingRequest(
            principal_id=rating.principal_id), metadata=auth(own), timeout=5)
    assert raised.value.code() == grpc.StatusCode.PERMISSION_DENIED
