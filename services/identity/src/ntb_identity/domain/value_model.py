"""The personal value wave's model: P = base(region, industry) x f(age, experience) x g(quality).

Pure: the model's tables arrive as data (adapters load the versioned files), and
`compute_value` is a function of its inputs only, so a stored point can be recomputed.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ntb_identity.domain.numbers import CONTEXT, interpolate, rounded, to_int

Curve = tuple[tuple[Decimal, Decimal], ...]


@dataclass(frozen=True)
class ValueModel:
    version: int
    national_hourly_value_fen: int
    region_factors: dict[str, Decimal]
    industry_factors: dict[str, Decimal]
    base_rates_fen: dict[tuple[str, str], int]
    age_curve: Curve
    experience_curve: Curve
    quality_curve: Curve
    quality_min_ratings: int
    sources: tuple[str, ...] = ()
    note: str = ""

    def __post_init__(self) -> None:
        assert self.version >= 1 and self.national_hourly_value_fen > 0
        assert "*" in self.region_factors and "*" in self.industry_factors
        for curve in (self.age_curve, self.experience_curve, self.quality_curve):
            assert len(curve) >= 2
            assert all(a[0] < b[0] for a, b in zip(curve, curve[1:], strict=False))
            assert all(factor > 0 for _, factor in curve)

    def region_factor(self, region: str) -> Decimal:
        return self.region_factors.get(region, self.region_factors["*"])

    def industry_factor(self, industry_code: str) -> Decimal:
        for length in range(len(industry_code), 0, -1):
            factor = self.industry_factors.get(industry_code[:length])
            if factor is not None:
                return factor
        return self.industry_factors["*"]


@dataclass(frozen=True)
class ValueSubject:
    """What the model reads about a person at one moment."""

    region: str
    industry_code: str
    age_years: int
    experience_years: int
    education: str
    ratings_count: int
    rating_average: Decimal


@dataclass(frozen=True)
class ValueInputs:
    """Everything that produced one value point (stored with the point)."""

    region: str
    industry_code: str
    base_hourly_value_fen: int
    region_factor: Decimal
    industry_factor: Decimal
    age_years: int
    experience_years: int
    age_factor: Decimal
    experience_factor: Decimal
    quality_factor: Decimal
    rating_average: Decimal
    ratings_count: int
    value_model_version: int
    education: str


def value_inputs(model: ValueModel, subject: ValueSubject) -> ValueInputs:
    region_factor = model.region_factor(subject.region)
    industry_factor = model.industry_factor(subject.industry_code)
    base = model.base_rates_fen.get((subject.region, subject.industry_code))
    if base is None:
        product = CONTEXT.multiply(
            CONTEXT.multiply(Decimal(model.national_hourly_value_fen), region_factor),
            industry_factor,
        )
        base = to_int(product)
    quality = Decimal(1)
    if subject.ratings_count >= model.quality_min_ratings and subject.ratings_count > 0:
        quality = rounded(interpolate(model.quality_curve, subject.rating_average))
    return ValueInputs(
        region=subject.region, industry_code=subject.industry_code,
        base_hourly_value_fen=base, region_factor=region_factor,
        industry_factor=industry_factor, age_years=subject.age_years,
        experience_years=subject.experience_years,
        age_factor=rounded(interpolate(model.age_curve, Decimal(subject.age_years))),
        experience_factor=rounded(
            interpolate(model.experience_curve, Decimal(subject.experience_years))
        ),
        quality_factor=quality, rating_average=subject.rating_average,
        ratings_count=subject.ratings_count, value_model_version=model.version,
        education=subject.education,
    )


def hourly_value_fen(inputs: ValueInputs) -> int:
    """P from stored inputs alone: the reproducibility contract of the wave."""
    value = Decimal(inputs.base_hourly_value_fen)
    for factor in (inputs.age_factor, inputs.experience_factor, inputs.quality_factor):
        value = CONTEXT.multiply(value, factor)
    result = to_int(value)
    assert result > 0
    return result
