"""Protobuf <-> domain for fx-model, with request validation."""

from __future__ import annotations

import re

from ntb.common.v1 import common_pb2
from ntb.fx_model.v1 import fx_model_pb2 as pb
from ntb_fx_model.domain import ParityRate, to_plain_string
from ntbkit.validation import Violations

_ISO3 = re.compile(r"^[A-Z]{3}$")
_YEAR_MIN, _YEAR_MAX = 1960, 2100


def rate_request(request: pb.GetRateRequest) -> tuple[str, int, int]:
    v = Violations()
    v.check(bool(_ISO3.match(request.country_code)), "country_code",
            "must be an ISO 3166-1 alpha-3 code, e.g. JPN")
    v.check(_YEAR_MIN <= request.year <= _YEAR_MAX, "year",
            f"must be between {_YEAR_MIN} and {_YEAR_MAX}")
    v.check(request.model in pb.RateModel.values(), "model", "unknown rate model")
    v.raise_if_any()
    model = request.model or pb.RATE_MODEL_LABOR_PRODUCTIVITY_PARITY
    return request.country_code, request.year, model


def _decimal(text: str) -> common_pb2.Decimal:
    return common_pb2.Decimal(value=text)


def rate(result: ParityRate) -> pb.Rate:
    message = pb.Rate(
        country_code=result.iso3,
        year=result.year,
        model=pb.RATE_MODEL_LABOR_PRODUCTIVITY_PARITY,
        local_per_usd=_decimal(to_plain_string(result.local_per_usd)),
        usd_per_local=_decimal(to_plain_string(result.usd_per_local)),
        currency_code=result.currency or "",
        inputs=[
            pb.SourceRow(country_code=row.iso3, year=row.year, column=row.column,
                         value=row.value, source=row.source)
            for row in result.inputs
        ],
    )
    if result.official_local_per_usd is not None:
        message.official_local_per_usd.CopyFrom(
            _decimal(to_plain_string(result.official_local_per_usd))
        )
    return message
