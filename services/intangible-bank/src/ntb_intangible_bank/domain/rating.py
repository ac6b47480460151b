"""Asset rating AAA..C: a weighted score over legal status, remaining life,
valuation spread, history and the holders' credit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, localcontext

from ntb_intangible_bank.domain.assets import LegalStatus
from ntb_intangible_bank.domain.valuation import CONTEXT

MODEL_VERSION = 1
WEIGHTS = {"legal_status": Decimal("0.25"), "remaining_life": Decimal("0.20"),
           "valuation_spread": Decimal("0.20"), "history": Decimal("0.15"),
           "holder_credit": Decimal("0.20")}
_STATUS_POINTS = {LegalStatus.IN_FORCE: 100, LegalStatus.PENDING: 60,
                  LegalStatus.CONTESTED: 30, LegalStatus.LAPSED: 10,
                  LegalStatus.EXPIRED: 0, LegalStatus.INVALIDATED: 0}
# Lowest score of each grade, best first.
_GRADES = ((90, "AAA"), (80, "AA"), (70, "A"), (60, "BBB"), (50, "BB"), (40, "B"),
           (30, "CCC"), (20, "CC"), (0, "C"))
CREDIT_SCORE_MIN, CREDIT_SCORE_MAX = 350, 950


@dataclass(frozen=True)
class RatingInputs:
    legal_status: LegalStatus
    remaining_life_days: int | None
    valuation_spread: Decimal | None
    adverse_events: int  # lapses, invalidations, contests, loan defaults
    holder_credit_scores: tuple[int, ...]  # known scores of the holders


@dataclass(frozen=True)
class Factor:
    name: str
    value: str
    points: int
    weight: Decimal


@dataclass(frozen=True)
class AssetRating:
    asset_id: str
    rating: str
    score: Decimal
    factors: tuple[Factor, ...]
    valuation_id: str
    rated_at: datetime
    model_version: int = MODEL_VERSION


def _life_points(days: int | None) -> int:
    if days is None:
        return 100
    years = days / 365
    return 100 if years >= 10 else 75 if years >= 5 else 50 if years >= 2 else (
        25 if days > 0 else 0)


def _spread_points(spread: Decimal | None) -> int:
    if spread is None:
        return 0
    return (100 if spread <= Decimal("0.2") else 70 if spread <= Decimal("0.5")
            else 40 if spread <= 1 else 10)


def _credit_points(scores: tuple[int, ...]) -> int:
    if not scores:
        return 50
    average = sum(scores) / len(scores)
    return max(0, min(100, round((average - CREDIT_SCORE_MIN) * 100
                                 / (CREDIT_SCORE_MAX - CREDIT_SCORE_MIN))))


def grade(score: Decimal) -> str:
    return next(name for floor, name in _GRADES if score >= floor)


def rate(asset_id: str, inputs: RatingInputs, *, valuation_id: str, at: datetime
         ) -> AssetRating:
    factors = (
        Factor("legal_status", inputs.legal_status.value,
               _STATUS_POINTS[inputs.legal_status], WEIGHTS["legal_status"]),
        Factor("remaining_life", "none" if inputs.remaining_life_days is None
               else f"{inputs.remaining_life_days} days",
               _life_points(inputs.remaining_life_days), WEIGHTS["remaining_life"]),
        Factor("valuation_spread", "not valued" if inputs.valuation_spread is None
               else str(inputs.valuation_spread), _spread_points(inputs.valuation_spread),
               WEIGHTS["valuation_spread"]),
        Factor("history", f"{inputs.adverse_events} adverse events",
               max(0, 100 - 25 * inputs.adverse_events), WEIGHTS["history"]),
        Factor("holder_credit", ",".join(map(str, inputs.holder_credit_scores)) or "unknown",
               _credit_points(inputs.holder_credit_scores), WEIGHTS["holder_credit"]),
    )
    with localcontext(CONTEXT):
        score = sum((f.weight * f.points for f in factors), Decimal(0)).quantize(
            Decimal("0.01"))
    assert Decimal(0) <= score <= Decimal(100)
    return AssetRating(asset_id, grade(score), score, factors, valuation_id, at)
