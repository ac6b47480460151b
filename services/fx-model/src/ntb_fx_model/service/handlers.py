"""fx-model's use cases over the active indicator data set."""

from __future__ import annotations

from collections.abc import Callable
from typing import NoReturn

from ntb_fx_model.domain import (
    IndicatorTable,
    ParityRate,
    labor_productivity_parity,
)
from ntb_fx_model.domain.errors import (
    CountryYearNotFoundError,
    FxModelError,
    IndicatorsInvalidError,
)
from ntbkit.errors import FailedPrecondition, FieldViolation, InvalidArgument, NotFound

RATE_MODEL_NOT_AVAILABLE = "RATE_MODEL_NOT_AVAILABLE"
_VIOLATIONS_SHOWN_MAX = 50  # keeps the status trailer under gRPC's metadata limit


def to_ntb_error(error: FxModelError) -> NoReturn:
    """The domain speaks stdlib exceptions; clients see the platform's statuses."""
    if isinstance(error, CountryYearNotFoundError):
        raise NotFound("country-year", f"{error.iso3}/{error.year}") from error
    if isinstance(error, IndicatorsInvalidError):
        violations = [FieldViolation(p.field, p.description) for p in error.problems]
        raise InvalidArgument(violations[:_VIOLATIONS_SHOWN_MAX]) from error
    raise FailedPrecondition(error.reason, error.message, error.metadata) from error


def get_rate(active_table: Callable[[], IndicatorTable], iso3: str, year: int) -> ParityRate:
    try:
        return labor_productivity_parity(active_table(), iso3, year)
    except FxModelError as error:
        to_ntb_error(error)


def model_not_available(model_name: str) -> NoReturn:
    raise FailedPrecondition(
        RATE_MODEL_NOT_AVAILABLE,
        f"model {model_name} needs worker counts that the data set does not have yet",
        {"model": model_name},
    )
