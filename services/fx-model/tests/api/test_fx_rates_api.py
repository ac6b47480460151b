"""Every rate model, cross rates and the comparison with official rates, through the real
gRPC API of a running fx-model (SQLite, in-process bus).

Proves that: reads need no token; GetRate serves each model with its productivities,
price levels (P = 1/R, e = P_d / P_f) and traced source cells; the models that need the
number of workers answer FAILED_PRECONDITION LABOR_FORCE_MISSING on the packaged data
(population is never used as L); CompareWithOfficial for 2013 predicts every country
whose data are complete (40; pre-euro wages converted at the legal euro rate) with
summaries for all, small and large countries; a cross rate equals the ratio of its USD
legs; bad requests list every bad field.
"""

from __future__ import annotations

from decimal import Decimal, localcontext

import grpc
import pytest

from ntb.fx_model.v1 import fx_model_pb2 as pb
from ntb.fx_model.v1.fx_model_pb2_grpc import FxModelServiceStub
from ntbkit.testing import error_info, violations


async def test_every_model_with_price_levels_and_traced_inputs(fx: FxModelServiceStub) -> None:
    lpp = (await fx.GetRate(pb.GetRateRequest(country_code="JPN", year=2013))).rate
    assert lpp.model == pb.RATE_MODEL_LABOR_PRODUCTIVITY_PARITY
    assert lpp.dataset_id == "packaged"
    assert lpp.local_per_usd.value.startswith("104.648069")
    with localcontext() as ctx:
        ctx.prec = 50
        ratio = Decimal(lpp.price_level.value) / Decimal(lpp.anchor_price_level.value)
        assert abs(ratio - Decimal(lpp.local_per_usd.value)) < Decimal("1e-20")
        assert abs(Decimal(lpp.productivity.value) * Decimal(lpp.price_level.value) - 1) \
            < Decimal("1e-20")
    cells = {(s.country_code, s.column) for s in lpp.inputs}
    assert {("JPN", "gdp_per_capita_usd"), ("JPN", "avg_wage_lcu"), ("USA", "avg_wage_lcu"),
            ("JPN", "official_rate_lcu_per_usd")} <= cells
    assert all(s.source for s in lpp.inputs)

    direct = (await fx.GetRate(pb.GetRateRequest(
        country_code="JPN", year=2013, model=pb.RATE_MODEL_DIRECT_LABOR_VALUE))).rate
    wages = {s.country_code: Decimal(s.value) for s in direct.inputs if s.column == "avg_wage_lcu"}
    with localcontext() as ctx:
        ctx.prec = 50
        assert abs(Decimal(direct.local_per_usd.value) - wages["JPN"] / wages["USA"]) \
            < Decimal("1e-20")

    per_wage = (await fx.GetRate(pb.GetRateRequest(
        country_code="JPN", year=2013, model=pb.RATE_MODEL_OUTPUT_PER_WAGE))).rate
    assert ("JPN", "population") in {(s.country_code, s.column) for s in per_wage.inputs}

    for model in (pb.RATE_MODEL_OUTPUT_PER_WORKER, pb.RATE_MODEL_OUTPUT_PER_WORKER_WAGE):
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await fx.GetRate(pb.GetRateRequest(country_code="JPN", year=2013, model=model))
        assert caught.value.code() == grpc.StatusCode.FAILED_PRECONDITION
        assert error_info(caught.value).reason == "LABOR_FORCE_MISSING"
        assert "population is not L" in (caught.value.details() or "")


async def test_compare_2013_predicts_every_complete_country(fx: FxModelServiceStub) -> None:
    response = await fx.CompareWithOfficial(pb.CompareWithOfficialRequest(year=2013))
    assert len(response.comparisons) == 40
    assert response.median_absolute_percentage_error.value.startswith("9.945")
    reasons = {s.reason for s in response.skipped}
    assert reasons == {pb.SKIP_REASON_INPUTS_MISSING}
    groups = {s.group: s for s in response.summaries}
    assert list(groups) == ["all", "small", "large"]
    assert groups["small"].country_count + groups["large"].country_count == 40
    assert Decimal(groups["all"].share_within_25_percent.value) >= \
        Decimal(groups["all"].share_within_10_percent.value)
    for row in response.comparisons:
        assert row.rate.official_local_per_usd.value
        assert row.rate.inputs

    direct = await fx.CompareWithOfficial(pb.CompareWithOfficialRequest(
        year=2013, model=pb.RATE_MODEL_DIRECT_LABOR_VALUE))
    assert len(direct.comparisons) == 40
    assert Decimal(direct.median_absolute_percentage_error.value) > \
        Decimal(response.median_absolute_percentage_error.value)

    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await fx.CompareWithOfficial(pb.CompareWithOfficialRequest(
            year=2013, model=pb.RATE_MODEL_OUTPUT_PER_WORKER))
    assert error_info(caught.value).reason == "LABOR_FORCE_MISSING"


async def test_cross_rate_is_the_ratio_of_its_usd_legs(fx: FxModelServiceStub) -> None:
    cross = (await fx.GetCrossRate(pb.GetCrossRateRequest(
        base_country_code="GBR", quote_country_code="JPN", year=2013))).cross_rate
    with localcontext() as ctx:
        ctx.prec = 50
        expected = Decimal(cross.quote_rate.local_per_usd.value) / Decimal(
            cross.base_rate.local_per_usd.value)
        assert abs(Decimal(cross.quote_per_base.value) - expected) < Decimal("1e-20")
    assert cross.official_quote_per_base.value


async def test_bad_requests_list_every_field(fx: FxModelServiceStub) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await fx.GetRate(pb.GetRateRequest(country_code="jp", year=1800, model=99))  # type: ignore[arg-type]
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert set(violations(caught.value)) == {"country_code", "year", "model"}

    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await fx.GetRate(pb.GetRateRequest(country_code="JPN", year=2030))
    assert caught.value.code() == grpc.StatusCode.NOT_FOUND

    listed = await fx.ListCountries(pb.ListCountriesRequest(year=2013, parity_only=True))
    assert len(listed.countries) == 38
