"""Valuation, revaluation, rating and the credit investigation over gRPC: inputs are
stored, the market approach needs three comparables, a legal status change revalues
with the last inputs, and each rule answers with its reason."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import grpc
import pytest
from bank_flows import cny, cost_only, dec, register, value
from bank_support import EXAMINER, Bank, bearer, refused, rid

from ntb.common.v1 import common_pb2
from ntb.events.v1 import identity_events_pb2 as identity_events
from ntb.intangible_bank.v1 import intangible_bank_pb2 as pb

pytestmark = pytest.mark.asyncio


def comparables(*prices: int) -> pb.MarketApproachInputs:
    return pb.MarketApproachInputs(comparables=[
        pb.Comparable(price=cny(p), similarity=dec("0.8")) for p in prices])


async def test_market_approach_needs_three_comparables(bank: Bank) -> None:
    holder = await bank.principal("ENTERPRISE")
    asset = await register(bank, holder, "V-1")
    request = cost_only("100", 10_000)
    request.market.CopyFrom(comparables(1_000_000, 2_000_000))
    two = await value(bank, asset.asset_id, holder, request)
    assert not two.market.applicable and "at least 3" in two.market.explanation
    assert two.weights.market.value == "0.000000" and two.reconciled_value.units == 1_000_000
    request = cost_only("100", 10_000)
    request.market.CopyFrom(comparables(1_000_000, 2_000_000, 9_000_000))
    three = await value(bank, asset.asset_id, holder, request)
    assert three.market.value.units == 2_000_000  # the median, not the mean
    assert three.reconciled_value.units == 1_500_000  # equal weights over cost and market
    history = await bank.bank.ListValuations(pb.ListValuationsRequest(
        asset_id=asset.asset_id), metadata=bearer(holder))
    assert [v.valuation_id for v in history.valuations] == [three.valuation_id,
                                                            two.valuation_id]
    stored = (await bank.bank.GetValuation(pb.GetValuationRequest(
        valuation_id=three.valuation_id), metadata=bearer(holder))).valuation
    assert stored.cost_inputs.labor[0].hours.value == "100"
    assert len(stored.market_inputs.comparables) == 3


async def test_value_wave_price_must_be_known(bank: Bank) -> None:
    holder = await bank.principal("ENTERPRISE")
    unpriced = await bank.principal("PERSON")
    await bank.settled([holder, unpriced])
    asset = await register(bank, holder, "V-2", creators=[
        pb.Creator(principal_id=unpriced, name="Carol", labor_hours=dec("10"))])
    await refused(bank.bank.ValueAsset(pb.ValueAssetRequest(
        request_id=rid(), asset_id=asset.asset_id), metadata=bearer(holder)),
        "VALUE_WAVE_UNKNOWN")


async def test_no_applicable_approach_is_refused(bank: Bank) -> None:
    holder = await bank.principal("ENTERPRISE")
    asset = await register(bank, holder, "V-3")
    request = cost_only("10", 100)
    request.weights.CopyFrom(pb.ApproachWeights(cost=dec("0"), income=dec("1"),
                                                market=dec("0")))
    request.request_id, request.asset_id = rid(), asset.asset_id
    await refused(bank.bank.ValueAsset(request, metadata=bearer(holder)),
                  "NO_APPLICABLE_APPROACH")


async def test_income_life_is_capped_by_remaining_legal_life(bank: Bank) -> None:
    holder = await bank.principal("ENTERPRISE")
    asset = await register(bank, holder, "V-4", years=5)  # 3 whole years of 5 remain
    request = cost_only("10", 100)
    request.income.CopyFrom(pb.IncomeApproachInputs(
        annual_revenues=[cny(1_000_000)], royalty_rate=dec("0.1"), discount_rate=dec("0.5"),
        tax_rate=dec("0"), economic_life_years=10))
    valued = await value(bank, asset.asset_id, holder, request)
    # 100,000 / 1.5 + 100,000 / 2.25 + 100,000 / 3.375 = 66,666.67 + 44,444.44 + 29,629.63
    assert valued.income.value.units == 140_741
    assert valued.income_sensitivity.value_plus_one_point.units == 154_815  # x 1.1


async def test_a_legal_status_change_revalues_with_the_last_inputs(bank: Bank) -> None:
    holder = await bank.principal("ENTERPRISE")
    asset = await register(bank, holder, "V-5")
    request = cost_only("100", 10_000)
    request.income.CopyFrom(pb.IncomeApproachInputs(
        annual_revenues=[cny(10_000_000)], royalty_rate=dec("0.05"), discount_rate=dec("0.1"),
        economic_life_years=3))
    first = await value(bank, asset.asset_id, holder, request)
    assert first.income.applicable and first.trigger == "request"
    await bank.bank.UpdateLegalStatus(pb.UpdateLegalStatusRequest(
        request_id=rid(), asset_id=asset.asset_id, legal_status=pb.LEGAL_STATUS_LAPSED,
        reason="annuity unpaid"), metadata=bearer(holder))
    lapsed = (await bank.bank.ListValuations(pb.ListValuationsRequest(
        asset_id=asset.asset_id), metadata=bearer(holder))).valuations[0]
    assert lapsed.trigger == "legal_status_changed" and not lapsed.income.applicable
    assert lapsed.cost.value.units == first.cost.value.units
    assert (await bank.bank.GetAsset(pb.GetAssetRequest(asset_id=asset.asset_id),
                                     metadata=bearer(holder))).asset.appraised_value.units \
        == lapsed.reconciled_value.units
    await bank.bank.UpdateLegalStatus(pb.UpdateLegalStatusRequest(
        request_id=rid(), asset_id=asset.asset_id, legal_status=pb.LEGAL_STATUS_INVALIDATED,
        reason="revoked"), metadata=bearer(holder))
    dead = (await bank.bank.ListValuations(pb.ListValuationsRequest(
        asset_id=asset.asset_id), metadata=bearer(holder))).valuations[0]
    assert dead.reconciled_value.units == 0


async def test_rating_and_the_credit_report(bank: Bank) -> None:
    holder = await bank.principal("ENTERPRISE", credit_score=350)
    lender = await bank.principal("FINANCIAL_INSTITUTION")
    await bank.settled([holder, lender])
    asset = await register(bank, holder, "V-6", years=3)  # 1 year left
    unvalued = (await bank.bank.RateAsset(pb.RateAssetRequest(
        request_id=rid(), asset_id=asset.asset_id), metadata=bearer(holder))).rating
    # 100 x .25 + 25 x .20 + 0 x .20 (not valued) + 100 x .15 + 0 x .20 = 45 -> B
    assert Decimal(unvalued.score.value) == Decimal("45.00")
    assert unvalued.rating == common_pb2.CREDIT_RATING_B
    assert [f.factor for f in unvalued.factors] == [
        "legal_status", "remaining_life", "valuation_spread", "history", "holder_credit"]
    report = (await bank.bank.InvestigateHolderCredit(pb.InvestigateHolderCreditRequest(
        principal_id=holder), metadata=bearer(lender))).report
    assert report.credit_score == 350 and report.assets_held_count == 1
    assert report.credit_reasons[0].code == "ON_TIME"
    with pytest.raises(grpc.aio.AioRpcError) as denied:
        await bank.bank.InvestigateHolderCredit(pb.InvestigateHolderCreditRequest(
            principal_id=lender), metadata=bearer(holder))
    assert denied.value.code() == grpc.StatusCode.PERMISSION_DENIED
    assert (await bank.bank.InvestigateHolderCredit(pb.InvestigateHolderCreditRequest(
        principal_id=holder), metadata=EXAMINER)).report.principal_id == holder


async def test_a_new_value_wave_price_revalues_the_creators_assets(bank: Bank) -> None:
    """An input of the cost approach changed: the inventor's value-wave price. Hours priced
    from the wave follow it; a price the request pinned does not."""
    holder = await bank.principal("ENTERPRISE")
    inventor = await bank.principal("PERSON", hourly_value_fen=20_000)
    await bank.settled([holder, inventor])
    creators = [pb.Creator(principal_id=inventor, name="Dana", labor_hours=dec("100"))]
    waved = await register(bank, holder, "V-6", creators=creators)
    pinned = await register(bank, holder, "V-7", creators=creators)
    wave_priced = pb.ValueAssetRequest(cost=pb.CostApproachInputs(
        physical_obsolescence=dec("0")))  # hours and price from the asset and the wave
    first = await value(bank, waved.asset_id, holder, wave_priced)
    assert first.cost.value.units == 100 * 20_000
    pinned_request = pb.ValueAssetRequest(cost=pb.CostApproachInputs(
        labor=[pb.CreatorLabor(principal_id=inventor, hours=dec("100"),
                               hourly_value=cny(20_000))],
        physical_obsolescence=dec("0")))
    pinned_first = await value(bank, pinned.asset_id, holder, pinned_request)

    await bank.identity_event(identity_events.ValueUpdated(
        principal_id=inventor, sequence=2,
        hourly_value=common_pb2.Money(asset="CNY", units=30_000)))

    async def latest(asset_id: str) -> pb.Valuation:
        return (await bank.bank.ListValuations(pb.ListValuationsRequest(
            asset_id=asset_id), metadata=bearer(holder))).valuations[0]

    for _ in range(200):
        if (await latest(waved.asset_id)).valuation_id != first.valuation_id:
            break
        await asyncio.sleep(0.02)
    revalued = await latest(waved.asset_id)
    assert revalued.trigger == "value_wave_changed"
    assert revalued.cost.value.units == 100 * 30_000  # exactly the hours x the new price
    assert revalued.cost_inputs.labor[0].hourly_value.units == 30_000
    asset = (await bank.bank.GetAsset(pb.GetAssetRequest(asset_id=waved.asset_id),
                                      metadata=bearer(holder))).asset
    assert asset.appraised_value.units == revalued.reconciled_value.units
    assert (await latest(pinned.asset_id)).valuation_id == pinned_first.valuation_id

    # An older point arriving late changes nothing.
    await bank.identity_event(identity_events.ValueUpdated(
        principal_id=inventor, sequence=1,
        hourly_value=common_pb2.Money(asset="CNY", units=10_000)))
    await asyncio.sleep(0.5)
    assert (await latest(waved.asset_id)).valuation_id == revalued.valuation_id
