"""Demands and candidates (paper 3.3 step 2): buyers post needs; the engine ranks the
entrusted labor on the market for them, with every score broken down."""

from __future__ import annotations

import dataclasses
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from ntb_matching.domain.assignment import match_batch
from ntb_matching.domain.demand import PostedDemand
from ntb_matching.domain.model import Demand, Location, ScoringWeights, Window, Worker
from ntb_matching.domain.scoring import Candidate, ScoreBreakdown, propose_candidates
from ntb_matching.service import orders
from ntb_matching.service.unit_of_work import MatchingUnitOfWork, NewUnit
from ntbkit.auth import Caller
from ntbkit.errors import FailedPrecondition, NotFound
from ntbkit.storage.idempotency import run_idempotent


@dataclass(frozen=True)
class PostDemand:
    request_id: str
    buyer_id: str
    title: str
    description: str
    industry_code: str
    skills: tuple[str, ...]
    hours: Decimal
    window: Window
    max_price_units: int
    region: str
    remote_ok: bool
    min_experience_years: int


async def post_demand(new_unit: NewUnit, command: PostDemand, caller: Caller) -> PostedDemand:
    caller.require_may_act_for(command.buyer_id)

    async def perform(unit: MatchingUnitOfWork) -> str:
        buyer = await unit.persons.get(command.buyer_id)
        if buyer is None:
            raise NotFound("buyer", command.buyer_id)
        if buyer.kyc_status != "VERIFIED":
            raise FailedPrecondition("KYC_NOT_VERIFIED", "the buyer's KYC is not verified")
        demand = Demand(
            demand_id=str(uuid.uuid4()), buyer_id=command.buyer_id,
            industry_code=command.industry_code, skills=frozenset(command.skills),
            hours=command.hours, window=command.window, max_hourly_price=command.max_price_units,
            location=Location(frozenset({command.region}), remote_ok=command.remote_ok),
            min_experience_years=command.min_experience_years)
        await unit.demands.add(PostedDemand(demand, command.title, command.description,
                                            command.region, "OPEN", datetime.now(UTC)))
        return demand.demand_id

    demand_id = await run_idempotent(
        new_unit, operation="PostDemand", request_id=command.request_id, command=command,
        perform=perform, encode=str.encode, decode=bytes.decode)
    return await get_demand(new_unit, demand_id, caller)


async def get_demand(new_unit: NewUnit, demand_id: str, caller: Caller) -> PostedDemand:
    async with new_unit() as unit:
        found = await unit.demands.get(demand_id)
    if found is None:
        raise NotFound("demand", demand_id)
    caller.require_access_to(found.demand.buyer_id)
    return found


@dataclass(frozen=True)
class PricedCandidate:
    """A candidate and the price proposed: the worker's asking price (their entrustment's
    minimum), which the hard constraints keep at or below the demand's maximum."""

    candidate: Candidate
    hourly_price_fen: int


def _open_part(posted: PostedDemand) -> Demand:
    """What is still to be matched: the demand with its open hours."""
    return dataclasses.replace(posted.demand, hours=posted.open_hours)


def _priced(found: Sequence[Candidate], workers: Sequence[Worker]) -> list[PricedCandidate]:
    prices = {w.entrustment_id: w.min_hourly_price for w in workers}
    return [PricedCandidate(c, prices[c.entrustment_id]) for c in found]


async def candidates(
    new_unit: NewUnit, demand_id: str, k: int, caller: Caller, weights: ScoringWeights
) -> list[PricedCandidate]:
    posted = await get_demand(new_unit, demand_id, caller)
    if posted.status != "OPEN":
        raise FailedPrecondition("DEMAND_NOT_OPEN", f"the demand is {posted.status}")
    async with new_unit() as unit:
        workers = await unit.demands.workers()
    return _priced(propose_candidates(_open_part(posted), workers, k, weights), workers)


@dataclass(frozen=True)
class MatchDemands:
    request_id: str
    demand_ids: tuple[str, ...]
    create_orders: bool
    min_score: Decimal


@dataclass(frozen=True)
class BatchMatch:
    assignments: tuple[tuple[PricedCandidate, str], ...]  # (choice, order id or "")
    unassigned_demand_ids: tuple[str, ...]
    objective: Decimal  # sum of hours x total score


async def match_demands(
    new_unit: NewUnit, command: MatchDemands, caller: Caller, weights: ScoringWeights
) -> BatchMatch:
    """The batch assignment of maximum total score (no greedy), optionally as orders -
    all of them or none, in one transaction."""

    async def perform(unit: MatchingUnitOfWork) -> BatchMatch:
        batch = []
        for demand_id in command.demand_ids:
            posted = await unit.demands.get(demand_id, for_update=command.create_orders)
            if posted is None:
                raise NotFound("demand", demand_id)
            if command.create_orders:
                caller.require_may_act_for(posted.demand.buyer_id)
            else:
                caller.require_access_to(posted.demand.buyer_id)
            if posted.status != "OPEN":
                raise FailedPrecondition("DEMAND_NOT_OPEN", f"demand {demand_id} is "
                                         f"{posted.status}", {"demand_id": demand_id})
            batch.append(_open_part(posted))
        workers = await unit.demands.workers()
        found = match_batch(batch, workers, min_score=float(command.min_score),
                            weights=weights)
        chosen = []
        for priced in _priced(found.assignments, workers):
            order_id = ""
            if command.create_orders:
                c = priced.candidate
                order_id = derived_order_id(command.request_id, c.demand_id)
                await orders.create_order_in(unit, orders.CreateOrder(
                    command.request_id, c.demand_id, c.entrustment_id, c.hours,
                    priced.hourly_price_fen), caller, order_id)
            chosen.append((priced, order_id))
        objective = sum((c.candidate.hours * Decimal(repr(c.candidate.score.total))
                         for c, _ in chosen), Decimal(0))
        return BatchMatch(tuple(chosen), found.unassigned_demand_ids,
                          objective.quantize(Decimal("0.000001")))

    return await run_idempotent(
        new_unit, operation="MatchDemands", request_id=command.request_id, command=command,
        perform=perform, encode=_encode_match, decode=_decode_match)


def _encode_match(found: BatchMatch) -> bytes:
    rows = [{"candidate": {**dataclasses.asdict(p.candidate), "hours": str(p.candidate.hours)},
             "price": p.hourly_price_fen, "order_id": order_id}
            for p, order_id in found.assignments]
    return json.dumps({"assignments": rows, "unassigned": list(found.unassigned_demand_ids),
                       "objective": str(found.objective)}).encode()


def _decode_match(stored: bytes) -> BatchMatch:
    body = json.loads(stored)
    chosen = []
    for row in body["assignments"]:
        c = row["candidate"]
        candidate = Candidate(c["demand_id"], c["entrustment_id"], c["person_id"],
                              Decimal(c["hours"]), ScoreBreakdown(**c["score"]), c["rank"])
        chosen.append((PricedCandidate(candidate, row["price"]), row["order_id"]))
    return BatchMatch(tuple(chosen), tuple(body["unassigned"]), Decimal(body["objective"]))


def derived_order_id(request_id: str, demand_id: str) -> str:
    return str(uuid.uuid5(uuid.UUID(request_id), f"order/{demand_id}"))


@dataclass(frozen=True)
class CancelDemand:
    request_id: str
    demand_id: str
    reason: str


async def cancel_demand(new_unit: NewUnit, command: CancelDemand, caller: Caller
                        ) -> PostedDemand:
    """Open hours stop being matched; orders already formed go on."""

    async def perform(unit: MatchingUnitOfWork) -> str:
        posted = await unit.demands.get(command.demand_id, for_update=True)
        if posted is None:
            raise NotFound("demand", command.demand_id)
        caller.require_may_act_for(posted.demand.buyer_id)
        if posted.status != "OPEN":
            raise FailedPrecondition("DEMAND_NOT_OPEN", f"the demand is {posted.status}")
        await unit.demands.set_status(command.demand_id, "CANCELLED")
        return command.demand_id

    demand_id = await run_idempotent(
        new_unit, operation="CancelDemand", request_id=command.request_id, command=command,
        perform=perform, encode=str.encode, decode=bytes.decode)
    return await get_demand(new_unit, demand_id, caller)


async def list_demands(new_unit: NewUnit, caller: Caller, *, buyer_id: str, status: str,
                       skills: list[str], offset: int, size: int) -> list[PostedDemand]:
    """A buyer lists their own; operators and auditors anyone's."""
    if not caller.privileged:
        if not buyer_id:
            buyer_id = caller.subject
        caller.require_access_to(buyer_id)
    async with new_unit() as unit:
        return await unit.demands.search(buyer_id=buyer_id, status=status, skills=skills,
                                         offset=offset, size=size)
