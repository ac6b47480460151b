"""The value model computes P = base(region, industry) x f(age, experience) x g(quality)
from the packaged, versioned tables, and a point recomputed from its stored inputs gives
the same P. Pure functions, no I/O beyond reading the package data."""

from __future__ import annotations

from decimal import Decimal

from ntb_identity.adapters import model_files
from ntb_identity.domain.value_model import ValueSubject, hourly_value_fen, value_inputs


def subject(**overrides: object) -> ValueSubject:
    values: dict[str, object] = dict(
        region="CN-GD", industry_code="C26", age_years=35, experience_years=10,
        education="bachelor", ratings_count=0, rating_average=Decimal(0),
    )
    values.update(overrides)
    return ValueSubject(**values)  # type: ignore[arg-type]


def test_packaged_model_states_its_sources_and_version() -> None:
    model = model_files.value_model(1)
    assert model.version == 1
    assert any("National Bureau of Statistics" in source for source in model.sources)


def test_worked_example_gd_manufacturing_35_years_10_experience() -> None:
    # base = 6035 fen x 1.10 (CN-GD) x 0.86 (C) = 5709.11 -> 5709; f = 1.05 x 1.25
    inputs = value_inputs(model_files.value_model(1), subject())
    assert inputs.base_hourly_value_fen == 5709
    assert (inputs.age_factor, inputs.experience_factor) == (Decimal("1.05"), Decimal("1.25"))
    assert inputs.quality_factor == Decimal(1)
    assert hourly_value_fen(inputs) == 7493  # 5709 x 1.3125 = 7493.06 -> CNY 74.93/h


def test_region_industry_experience_and_quality_move_p_in_their_direction() -> None:
    model = model_files.value_model(1)
    p = hourly_value_fen(value_inputs(model, subject()))
    assert hourly_value_fen(value_inputs(model, subject(region="CN-BJ"))) > p
    assert hourly_value_fen(value_inputs(model, subject(industry_code="J62"))) > p
    assert hourly_value_fen(value_inputs(model, subject(experience_years=2))) < p
    good = subject(ratings_count=5, rating_average=Decimal("4.80"))
    poor = subject(ratings_count=5, rating_average=Decimal("2.00"))
    assert hourly_value_fen(value_inputs(model, good)) > p > hourly_value_fen(
        value_inputs(model, poor))


def test_too_few_ratings_leave_quality_at_one() -> None:
    few = subject(ratings_count=2, rating_average=Decimal("1.00"))
    assert value_inputs(model_files.value_model(1), few).quality_factor == Decimal(1)


def test_curves_interpolate_linearly_and_clamp() -> None:
    model = model_files.value_model(1)
    assert value_inputs(model, subject(experience_years=5)).experience_factor == Decimal(
        "1.0714")  # 1.00 + 2/7 x 0.25
    assert value_inputs(model, subject(age_years=90)).age_factor == Decimal("0.85")
