"""The versioned model files packaged in ntb_identity/data (value model, scorecard)."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from ntb_identity.domain.numbers import dec
from ntb_identity.domain.scorecard import Bin, Feature, Scorecard
from ntb_identity.domain.value_model import Curve, ValueModel

VALUE_MODEL_VERSIONS = (1,)
SCORECARD_VERSIONS = (1,)


def _read(name: str) -> dict[str, Any]:
    text = resources.files("ntb_identity.data").joinpath(name).read_text(encoding="utf-8")
    data = json.loads(text)
    assert isinstance(data, dict)
    return data


def _curve(points: list[list[str]]) -> Curve:
    return tuple((dec(x), dec(y)) for x, y in points)


def _pair(key: str) -> tuple[str, str]:
    region, _, industry = key.partition("|")
    return region, industry


@cache
def value_model(version: int) -> ValueModel:
    if version not in VALUE_MODEL_VERSIONS:
        raise KeyError(f"value model version {version} is not packaged")
    data = _read(f"value_model_v{version}.json")
    assert data["version"] == version
    return ValueModel(
        version=version,
        national_hourly_value_fen=int(data["national_hourly_value_fen"]),
        region_factors={k: dec(v) for k, v in data["region_factors"].items()},
        industry_factors={k: dec(v) for k, v in data["industry_factors"].items()},
        base_rates_fen={_pair(k): int(v) for k, v in data["base_rates_fen"].items()},
        age_curve=_curve(data["age_curve"]),
        experience_curve=_curve(data["experience_curve"]),
        quality_curve=_curve(data["quality_curve"]),
        quality_min_ratings=int(data["quality_min_ratings"]),
        sources=tuple(data["sources"]),
        note=data["note"],
    )


def current_value_model() -> ValueModel:
    return value_model(VALUE_MODEL_VERSIONS[-1])


def _feature(data: dict[str, Any]) -> Feature:
    bins = tuple(
        Bin(dec(lower), None if upper is None else dec(upper), dec(woe))
        for lower, upper, woe in data["bins"]
    )
    return Feature(
        name=data["name"], coefficient=dec(data["coefficient"]), reason=data["reason"],
        description=data["description"], missing_woe=dec(data["missing_woe"]), bins=bins,
        missing_reason=data.get("missing_reason", ""),
    )


@cache
def scorecard(version: int) -> Scorecard:
    if version not in SCORECARD_VERSIONS:
        raise KeyError(f"scorecard version {version} is not packaged")
    data = _read(f"scorecard_v{version}.json")
    assert data["version"] == version
    return Scorecard(
        version=version, pdo=dec(data["pdo"]), target_score=dec(data["target_score"]),
        target_odds=dec(data["target_odds"]), intercept=dec(data["intercept"]),
        half_life_days=dec(data["half_life_days"]), score_min=int(data["score_min"]),
        score_max=int(data["score_max"]),
        features=tuple(_feature(f) for f in data["features"]),
    )


def current_scorecard() -> Scorecard:
    return scorecard(SCORECARD_VERSIONS[-1])
