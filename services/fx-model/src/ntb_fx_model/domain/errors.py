"""Errors of the fx-model domain (stdlib only).

Every class carries a machine-readable `reason` (a class constant, UPPER_SNAKE) and a
`metadata` mapping of strings, so the gRPC layer can build a `google.rpc.ErrorInfo`
without parsing messages. Suggested status mapping for the servicer:

| class                      | reason                   | gRPC status          |
|----------------------------|--------------------------|----------------------|
| IndicatorsInvalidError     | INDICATORS_INVALID       | INVALID_ARGUMENT     |
| CountryYearNotFoundError   | COUNTRY_YEAR_NOT_FOUND   | NOT_FOUND            |
| InputsMissingError         | INPUTS_MISSING           | FAILED_PRECONDITION  |
| CurrencyMismatchError      | CURRENCY_MISMATCH        | FAILED_PRECONDITION  |
| LaborForceUnavailableError | LABOR_FORCE_MISSING      | FAILED_PRECONDITION  |

`IndicatorsInvalidError.problems` maps one-to-one onto `google.rpc.BadRequest`
field violations (`FieldProblem.field` / `.description`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import ClassVar


@dataclass(frozen=True)
class FieldProblem:
    """One bad field: a path such as `rows[12].avg_wage_lcu` and what is wrong with it."""

    field: str
    description: str


@dataclass(frozen=True)
class MissingInput:
    """One model input that the data set does not have (a blank cell or an absent row)."""

    iso3: str
    year: int
    column: str

    def __str__(self) -> str:
        return f"{self.iso3} {self.year} {self.column}"


class FxModelError(Exception):
    """Base of every fx-model domain error."""

    reason: ClassVar[str] = "FX_MODEL_ERROR"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    @property
    def metadata(self) -> dict[str, str]:
        """String key/values for `google.rpc.ErrorInfo.metadata`."""
        return {}


class IndicatorsInvalidError(FxModelError):
    """An indicator file (or table) failed validation; `problems` lists every bad field."""

    reason: ClassVar[str] = "INDICATORS_INVALID"

    def __init__(self, problems: Iterable[FieldProblem]) -> None:
        self.problems: tuple[FieldProblem, ...] = tuple(problems)
        if not self.problems:
            raise ValueError("IndicatorsInvalidError needs at least one problem")
        shown = "; ".join(f"{p.field}: {p.description}" for p in self.problems[:5])
        more = len(self.problems) - 5
        suffix = f"; and {more} more" if more > 0 else ""
        super().__init__(f"{len(self.problems)} problem(s) in indicators: {shown}{suffix}")

    @property
    def metadata(self) -> dict[str, str]:
        return {"problem_count": str(len(self.problems))}


class CountryYearNotFoundError(FxModelError):
    """The indicator table has no row for this country code and year."""

    reason: ClassVar[str] = "COUNTRY_YEAR_NOT_FOUND"

    def __init__(self, iso3: str, year: int) -> None:
        self.iso3 = iso3
        self.year = year
        super().__init__(f"no indicator row for country {iso3!r} in year {year}")

    @property
    def metadata(self) -> dict[str, str]:
        return {"country_code": self.iso3, "year": str(self.year)}


class InputsMissingError(FxModelError):
    """A model needs values the data set does not have; `missing` names each one."""

    reason: ClassVar[str] = "INPUTS_MISSING"

    def __init__(self, iso3: str, year: int, missing: Iterable[MissingInput]) -> None:
        self.iso3 = iso3
        self.year = year
        self.missing: tuple[MissingInput, ...] = tuple(missing)
        if not self.missing:
            raise ValueError("InputsMissingError needs at least one missing input")
        names = ", ".join(str(m) for m in self.missing)
        super().__init__(f"cannot compute the rate of {iso3} for {year}: missing {names}")

    @property
    def metadata(self) -> dict[str, str]:
        return {
            "country_code": self.iso3,
            "year": str(self.year),
            "missing": ",".join(f"{m.iso3}:{m.year}:{m.column}" for m in self.missing),
        }


class CurrencyMismatchError(FxModelError):
    """The wage and the official rate of a row are in different currencies.

    Example: OECD reports Croatia's wages in EUR for 2010-2019 while the World Bank rate
    is in HRK. The model refuses such a row instead of mixing currencies.
    """

    reason: ClassVar[str] = "CURRENCY_MISMATCH"

    def __init__(
        self,
        iso3: str,
        year: int,
        wage_currency: str | None,
        rate_currency: str | None,
        detail: str,
    ) -> None:
        self.iso3 = iso3
        self.year = year
        self.wage_currency = wage_currency
        self.rate_currency = rate_currency
        self.detail = detail
        super().__init__(
            f"currency mismatch for {iso3} {year}: wage in {wage_currency or '?'}, "
            f"official rate in {rate_currency or '?'}: {detail}"
        )

    @property
    def metadata(self) -> dict[str, str]:
        return {
            "country_code": self.iso3,
            "year": str(self.year),
            "wage_currency": self.wage_currency or "",
            "rate_currency": self.rate_currency or "",
        }


class LaborForceUnavailableError(FxModelError):
    """A model needs the number of workers L and the data set has none for the year.

    Population is not L (it counts children and retirees), so it is never used instead.
    An operator can add L by uploading World Bank SL.TLF.TOTL.IN (labor force, total).
    """

    reason: ClassVar[str] = "LABOR_FORCE_MISSING"

    def __init__(self, model: str, year: int) -> None:
        self.model = model
        self.year = year
        super().__init__(
            f"model {model} needs the number of workers L, and the data set has no "
            f"labor_force for {year}; population is not L. Upload World Bank "
            "SL.TLF.TOTL.IN (labor force, total) to add it"
        )

    @property
    def metadata(self) -> dict[str, str]:
        return {"model": self.model, "year": str(self.year)}
