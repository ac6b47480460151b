"""Recomputing a person's value and credit waves (inside the caller's unit of work)."""

from __future__ import annotations

from datetime import datetime

from ntb_identity.adapters import model_files
from ntb_identity.domain import behaviour, scorecard
from ntb_identity.domain.events import CreditUpdated, ValueUpdated
from ntb_identity.domain.model import Principal
from ntb_identity.domain.value_model import ValueSubject, hourly_value_fen, value_inputs
from ntb_identity.domain.waves import CreditPoint, ValuePoint, WaveCause
from ntb_identity.service.unit_of_work import IdentityUnitOfWork


def age_years(birth_year: int, at: datetime) -> int:
    return max(0, at.year - birth_year)


async def recompute_value(
    unit: IdentityUnitOfWork, principal: Principal, *, cause: WaveCause, cause_ref: str,
    now: datetime,
) -> ValuePoint:
    person = principal.person
    assert person is not None, "only persons have a value wave"
    records = await unit.behaviour.of(principal.principal_id)
    ratings_count, rating_average = behaviour.rating_summary(records, now)
    subject = ValueSubject(
        region=principal.region, industry_code=principal.industry_code,
        age_years=age_years(person.birth_year, now), experience_years=person.experience_years,
        education=person.education, ratings_count=ratings_count, rating_average=rating_average,
    )
    inputs = value_inputs(model_files.current_value_model(), subject)
    latest = await unit.waves.value_at(principal.principal_id, None)
    previous = latest[0] if latest else None
    point = ValuePoint(
        principal_id=principal.principal_id,
        sequence=1 if previous is None else previous.sequence + 1,
        hourly_value_fen=hourly_value_fen(inputs), effective_at=now, inputs=inputs,
        cause=cause, cause_ref=cause_ref,
    )
    await unit.waves.add_value(point)
    unit.record(ValueUpdated(point, None if previous is None else previous.hourly_value_fen))
    return point


async def recompute_credit(
    unit: IdentityUnitOfWork, principal: Principal, *, cause: WaveCause, cause_ref: str,
    now: datetime,
) -> CreditPoint:
    card = model_files.current_scorecard()
    records = await unit.behaviour.of(principal.principal_id)
    features = behaviour.decayed_features(
        records, as_of=now, registered_at=principal.created_at,
        half_life_days=card.half_life_days,
    )
    result = scorecard.score(card, features)
    latest = await unit.waves.credit_at(principal.principal_id, None)
    previous = latest[0] if latest else None
    point = CreditPoint(
        principal_id=principal.principal_id,
        sequence=1 if previous is None else previous.sequence + 1,
        score=result.score, effective_at=now, scorecard_version=card.version,
        features=features, base_points=result.base_points, attributes=result.attributes,
        reasons=result.reasons, cause=cause, cause_ref=cause_ref,
    )
    await unit.waves.add_credit(point)
    unit.record(CreditUpdated(point, None if previous is None else previous.score))
    return point
