"""Wave points and behaviour records <-> rows (inputs stored as JSON, decimals as text)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from ntb_identity.domain.behaviour import BehaviourRecord, Conduct
from ntb_identity.domain.scorecard import Attribute, Reason
from ntb_identity.domain.value_model import ValueInputs
from ntb_identity.domain.waves import CreditPoint, ValuePoint, WaveCause

_DECIMAL_INPUTS = ("region_factor", "industry_factor", "age_factor", "experience_factor",
                   "quality_factor", "rating_average")


def aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def inputs_to_json(inputs: ValueInputs) -> dict[str, Any]:
    data = dataclasses.asdict(inputs)
    for name in _DECIMAL_INPUTS:
        data[name] = str(data[name])
    return data


def inputs_from_json(data: dict[str, Any]) -> ValueInputs:
    values = dict(data)
    for name in _DECIMAL_INPUTS:
        values[name] = Decimal(values[name])
    return ValueInputs(**values)


def value_point_to_row(point: ValuePoint) -> dict[str, Any]:
    return {
        "principal_id": point.principal_id, "sequence": point.sequence,
        "hourly_value_fen": point.hourly_value_fen, "effective_at": point.effective_at,
        "inputs": inputs_to_json(point.inputs),
        "model_version": point.inputs.value_model_version,
        "cause": point.cause.value, "cause_ref": point.cause_ref,
    }


def value_point_from_row(row: Any) -> ValuePoint:
    return ValuePoint(
        principal_id=row["principal_id"], sequence=row["sequence"],
        hourly_value_fen=row["hourly_value_fen"], effective_at=aware(row["effective_at"]),
        inputs=inputs_from_json(row["inputs"]), cause=WaveCause(row["cause"]),
        cause_ref=row["cause_ref"],
    )


def credit_point_to_row(point: CreditPoint) -> dict[str, Any]:
    return {
        "principal_id": point.principal_id, "sequence": point.sequence, "score": point.score,
        "effective_at": point.effective_at, "scorecard_version": point.scorecard_version,
        "features": {k: None if v is None else str(v) for k, v in point.features.items()},
        "breakdown": {
            "base_points": point.base_points,
            "attributes": [dataclasses.asdict(a) for a in point.attributes],
            "reasons": [dataclasses.asdict(r) for r in point.reasons],
        },
        "cause": point.cause.value, "cause_ref": point.cause_ref,
    }


def credit_point_from_row(row: Any) -> CreditPoint:
    breakdown = row["breakdown"]
    return CreditPoint(
        principal_id=row["principal_id"], sequence=row["sequence"], score=row["score"],
        effective_at=aware(row["effective_at"]), scorecard_version=row["scorecard_version"],
        features={k: None if v is None else Decimal(v) for k, v in row["features"].items()},
        base_points=breakdown["base_points"],
        attributes=tuple(Attribute(**a) for a in breakdown["attributes"]),
        reasons=tuple(Reason(**r) for r in breakdown["reasons"]),
        cause=WaveCause(row["cause"]), cause_ref=row["cause_ref"],
    )


def record_to_row(record: BehaviourRecord) -> dict[str, Any]:
    row = dataclasses.asdict(record)
    row["conduct"] = record.conduct.value
    return row


def record_from_row(row: Any) -> BehaviourRecord:
    return BehaviourRecord(
        record_id=row["record_id"], principal_id=row["principal_id"],
        conduct=Conduct(row["conduct"]), occurred_at=aware(row["occurred_at"]),
        late=bool(row["late"]), rating=row["rating"],
    )
