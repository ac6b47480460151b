"""fx-model domain: indicator data, labor productivity parity, comparison with official
rates. Pure rules on `decimal.Decimal`; stdlib only (no grpc, sqlalchemy or kafka)."""

from .errors import (
    CountryYearNotFoundError,
    CurrencyMismatchError,
    FieldProblem,
    FxModelError,
    IndicatorsInvalidError,
    InputsMissingError,
    MissingInput,
)
from .indicators import (
    CountryInfo,
    IndicatorRow,
    IndicatorTable,
    load_default_indicators,
    load_indicators,
    read_packaged_text,
)
from .parity import (
    ANCHOR_ISO3,
    PARITY_CONTEXT,
    CountryComparison,
    CrossRate,
    OfficialComparison,
    ParityRate,
    SkippedCountry,
    SourceRow,
    compare_with_official,
    cross_rate,
    labor_productivity_parity,
    median,
    to_plain_string,
)

__all__ = [
    "ANCHOR_ISO3",
    "PARITY_CONTEXT",
    "CountryComparison",
    "CountryInfo",
    "CountryYearNotFoundError",
    "CrossRate",
    "CurrencyMismatchError",
    "FieldProblem",
    "FxModelError",
    "IndicatorRow",
    "IndicatorTable",
    "IndicatorsInvalidError",
    "InputsMissingError",
    "MissingInput",
    "OfficialComparison",
    "ParityRate",
    "SkippedCountry",
    "SourceRow",
    "compare_with_official",
    "cross_rate",
    "labor_productivity_parity",
    "load_default_indicators",
    "load_indicators",
    "median",
    "read_packaged_text",
    "to_plain_string",
]
