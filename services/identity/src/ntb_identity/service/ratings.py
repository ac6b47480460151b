"""An enterprise's current rating, and the event when a change of its profile moves it."""

from __future__ import annotations

from datetime import datetime

from ntb_identity.adapters import model_files
from ntb_identity.domain import behaviour, enterprise_rating
from ntb_identity.domain.events import EnterpriseRatingChanged
from ntb_identity.domain.model import Principal
from ntb_identity.service.unit_of_work import IdentityUnitOfWork


async def current_rating(unit: IdentityUnitOfWork, principal: Principal,
                         now: datetime) -> enterprise_rating.EnterpriseRating:
    assert principal.enterprise is not None
    card = model_files.current_scorecard()
    records = await unit.behaviour.of(principal.principal_id)
    features = behaviour.decayed_features(
        records, as_of=now, registered_at=principal.created_at,
        half_life_days=card.half_life_days)
    defaulted = features["loans_defaulted"]
    assert defaulted is not None
    return enterprise_rating.rate(principal.enterprise.financials, defaulted, card)


async def record_if_changed(
    unit: IdentityUnitOfWork, principal: Principal, previous: str | None, now: datetime
) -> None:
    """Emit EnterpriseRatingChanged when the rating differs from `previous` (None = new)."""
    rating = await current_rating(unit, principal, now)
    if rating.rating != previous:
        unit.record(EnterpriseRatingChanged(principal.principal_id, rating.rating, previous,
                                            rating.score, now))
