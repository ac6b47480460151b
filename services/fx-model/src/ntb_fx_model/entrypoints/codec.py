"""Protobuf <-> domain for fx-model, with request validation (every bad field at once)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal

from ntb.common.v1 import common_pb2
from ntb.fx_model.v1 import fx_model_pb2 as pb
from ntb_fx_model.domain import CountryInfo, ParityRate, to_plain_string
from ntb_fx_model.domain.anchor import AnchorRates, CnyRateBasis
from ntb_fx_model.domain.comparison import ComparisonSummary
from ntb_fx_model.domain.datasets import IndicatorDataset, IndicatorFormat
from ntb_fx_model.domain.parity import (
    CountryComparison,
    CrossRate,
    OfficialComparison,
    RateModel,
    SkippedCountry,
)
from ntb_fx_model.service.handlers import UploadIndicators
from ntbkit.timestamps import to_timestamp
from ntbkit.validation import Violations

_ISO3 = re.compile(r"^[A-Z]{3}$")
_YEAR_MIN, _YEAR_MAX = 1900, 2100
_COUNTRY_CODES_MAX = 300
CONTENT_BYTES_MAX = 4_000_000
DESCRIPTION_LENGTH_MAX = 200
PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX = 100, 1000
_ISO3_RULE = "must be an ISO 3166-1 alpha-3 code, e.g. JPN"

_MODEL_TO_PROTO: dict[RateModel, pb.RateModel.ValueType] = {
    RateModel.LABOR_PRODUCTIVITY_PARITY: pb.RATE_MODEL_LABOR_PRODUCTIVITY_PARITY,
    RateModel.OUTPUT_PER_WORKER: pb.RATE_MODEL_OUTPUT_PER_WORKER,
    RateModel.OUTPUT_PER_WAGE: pb.RATE_MODEL_OUTPUT_PER_WAGE,
    RateModel.OUTPUT_PER_WORKER_WAGE: pb.RATE_MODEL_OUTPUT_PER_WORKER_WAGE,
    RateModel.DIRECT_LABOR_VALUE: pb.RATE_MODEL_DIRECT_LABOR_VALUE,
}
_MODEL_FROM_PROTO = {value: model for model, value in _MODEL_TO_PROTO.items()}
_SKIP_REASONS: dict[str, pb.SkipReason.ValueType] = {
    "INPUTS_MISSING": pb.SKIP_REASON_INPUTS_MISSING,
    "CURRENCY_MISMATCH": pb.SKIP_REASON_CURRENCY_MISMATCH,
    "OFFICIAL_RATE_MISSING": pb.SKIP_REASON_OFFICIAL_RATE_MISSING,
    "COUNTRY_YEAR_NOT_FOUND": pb.SKIP_REASON_COUNTRY_YEAR_NOT_FOUND,
}
_FORMATS: dict[pb.IndicatorFormat.ValueType, IndicatorFormat] = {
    pb.INDICATOR_FORMAT_NTB_CSV: IndicatorFormat.NTB_CSV,
    pb.INDICATOR_FORMAT_WORLD_BANK_CSV: IndicatorFormat.WORLD_BANK_CSV,
}


def _check_country(v: Violations, code: str, field: str) -> None:
    v.check(bool(_ISO3.match(code)), field, _ISO3_RULE)


def _check_year(v: Violations, year: int, field: str = "year") -> None:
    v.check(_YEAR_MIN <= year <= _YEAR_MAX, field, f"must be between {_YEAR_MIN} and {_YEAR_MAX}")


def _model(v: Violations, value: int, field: str = "model") -> RateModel:
    if value == pb.RATE_MODEL_UNSPECIFIED:
        return RateModel.LABOR_PRODUCTIVITY_PARITY
    model = _MODEL_FROM_PROTO.get(pb.RateModel.ValueType(value))
    v.check(model is not None, field, "unknown rate model")
    return model or RateModel.LABOR_PRODUCTIVITY_PARITY


def rate_request(request: pb.GetRateRequest) -> tuple[str, int, RateModel]:
    v = Violations()
    _check_country(v, request.country_code, "country_code")
    _check_year(v, request.year)
    model = _model(v, request.model)
    v.raise_if_any()
    return request.country_code, request.year, model


def cross_rate_request(request: pb.GetCrossRateRequest) -> tuple[str, str, int, RateModel]:
    v = Violations()
    _check_country(v, request.base_country_code, "base_country_code")
    _check_country(v, request.quote_country_code, "quote_country_code")
    _check_year(v, request.year)
    model = _model(v, request.model)
    v.raise_if_any()
    return request.base_country_code, request.quote_country_code, request.year, model


def compare_request(request: pb.CompareWithOfficialRequest) -> tuple[int, RateModel, bool]:
    v = Violations()
    _check_year(v, request.year)
    model = _model(v, request.model)
    v.raise_if_any()
    return request.year, model, request.include_anchor


def anchor_request(request: pb.GetAnchorRatesRequest) -> tuple[int, RateModel, list[str]]:
    v = Violations()
    _check_year(v, request.year)
    model = _model(v, request.model)
    codes = list(request.country_codes)
    v.check(len(codes) <= _COUNTRY_CODES_MAX, "country_codes",
            f"at most {_COUNTRY_CODES_MAX} items")
    v.check(len(set(codes)) == len(codes), "country_codes", "items must be distinct")
    for index, code in enumerate(codes[:_COUNTRY_CODES_MAX]):
        _check_country(v, code, f"country_codes[{index}]")
    v.raise_if_any()
    return request.year, model, codes


def upload_request(request: pb.UploadIndicatorsRequest) -> UploadIndicators:
    v = Violations()
    v.require_uuid(request.request_id, "request_id")
    fmt = _FORMATS.get(request.format)
    v.check(fmt is not None, "format", "must be INDICATOR_FORMAT_NTB_CSV or "
            "INDICATOR_FORMAT_WORLD_BANK_CSV")
    size = len(request.content)
    v.check(0 < size <= CONTENT_BYTES_MAX, "content",
            f"must hold 1..{CONTENT_BYTES_MAX} bytes, got {size}")
    v.check_text(request.description, "description", length_max=DESCRIPTION_LENGTH_MAX)
    try:
        text = request.content.decode("utf-8")
    except UnicodeDecodeError as error:
        v.add("content", f"must be UTF-8 text: {error}")
        text = ""
    v.raise_if_any()
    assert fmt is not None
    return UploadIndicators(request.request_id, fmt, text, request.description)


def list_countries_request(request: pb.ListCountriesRequest) -> tuple[int, bool, int, str]:
    v = Violations()
    if request.year:
        _check_year(v, request.year)
    size = request.page.page_size
    v.check(0 <= size <= PAGE_SIZE_MAX, "page.page_size", f"must be 0..{PAGE_SIZE_MAX}")
    token = request.page.page_token
    v.check(not token or bool(_ISO3.match(token)), "page.page_token",
            "must be a token from a previous response")
    v.raise_if_any()
    return request.year, request.parity_only, size or PAGE_SIZE_DEFAULT, token


def list_datasets_request(request: pb.ListDatasetsRequest) -> tuple[int | None, int]:
    v = Violations()
    size = request.page.page_size
    v.check(0 <= size <= PAGE_SIZE_MAX, "page.page_size", f"must be 0..{PAGE_SIZE_MAX}")
    token = request.page.page_token
    v.check(not token or token.isdigit(), "page.page_token",
            "must be a token from a previous response")
    v.raise_if_any()
    return (int(token) if token else None), size or PAGE_SIZE_DEFAULT


def _decimal(value: Decimal) -> common_pb2.Decimal:
    return common_pb2.Decimal(value=to_plain_string(value))


def rate(result: ParityRate, dataset_id: str) -> pb.Rate:
    message = pb.Rate(
        country_code=result.iso3,
        year=result.year,
        model=_MODEL_TO_PROTO[result.model],
        local_per_usd=_decimal(result.local_per_usd),
        usd_per_local=_decimal(result.usd_per_local),
        currency_code=result.currency or "",
        inputs=[
            pb.SourceRow(country_code=row.iso3, year=row.year, column=row.column,
                         value=row.value, source=row.source)
            for row in result.inputs
        ],
        dataset_id=dataset_id,
    )
    optional = {
        "official_local_per_usd": result.official_local_per_usd,
        "productivity": result.productivity,
        "anchor_productivity": result.anchor_productivity,
        "price_level": result.price_level,
        "anchor_price_level": result.anchor_price_level,
    }
    for name, value in optional.items():
        if value is not None:
            getattr(message, name).CopyFrom(_decimal(value))
    return message


def cross_rate(result: CrossRate, dataset_id: str) -> pb.CrossRate:
    message = pb.CrossRate(
        base_country_code=result.base_iso3,
        quote_country_code=result.quote_iso3,
        year=result.year,
        model=_MODEL_TO_PROTO[result.base.model],
        quote_per_base=_decimal(result.quote_per_base),
        base_per_quote=_decimal(result.base_per_quote),
        base_rate=rate(result.base, dataset_id),
        quote_rate=rate(result.quote, dataset_id),
        inputs=[
            pb.SourceRow(country_code=row.iso3, year=row.year, column=row.column,
                         value=row.value, source=row.source)
            for row in result.inputs
        ],
    )
    if result.official_quote_per_base is not None:
        message.official_quote_per_base.CopyFrom(_decimal(result.official_quote_per_base))
    return message


def skipped(items: Sequence[SkippedCountry]) -> list[pb.SkippedCountry]:
    return [
        pb.SkippedCountry(country_code=s.iso3, country_name=s.country,
                          reason=_SKIP_REASONS.get(s.reason, pb.SKIP_REASON_UNSPECIFIED),
                          detail=s.detail)
        for s in items
    ]


def _comparison(item: CountryComparison, dataset_id: str) -> pb.CountryComparison:
    message = pb.CountryComparison(
        country_code=item.iso3, country_name=item.country, rate=rate(item.rate, dataset_id),
        percentage_error=_decimal(item.percentage_error),
        absolute_percentage_error=_decimal(item.absolute_percentage_error),
    )
    if item.error is not None:
        message.error.CopyFrom(_decimal(item.error))
    return message


def _summary(item: ComparisonSummary) -> pb.ComparisonSummary:
    message = pb.ComparisonSummary(group=item.group, description=item.description,
                                   country_count=item.country_count)
    optional = {
        "median_absolute_percentage_error": item.median_absolute_percentage_error,
        "share_within_10_percent": item.share_within_10_percent,
        "share_within_25_percent": item.share_within_25_percent,
    }
    for name, value in optional.items():
        if value is not None:
            getattr(message, name).CopyFrom(_decimal(value))
    return message


def comparison(
    result: OfficialComparison, summaries: Sequence[ComparisonSummary], dataset_id: str
) -> pb.CompareWithOfficialResponse:
    message = pb.CompareWithOfficialResponse(
        year=result.year, model=_MODEL_TO_PROTO[result.model],
        comparisons=[_comparison(c, dataset_id) for c in result.countries],
        skipped=skipped(result.skipped),
        summaries=[_summary(s) for s in summaries],
        dataset_id=dataset_id,
    )
    if result.median_absolute_percentage_error is not None:
        message.median_absolute_percentage_error.CopyFrom(
            _decimal(result.median_absolute_percentage_error))
    return message



def anchor(result: AnchorRates, dataset_id: str) -> pb.GetAnchorRatesResponse:
    basis = (pb.CNY_RATE_BASIS_MODEL if result.cny_per_usd_basis is CnyRateBasis.MODEL
             else pb.CNY_RATE_BASIS_OFFICIAL)
    return pb.GetAnchorRatesResponse(
        year=result.year, model=_MODEL_TO_PROTO[result.model],
        lbc_price_cny=_decimal(result.price.price_cny),
        lbc_price_time=to_timestamp(result.price.effective_at),
        cny_per_usd=_decimal(result.cny_per_usd), cny_per_usd_basis=basis,
        anchor_rates=[
            pb.AnchorRate(country_code=a.iso3, currency_code=a.currency or "",
                          local_per_lbc=_decimal(a.local_per_lbc),
                          lbc_per_local=_decimal(a.lbc_per_local),
                          rate=rate(a.rate, dataset_id))
            for a in result.rates
        ],
        skipped=skipped(result.skipped),
        dataset_id=dataset_id,
    )


def dataset(item: IndicatorDataset) -> pb.IndicatorDataset:
    message = pb.IndicatorDataset(
        dataset_id=item.dataset_id,
        format=next(k for k, v in _FORMATS.items() if v is item.format),
        sha256=item.sha256, row_count=item.row_count, country_count=item.country_count,
        years=list(item.years), description=item.description, version=item.version,
    )
    if item.created_at is not None:
        message.create_time.CopyFrom(to_timestamp(item.created_at))
    return message


def upload_response(item: IndicatorDataset) -> pb.UploadIndicatorsResponse:
    return pb.UploadIndicatorsResponse(dataset=dataset(item), indicator_code=item.indicator_code,
                                       values_applied=item.values_applied)


def country(info: CountryInfo) -> pb.Country:
    return pb.Country(country_code=info.iso3, name=info.name, years=list(info.years),
                      parity_years=list(info.parity_years))
