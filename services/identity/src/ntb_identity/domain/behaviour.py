"""A person's behaviour record (from events) and the decayed features it yields."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from ntb_identity.domain.numbers import CONTEXT, rounded

SECONDS_PER_DAY = 86_400


class Conduct(enum.Enum):
    ORDER_COMPLETED = "ORDER_COMPLETED"
    ORDER_CANCELLED = "ORDER_CANCELLED"
    ORDER_DISPUTED = "ORDER_DISPUTED"
    DISPUTE_LOST = "DISPUTE_LOST"
    LOAN_REPAID = "LOAN_REPAID"
    LOAN_DEFAULTED = "LOAN_DEFAULTED"


@dataclass(frozen=True)
class BehaviourRecord:
    record_id: str  # the event id that reported it
    principal_id: str
    conduct: Conduct
    occurred_at: datetime
    late: bool = False
    rating: int = 0  # 1..5 from the buyer; 0 = none


def _weight(age_days: Decimal, half_life_days: Decimal) -> Decimal:
    """Exponential decay: behaviour half_life_days old counts half."""
    exponent = CONTEXT.divide(max(age_days, Decimal(0)), half_life_days)
    return CONTEXT.power(Decimal("0.5"), exponent)


def decayed_features(
    records: Sequence[BehaviourRecord], *, as_of: datetime, registered_at: datetime,
    half_life_days: Decimal,
) -> dict[str, Decimal | None]:
    """Feature values at `as_of` from every record up to then; rates are None without orders."""
    sums = {conduct: Decimal(0) for conduct in Conduct}
    on_time = Decimal(0)
    for record in records:
        if record.occurred_at > as_of:
            continue
        seconds = Decimal(int((as_of - record.occurred_at).total_seconds()))
        weight = _weight(CONTEXT.divide(seconds, Decimal(SECONDS_PER_DAY)), half_life_days)
        sums[record.conduct] = CONTEXT.add(sums[record.conduct], weight)
        if record.conduct is Conduct.ORDER_COMPLETED and not record.late:
            on_time = CONTEXT.add(on_time, weight)
    completed = sums[Conduct.ORDER_COMPLETED]
    ended = CONTEXT.add(completed, sums[Conduct.ORDER_CANCELLED])
    account_days = max(0, (as_of - registered_at).days)
    return {
        "completion_rate": rounded(CONTEXT.divide(completed, ended)) if ended > 0 else None,
        "on_time_rate": rounded(CONTEXT.divide(on_time, completed)) if completed > 0 else None,
        "disputes": rounded(sums[Conduct.ORDER_DISPUTED]),
        "disputes_lost": rounded(sums[Conduct.DISPUTE_LOST]),
        "orders_completed": rounded(completed),
        "loans_repaid": rounded(sums[Conduct.LOAN_REPAID]),
        "loans_defaulted": rounded(sums[Conduct.LOAN_DEFAULTED]),
        "account_age_days": Decimal(account_days),
    }


def rating_summary(records: Sequence[BehaviourRecord], as_of: datetime) -> tuple[int, Decimal]:
    """Count and mean (2 places) of the ratings received up to as_of; (0, 0) without any."""
    ratings = [r.rating for r in records
               if r.conduct is Conduct.ORDER_COMPLETED and r.rating > 0 and r.occurred_at <= as_of]
    if not ratings:
        return 0, Decimal(0)
    mean = CONTEXT.divide(Decimal(sum(ratings)), Decimal(len(ratings)))
    return len(ratings), rounded(mean, Decimal("0.01"))
