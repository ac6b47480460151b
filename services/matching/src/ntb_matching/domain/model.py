"""What the matching engine matches: workers (entrusted labor), demands, and scoring weights.

Stdlib only. Prices are integers in the smallest unit of the market's price asset
(the proto prices in CNY fen; the engine only needs both sides in the same asset).
Hours are ``Decimal`` (the proto allows 2 decimal places). Times are aware datetimes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

CREDIT_SCORE_MIN = 350
CREDIT_SCORE_MAX = 950
HOURS_MAX = Decimal(8784)
EXPERIENCE_YEARS_MAX = 80
_INDUSTRY_CODE = re.compile(r"[A-Z][0-9]{0,4}")

# Order of the features everywhere: breakdowns, weights and the proto's ScoreBreakdown
# (which has the first five; `credit` is the sixth).
FEATURES: tuple[str, ...] = (
    "industry_fit",
    "experience",
    "skill_overlap",
    "price",
    "availability",
    "credit",
)


@dataclass(frozen=True, slots=True)
class Window:
    """A time range [start, end) with both ends set."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("window times must be timezone-aware")
        if self.end <= self.start:
            raise ValueError("window end must be after its start")

    @property
    def seconds(self) -> float:
        return (self.end - self.start).total_seconds()

    def overlap_seconds(self, other: Window) -> float:
        start = max(self.start, other.start)
        end = min(self.end, other.end)
        return max(0.0, (end - start).total_seconds())


@dataclass(frozen=True, slots=True)
class Location:
    """Where a demand's work may happen: on site in one of `regions`, and/or remote."""

    regions: frozenset[str] = frozenset()
    remote_ok: bool = False

    def __post_init__(self) -> None:
        if not self.regions and not self.remote_ok:
            raise ValueError("a location needs at least one region or remote_ok")

    @classmethod
    def remote(cls) -> Location:
        return cls(frozenset(), remote_ok=True)

    @classmethod
    def on_site(cls, *regions: str, remote_ok: bool = False) -> Location:
        return cls(frozenset(regions), remote_ok=remote_ok)

    def admits(self, *, region: str, worker_remote_ok: bool) -> bool:
        return region in self.regions or (self.remote_ok and worker_remote_ok)


def _check_tags(tags: frozenset[str], what: str, *, allow_empty: bool) -> None:
    if not allow_empty and not tags:
        raise ValueError(f"{what} must not be empty")
    if any(not tag for tag in tags):
        raise ValueError(f"{what} must not contain empty tags")


def _check_hours(hours: Decimal, what: str) -> None:
    if not (hours.is_finite() and Decimal(0) < hours <= HOURS_MAX):
        raise ValueError(f"{what} must be in (0, {HOURS_MAX}]")


def industry_section(code: str) -> str:
    """The ISIC Rev. 4 section letter of an industry code ("C26" -> "C")."""
    return code[:1]


def _check_industry_code(code: str) -> None:
    if _INDUSTRY_CODE.fullmatch(code) is None:
        raise ValueError(f"industry code {code!r} is not an ISIC section letter plus digits")


@dataclass(frozen=True, slots=True)
class Worker:
    """One person's active entrustment: hours on offer and what the person brings.

    The unit of assignment is the entrustment: each is given at most one demand per batch.
    """

    entrustment_id: str
    person_id: str
    industry_code: str
    region: str
    remote_ok: bool
    experience_years: int
    skills: frozenset[str]
    advantages: frozenset[str]
    available_hours: Decimal
    availability: Window
    min_hourly_price: int
    credit_score: int

    def __post_init__(self) -> None:
        if not self.entrustment_id or not self.person_id:
            raise ValueError("a worker needs an entrustment id and a person id")
        _check_industry_code(self.industry_code)
        if not 0 <= self.experience_years <= EXPERIENCE_YEARS_MAX:
            raise ValueError(f"experience_years must be in 0..{EXPERIENCE_YEARS_MAX}")
        _check_tags(self.skills, "skills", allow_empty=False)
        _check_tags(self.advantages, "advantages", allow_empty=True)
        _check_hours(self.available_hours, "available_hours")
        if self.min_hourly_price <= 0:
            raise ValueError("min_hourly_price must be > 0")
        if not CREDIT_SCORE_MIN <= self.credit_score <= CREDIT_SCORE_MAX:
            raise ValueError(f"credit_score must be in {CREDIT_SCORE_MIN}..{CREDIT_SCORE_MAX}")


@dataclass(frozen=True, slots=True)
class Demand:
    """What a buyer needs: skills, hours inside a window, a price ceiling, a place."""

    demand_id: str
    buyer_id: str
    industry_code: str
    skills: frozenset[str]
    hours: Decimal
    window: Window
    max_hourly_price: int
    location: Location
    min_experience_years: int = 0

    def __post_init__(self) -> None:
        if not self.demand_id or not self.buyer_id:
            raise ValueError("a demand needs a demand id and a buyer id")
        _check_industry_code(self.industry_code)
        _check_tags(self.skills, "skills", allow_empty=False)
        _check_hours(self.hours, "hours")
        if self.max_hourly_price <= 0:
            raise ValueError("max_hourly_price must be > 0")
        if not 0 <= self.min_experience_years <= EXPERIENCE_YEARS_MAX:
            raise ValueError(f"min_experience_years must be in 0..{EXPERIENCE_YEARS_MAX}")


@dataclass(frozen=True, slots=True)
class ScoringWeights:
    """Weights of the features, decimal, summing to exactly 1; versioned data."""

    version: str
    weights: Mapping[str, Decimal] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.version:
            raise ValueError("weights need a version")
        if set(self.weights) != set(FEATURES):
            raise ValueError(f"weights must name exactly the features {FEATURES}")
        if any(not w.is_finite() or w < 0 for w in self.weights.values()):
            raise ValueError("weights must be finite and >= 0")
        if sum(self.weights.values(), Decimal(0)) != Decimal(1):
            raise ValueError("weights must sum to exactly 1")

    @classmethod
    def from_mapping(cls, data: Mapping[str, object]) -> ScoringWeights:
        """From the JSON shape {"version": str, "weights": {feature: "decimal"}}."""
        version = data.get("version")
        raw = data.get("weights")
        if not isinstance(version, str) or not isinstance(raw, Mapping):
            raise ValueError("weights data needs a string version and a weights object")
        if any(not isinstance(value, str) for value in raw.values()):
            raise ValueError("each weight is a decimal string")
        return cls(version, {str(name): Decimal(str(value)) for name, value in raw.items()})

    def ordered(self) -> tuple[float, ...]:
        """The weights as floats in FEATURES order (scores are floats; money never)."""
        return tuple(float(self.weights[name]) for name in FEATURES)
