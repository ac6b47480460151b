"""Valuation (cost, income, market, reconciled), revaluation when the legal status
changes, asset rating and the holder credit investigation."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, localcontext

from ntb_intangible_bank.domain import rating as rating_model
from ntb_intangible_bank.domain import valuation as model
from ntb_intangible_bank.domain.assets import Asset, LegalStatus
from ntb_intangible_bank.domain.events import AssetRated, AssetValued
from ntb_intangible_bank.domain.gene import GeneEventKind
from ntb_intangible_bank.domain.loans import LoanStatus
from ntb_intangible_bank.domain.principals import PrincipalView
from ntb_intangible_bank.service import gene_map
from ntb_intangible_bank.service.access import locked_asset, require_holder
from ntb_intangible_bank.service.unit_of_work import (
    Clock,
    IntangibleBankUnitOfWork,
    LoanFilter,
    NewUnit,
)
from ntbkit.auth import Caller
from ntbkit.documents import dump, load_as
from ntbkit.errors import FailedPrecondition, NotFound, PermissionDenied
from ntbkit.storage.idempotency import run_idempotent

COMPARABLES_LIMIT = 10
_NO_PROTECTION = frozenset({LegalStatus.EXPIRED, LegalStatus.INVALIDATED})


@dataclass(frozen=True)
class LaborRequest:
    principal_id: str
    hours: Decimal
    hourly_value_fen: int | None


@dataclass(frozen=True)
class CostRequest:
    labor: tuple[LaborRequest, ...]
    direct_costs_fen: int
    indirect_costs_fen: int
    developer_profit_rate: Decimal
    physical_obsolescence: Decimal | None
    functional_obsolescence: Decimal
    economic_obsolescence: Decimal


DEFAULT_COST = CostRequest((), 0, 0, Decimal(0), None, Decimal(0), Decimal(0))


@dataclass(frozen=True)
class ValueAsset:
    request_id: str
    asset_id: str
    cost: CostRequest
    income: model.IncomeInputs | None
    comparables: tuple[model.Comparable, ...] | None  # None: from the patent bank
    weights: model.Weights | None


async def _hourly_value(unit: IntangibleBankUnitOfWork, principal_id: str) -> int:
    principal = await unit.principals.get(principal_id)
    if principal is None or principal.hourly_value_fen is None:
        raise FailedPrecondition("VALUE_WAVE_UNKNOWN", f"no value-wave price of "
                                 f"{principal_id} is known yet (identity ValueUpdated)",
                                 {"principal_id": principal_id})
    return principal.hourly_value_fen


async def _cost_inputs(unit: IntangibleBankUnitOfWork, asset: Asset, asked: CostRequest,
                       today: datetime) -> model.CostInputs:
    requests = asked.labor or tuple(
        LaborRequest(c.principal_id, c.labor_hours, None) for c in asset.creators
        if c.principal_id and c.labor_hours > 0)
    labor = tuple([model.CreatorLabor(
        r.principal_id, r.hours, r.hourly_value_fen, from_value_wave=False)
        if r.hourly_value_fen is not None else model.CreatorLabor(
            r.principal_id, r.hours, await _hourly_value(unit, r.principal_id),
            from_value_wave=True) for r in requests])
    physical = asked.physical_obsolescence
    if physical is None:
        remaining, total = asset.remaining_life_days(today.date()), asset.total_life_days()
        with localcontext(model.CONTEXT):
            physical = (Decimal(0) if remaining is None or total is None else
                        (1 - Decimal(remaining) / total).quantize(Decimal("0.0001")))
    return model.CostInputs(labor, asked.direct_costs_fen, asked.indirect_costs_fen,
                            asked.developer_profit_rate, physical,
                            asked.functional_obsolescence, asked.economic_obsolescence)


def compute(asset: Asset, *, valuation_id: str, cost_inputs: model.CostInputs,
            income_inputs: model.IncomeInputs | None, market_inputs: model.MarketInputs,
            weights: model.Weights | None, at: datetime, requested_by: str, trigger: str
            ) -> model.Valuation:
    remaining = asset.remaining_life_days(at.date())
    if asset.legal_status in _NO_PROTECTION:
        # No protection left: the asset earns nothing and nobody pays for it.
        cost = model.ApproachResult(True, 0, f"{asset.legal_status.value}: no value")
        income = model.ApproachResult(False, 0, f"{asset.legal_status.value}")
        market = model.ApproachResult(False, 0, f"{asset.legal_status.value}")
        sensitivity = None
        weights = None
    else:
        cost = model.cost_approach(cost_inputs)
        if asset.legal_status is LegalStatus.LAPSED:
            income, sensitivity = model.ApproachResult(False, 0, "lapsed: no royalty"), None
        else:
            income, sensitivity = model.income_approach(income_inputs, remaining)
        market = model.market_approach(market_inputs)
    applied, value, spread = model.reconcile(cost, income, market, weights)
    return model.Valuation(
        valuation_id=valuation_id, asset_id=asset.asset_id, valued_at=at, cost=cost,
        income=income, market=market, weights=applied, reconciled_value_fen=value,
        spread=spread, cost_inputs=cost_inputs, income_inputs=income_inputs,
        market_inputs=market_inputs, requested_by=requested_by, sensitivity=sensitivity,
        trigger=trigger, asked_weights=weights)


async def _store(unit: IntangibleBankUnitOfWork, asset: Asset, valuation: model.Valuation,
                 actor_id: str) -> None:
    await unit.valuations.add(valuation)
    asset.appraised_value_fen = valuation.reconciled_value_fen
    asset.touch(valuation.valued_at)
    await unit.assets.save(asset)
    unit.record(AssetValued(valuation))
    await gene_map.record(unit, asset.asset_id, GeneEventKind.VALUED, actor_id=actor_id,
                          subject_id=valuation.valuation_id, subject=valuation,
                          at=valuation.valued_at, summary=(
                              f"valued {valuation.reconciled_value_fen} fen "
                              f"({valuation.trigger})"))


async def value_asset(new_unit: NewUnit, command: ValueAsset, caller: Caller, clock: Clock
                      ) -> model.Valuation:
    async def perform(unit: IntangibleBankUnitOfWork) -> str:
        asset = await locked_asset(unit, command.asset_id)
        require_holder(asset, caller)
        now = clock()
        cost_inputs = await _cost_inputs(unit, asset, command.cost, now)
        comparables = command.comparables
        if comparables is None:
            comparables = tuple(await unit.comparables.similar_to(asset, COMPARABLES_LIMIT))
        valuation = compute(asset, valuation_id=str(uuid.uuid4()), cost_inputs=cost_inputs,
                            income_inputs=command.income,
                            market_inputs=model.MarketInputs(comparables),
                            weights=command.weights, at=now, requested_by=caller.subject,
                            trigger="request")
        await _store(unit, asset, valuation, caller.subject)
        return valuation.valuation_id

    valuation_id = await run_idempotent(
        new_unit, operation="ValueAsset", request_id=command.request_id, command=command,
        perform=perform, encode=str.encode, decode=bytes.decode)
    return await get_valuation(new_unit, valuation_id)


async def revalue(unit: IntangibleBankUnitOfWork, asset: Asset, *, actor_id: str,
                  at: datetime, trigger: str) -> model.Valuation | None:
    """Recompute with the latest valuation's inputs (none before a first valuation)."""
    previous = await unit.valuations.of_asset(asset.asset_id)
    if not previous:
        return None
    last = previous[0]
    valuation = compute(asset, valuation_id=str(uuid.uuid4()), cost_inputs=last.cost_inputs,
                        income_inputs=last.income_inputs, market_inputs=last.market_inputs,
                        weights=last.asked_weights, at=at, requested_by=actor_id,
                        trigger=trigger)
    await _store(unit, asset, valuation, actor_id)
    return valuation


VALUE_WAVE_ACTOR = "ntb-identity"  # who caused a revaluation on a new value-wave price


async def revalue_for_value_wave(unit: IntangibleBankUnitOfWork, principal_id: str,
                                 hourly_value_fen: int, at: datetime) -> int:
    """A creator's value-wave price changed: revalue every asset whose latest valuation
    priced that creator's hours from the wave (pinned prices stay); assets revalued."""
    revalued = 0
    for asset_id in await unit.assets.created_by(principal_id):
        asset = await locked_asset(unit, asset_id)
        previous = await unit.valuations.of_asset(asset_id)
        if not previous:
            continue
        last = previous[0]
        cost_inputs = model.repriced(last.cost_inputs, principal_id, hourly_value_fen)
        if cost_inputs is None:
            continue
        valuation = compute(asset, valuation_id=str(uuid.uuid4()), cost_inputs=cost_inputs,
                            income_inputs=last.income_inputs,
                            market_inputs=last.market_inputs, weights=last.asked_weights,
                            at=at, requested_by=VALUE_WAVE_ACTOR, trigger="value_wave_changed")
        await _store(unit, asset, valuation, VALUE_WAVE_ACTOR)
        revalued += 1
    return revalued


async def get_valuation(new_unit: NewUnit, valuation_id: str) -> model.Valuation:
    async with new_unit() as unit:
        found = await unit.valuations.get(valuation_id)
    if found is None:
        raise NotFound("valuation", valuation_id)
    return found


async def list_valuations(new_unit: NewUnit, asset_id: str) -> list[model.Valuation]:
    async with new_unit() as unit:
        if await unit.assets.get(asset_id) is None:
            raise NotFound("asset", asset_id)
        return await unit.valuations.of_asset(asset_id)


@dataclass(frozen=True)
class RateAsset:
    request_id: str
    asset_id: str


async def _adverse_events(unit: IntangibleBankUnitOfWork, asset: Asset) -> int:
    page = await unit.loans.page(LoanFilter("", "", asset.asset_id, ""), 0, 1000)
    defaults = sum(1 for loan in page if loan.status in (LoanStatus.DEFAULTED,
                                                         LoanStatus.ENFORCED))
    return sum(asset.history_flags.values()) + defaults


async def rate_asset(new_unit: NewUnit, command: RateAsset, caller: Caller, clock: Clock
                     ) -> rating_model.AssetRating:
    async def perform(unit: IntangibleBankUnitOfWork) -> bytes:
        asset = await locked_asset(unit, command.asset_id)
        require_holder(asset, caller)
        now = clock()
        valuations = await unit.valuations.of_asset(asset.asset_id)
        scores = []
        for holder in asset.holders:
            principal = await unit.principals.get(holder.principal_id)
            if principal is not None and principal.credit_score:
                scores.append(principal.credit_score)
        inputs = rating_model.RatingInputs(
            legal_status=asset.legal_status,
            remaining_life_days=asset.remaining_life_days(now.date()),
            valuation_spread=valuations[0].spread if valuations else None,
            adverse_events=await _adverse_events(unit, asset),
            holder_credit_scores=tuple(scores))
        rated = rating_model.rate(asset.asset_id, inputs, at=now,
                                  valuation_id=valuations[0].valuation_id if valuations else "")
        previous, asset.rating = asset.rating, rated.rating
        asset.touch(now)
        await unit.assets.save(asset)
        await unit.ratings.add(str(uuid.uuid4()), rated)
        unit.record(AssetRated(rated, previous))
        await gene_map.record(unit, asset.asset_id, GeneEventKind.RATED, actor_id=caller.subject,
                              subject_id=asset.asset_id, subject=rated, at=now,
                              summary=f"rated {rated.rating} (score {rated.score})")
        return json.dumps(dump(rated)).encode()

    stored = await run_idempotent(
        new_unit, operation="RateAsset", request_id=command.request_id, command=command,
        perform=perform, encode=lambda b: b, decode=lambda b: b)
    return load_as(rating_model.AssetRating, json.loads(stored))


@dataclass(frozen=True)
class HolderCreditReport:
    principal: PrincipalView
    open_loans_count: int
    outstanding_principal_fen: int
    defaults_count: int
    assets_held_count: int
    generated_at: datetime


_OPEN = frozenset({LoanStatus.REQUESTED, LoanStatus.APPROVED, LoanStatus.DISBURSED,
                   LoanStatus.DEFAULTED})


async def investigate_holder_credit(new_unit: NewUnit, principal_id: str, caller: Caller,
                                    clock: Clock) -> HolderCreditReport:
    """The principal itself, operators and auditors, and financial institutions (lenders
    investigating a borrower) may read the report."""
    async with new_unit() as unit:
        if caller.subject != principal_id and not caller.privileged:
            viewer = await unit.principals.get(caller.subject)
            if viewer is None or viewer.kind != "FINANCIAL_INSTITUTION":
                raise PermissionDenied("only the principal, operators, auditors and "
                                       "financial institutions read credit reports")
        principal = await unit.principals.get(principal_id)
        if principal is None:
            raise NotFound("principal", principal_id)
        loans = await unit.loans.of_borrower(principal_id)
        held = await unit.assets.count_held(principal_id)
    open_loans = [loan for loan in loans if loan.status in _OPEN]
    return HolderCreditReport(
        principal=principal, open_loans_count=len(open_loans),
        outstanding_principal_fen=sum(loan.outstanding_principal_fen for loan in open_loans),
        defaults_count=sum(1 for loan in loans if "defaulted" in loan.reasons),
        assets_held_count=held, generated_at=clock())
