"""The personal credit wave's scorecard: WoE-binned behavioural features, scaled by
points-to-double-odds (PDO).

Sign convention (pinned by tests): WoE = ln(share of goods in a bin / share of bads
in it), odds are good:bad, and a higher score means lower risk. So a positive WoE
earns points, and doubling the odds adds `pdo` points:
    factor = pdo / ln 2,  offset = target_score - factor x ln(target_odds)
    base_points = offset + factor x intercept
    points(feature) = factor x coefficient x WoE(bin of the feature's value)
    score = clamp(base_points + sum(points), score_min, score_max)
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ntb_identity.domain.numbers import CONTEXT, to_int


@dataclass(frozen=True)
class Bin:
    lower: Decimal
    upper: Decimal | None  # exclusive; None = no upper bound
    woe: Decimal

    def holds(self, value: Decimal) -> bool:
        return value >= self.lower and (self.upper is None or value < self.upper)

    @property
    def label(self) -> str:
        return f"[{self.lower}, {'inf' if self.upper is None else self.upper})"


@dataclass(frozen=True)
class Feature:
    name: str
    coefficient: Decimal
    reason: str
    description: str
    missing_woe: Decimal
    bins: tuple[Bin, ...]
    missing_reason: str = ""  # reason code when the value is missing; default `reason`

    def bin_of(self, value: Decimal | None) -> tuple[str, Decimal]:
        if value is None:
            return "missing", self.missing_woe
        for candidate in self.bins:
            if candidate.holds(value):
                return candidate.label, candidate.woe
        return self.bins[-1].label, self.bins[-1].woe


@dataclass(frozen=True)
class Scorecard:
    version: int
    pdo: Decimal
    target_score: Decimal
    target_odds: Decimal
    intercept: Decimal
    half_life_days: Decimal
    score_min: int
    score_max: int
    features: tuple[Feature, ...]

    def __post_init__(self) -> None:
        assert self.version >= 1 and self.pdo > 0 and self.target_odds > 0
        assert self.score_min < self.score_max and self.half_life_days > 0

    @property
    def factor(self) -> Decimal:
        return CONTEXT.divide(self.pdo, CONTEXT.ln(Decimal(2)))

    @property
    def base_points(self) -> int:
        offset = CONTEXT.subtract(
            self.target_score, CONTEXT.multiply(self.factor, CONTEXT.ln(self.target_odds))
        )
        return to_int(CONTEXT.add(offset, CONTEXT.multiply(self.factor, self.intercept)))

    def points(self, feature: Feature, woe: Decimal) -> int:
        return to_int(CONTEXT.multiply(self.factor, CONTEXT.multiply(feature.coefficient, woe)))

    def best_points(self, feature: Feature) -> int:
        return max(self.points(feature, b.woe) for b in feature.bins)


@dataclass(frozen=True)
class Attribute:
    feature: str
    value: str
    bin: str
    points: int
    points_lost: int  # below the feature's best bin: what the reason codes rank by


@dataclass(frozen=True)
class Reason:
    code: str
    description: str


@dataclass(frozen=True)
class Score:
    score: int
    base_points: int
    attributes: tuple[Attribute, ...]
    reasons: tuple[Reason, ...]
    scorecard_version: int


REASONS_MAX = 4


def score(card: Scorecard, features: dict[str, Decimal | None]) -> Score:
    """The score of stored feature values: a pure function (reproducible)."""
    attributes = []
    for feature in card.features:
        value = features.get(feature.name)
        label, woe = feature.bin_of(value)
        points = card.points(feature, woe)
        attributes.append(Attribute(
            feature=feature.name, value="" if value is None else str(value), bin=label,
            points=points, points_lost=max(0, card.best_points(feature) - points),
        ))
    total = card.base_points + sum(a.points for a in attributes)
    clamped = min(card.score_max, max(card.score_min, total))
    by_name = {f.name: f for f in card.features}
    costly = sorted((a for a in attributes if a.points_lost > 0),
                    key=lambda a: (-a.points_lost, a.feature))
    reasons: list[Reason] = []
    for a in costly:
        feature = by_name[a.feature]
        code = (feature.missing_reason or feature.reason) if not a.value else feature.reason
        if code in (r.code for r in reasons):
            continue
        reasons.append(Reason(code, f"{feature.description}: {a.value or 'none'} "
                                    f"(bin {a.bin}) costs {a.points_lost} points"))
    assert card.score_min <= clamped <= card.score_max
    return Score(clamped, card.base_points, tuple(attributes), tuple(reasons[:REASONS_MAX]),
                 card.version)
