"""Reading the waves, explaining points, the enterprise rating and pay bands."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from ntb_identity.adapters import model_files
from ntb_identity.domain import enterprise_rating, pay_band
from ntb_identity.domain.commands import PayBandQuery
from ntb_identity.domain.errors import PrincipalNotFound, WaveNotFound, WrongPrincipalKind
from ntb_identity.domain.value_model import ValueSubject, hourly_value_fen, value_inputs
from ntb_identity.domain.waves import CreditPoint, ValuePoint
from ntb_identity.service import ratings
from ntb_identity.service.unit_of_work import NewUnit
from ntbkit.auth import Caller

ROLE_BANK, ROLE_SERVICE = "bank", "service"

EXPERIENCE_WINDOW_YEARS = 3


@dataclass(frozen=True)
class WaveQuery:
    principal_id: str
    start: datetime | None
    end: datetime | None
    after_sequence: int
    page_size: int


async def value_wave(
    new_unit: NewUnit, query: WaveQuery, caller: Caller
) -> tuple[list[ValuePoint], bool, ValuePoint]:
    caller.require_access_to(query.principal_id)
    async with new_unit() as unit:
        points = await unit.waves.value_points(
            query.principal_id, start=query.start, end=query.end,
            after_sequence=query.after_sequence, limit=query.page_size + 1)
        current = await unit.waves.value_at(query.principal_id, None)
    if not current:
        raise WaveNotFound("value wave", query.principal_id)
    return points[: query.page_size], len(points) > query.page_size, current[0]


async def credit_wave(
    new_unit: NewUnit, query: WaveQuery, caller: Caller
) -> tuple[list[CreditPoint], bool, CreditPoint]:
    caller.require_access_to(query.principal_id)
    async with new_unit() as unit:
        points = await unit.waves.credit_points(
            query.principal_id, start=query.start, end=query.end,
            after_sequence=query.after_sequence, limit=query.page_size + 1)
        current = await unit.waves.credit_at(query.principal_id, None)
    if not current:
        raise WaveNotFound("credit wave", query.principal_id)
    return points[: query.page_size], len(points) > query.page_size, current[0]


async def value_at(
    new_unit: NewUnit, principal_id: str, at: datetime | None, caller: Caller
) -> tuple[ValuePoint, ValuePoint | None]:
    caller.require_access_to(principal_id)
    async with new_unit() as unit:
        points = await unit.waves.value_at(principal_id, at)
    if not points:
        raise WaveNotFound("value point", principal_id)
    return points[0], points[1] if len(points) > 1 else None


async def credit_at(
    new_unit: NewUnit, principal_id: str, at: datetime | None, caller: Caller
) -> tuple[CreditPoint, CreditPoint | None]:
    caller.require_access_to(principal_id)
    async with new_unit() as unit:
        points = await unit.waves.credit_at(principal_id, at)
    if not points:
        raise WaveNotFound("credit point", principal_id)
    return points[0], points[1] if len(points) > 1 else None


async def rate_enterprise(
    new_unit: NewUnit, principal_id: str, caller: Caller
) -> enterprise_rating.EnterpriseRating:
    """The enterprise itself, operators and auditors, and the banks and services that
    price with it (roles bank, service)."""
    if caller.subject != principal_id and not caller.privileged:
        caller.require_role(ROLE_BANK, ROLE_SERVICE)
    async with new_unit() as unit:
        principal = await unit.principals.get(principal_id)
        if principal is None:
            raise PrincipalNotFound(principal_id)
        if principal.enterprise is None:
            raise WrongPrincipalKind(principal_id, "ENTERPRISE or FINANCIAL_INSTITUTION")
        return await ratings.current_rating(unit, principal, datetime.now(UTC))


async def recommend_pay_band(
    new_unit: NewUnit, query: PayBandQuery, caller: Caller
) -> tuple[pay_band.PayBand, int]:
    """Any authenticated caller: comparable persons' current values (no one's identity)."""
    async with new_unit() as unit:
        persons = await unit.principals.persons_like(query.industry_code, query.region)
        comparable = [
            p.principal_id for p in persons
            if p.person is not None
            and abs(p.person.experience_years - query.experience_years)
            <= EXPERIENCE_WINDOW_YEARS
            and set(query.skills) <= set(p.person.skills)
        ]
        values = await unit.waves.current_values(comparable)
    model = model_files.current_value_model()
    typical = ValueSubject(
        region=query.region, industry_code=query.industry_code,
        age_years=22 + query.experience_years, experience_years=query.experience_years,
        education="", ratings_count=0, rating_average=Decimal(0),
    )
    model_value = hourly_value_fen(value_inputs(model, typical))
    band = pay_band.band_from_sample([v.hourly_value_fen for v in values], model_value)
    return band, model.version
