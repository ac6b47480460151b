"""Demands and candidates (paper 3.3 step 2): buyers post needs; the engine ranks the
entrusted labor on the market for them, with every score broken down."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from ntb_matching.domain.demand import PostedDemand
from ntb_matching.domain.model import Demand, Location, ScoringWeights, Window
from ntb_matching.domain.scoring import Candidate, propose_candidates
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


async def candidates(
    new_unit: NewUnit, demand_id: str, k: int, caller: Caller, weights: ScoringWeights
) -> tuple[Candidate, ...]:
    posted = await get_demand(new_unit, demand_id, caller)
    if posted.status != "OPEN":
        raise FailedPrecondition("DEMAND_NOT_OPEN", f"the demand is {posted.status}")
    async with new_unit() as unit:
        workers = await unit.demands.workers()
    return propose_candidates(posted.demand, workers, k, weights)
