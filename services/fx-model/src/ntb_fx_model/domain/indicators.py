"""Indicator rows (GDP per capita, official rate, average wage) and their CSV loader.

The format is the one of `ntb_fx_model/data/indicators.csv` (see `data/SOURCES.md`):
one row per country and year, numbers as plain decimal text, a blank cell for "no
value", and one source column per value column. Numbers are parsed with
`decimal.Decimal` from their text, so they are exact; no float is ever created.

`load_indicators` validates the whole file before returning and reports every problem
at once (`IndicatorsInvalidError.problems`), each one with a field path
`rows[<i>].<column>`, where `<i>` is the 0-based index of the data record (the header
is not a record; blank lines are skipped) and the description names the file line.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from typing import Literal

from .errors import CountryYearNotFoundError, FieldProblem, IndicatorsInvalidError
from .iso3166 import KNOWN_COUNTRY_CODES

WagePeriod = Literal["annual", "monthly"]
WAGE_PERIODS: tuple[WagePeriod, ...] = ("annual", "monthly")

COL_ISO3 = "iso3"
COL_COUNTRY = "country"
COL_YEAR = "year"
COL_GDP = "gdp_per_capita_usd"
COL_RATE = "official_rate_lcu_per_usd"
COL_WAGE = "avg_wage_lcu"
COL_WAGE_PERIOD = "wage_period"
COL_POPULATION = "population"
COL_SOURCE_GDP = "source_gdp"
COL_SOURCE_RATE = "source_rate"
COL_SOURCE_WAGE = "source_wage"
COL_SOURCE_POPULATION = "source_population"
COL_WAGE_CURRENCY = "wage_currency"
COL_RATE_CURRENCY = "rate_currency"
COL_NOTES = "notes"
COL_LABOR_FORCE = "labor_force"
COL_SOURCE_LABOR_FORCE = "source_labor_force"

REQUIRED_COLUMNS: tuple[str, ...] = (
    COL_ISO3,
    COL_COUNTRY,
    COL_YEAR,
    COL_GDP,
    COL_RATE,
    COL_WAGE,
    COL_WAGE_PERIOD,
    COL_SOURCE_GDP,
    COL_SOURCE_RATE,
    COL_SOURCE_WAGE,
    COL_WAGE_CURRENCY,
    COL_RATE_CURRENCY,
)
OPTIONAL_COLUMNS: tuple[str, ...] = (
    COL_POPULATION,
    COL_SOURCE_POPULATION,
    COL_NOTES,
    COL_LABOR_FORCE,
    COL_SOURCE_LABOR_FORCE,
)

# value column -> the column that names its source
SOURCE_COLUMN_OF: Mapping[str, str] = {
    COL_GDP: COL_SOURCE_GDP,
    COL_RATE: COL_SOURCE_RATE,
    COL_WAGE: COL_SOURCE_WAGE,
    COL_WAGE_PERIOD: COL_SOURCE_WAGE,
    COL_POPULATION: COL_SOURCE_POPULATION,
    COL_LABOR_FORCE: COL_SOURCE_LABOR_FORCE,
}

YEAR_MIN = 1900
YEAR_MAX = 2100
CURRENCY_MISMATCH_MARKER = "CURRENCY MISMATCH"

_ISO3_RE = re.compile(r"[A-Z]{3}")
_CURRENCY_RE = re.compile(r"[A-Z]{3}")
_YEAR_RE = re.compile(r"[0-9]{4}")
_INTEGER_RE = re.compile(r"[+-]?[0-9]+")
# Plain decimal text: digits with an optional fraction and exponent. Rejects NaN,
# Infinity, thousands separators and the underscores that Decimal() would accept.
_DECIMAL_RE = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")

PACKAGED_INDICATORS = "indicators.csv"
_DATA_PACKAGE = "ntb_fx_model.data"


@dataclass(frozen=True)
class IndicatorRow:
    """One country-year of indicators, exactly as the file states it.

    `avg_wage_lcu` is in `wage_currency` per `wage_period`; `official_rate_lcu_per_usd`
    is in `rate_currency` per USD. A `None` value means the cell was blank. `source_*`
    names the source of the value column of the same name (None when the value is
    blank and the file named no source).
    """

    iso3: str
    country: str
    year: int
    gdp_per_capita_usd: Decimal | None
    official_rate_lcu_per_usd: Decimal | None
    avg_wage_lcu: Decimal | None
    wage_period: WagePeriod | None
    wage_currency: str | None
    rate_currency: str | None
    notes: str
    source_gdp: str | None
    source_rate: str | None
    source_wage: str | None
    population: int | None = None
    source_population: str | None = None
    labor_force: int | None = None
    source_labor_force: str | None = None

    @property
    def currency_mismatch(self) -> bool:
        """True when the wage and the official rate are in different currencies."""
        if (
            self.wage_currency is not None
            and self.rate_currency is not None
            and self.wage_currency != self.rate_currency
        ):
            return True
        return CURRENCY_MISMATCH_MARKER in self.notes.upper()

    def source_for(self, column: str) -> str | None:
        """The source of a value column (`gdp_per_capita_usd`, `avg_wage_lcu`, ...)."""
        source_column = SOURCE_COLUMN_OF.get(column)
        if source_column is None:
            raise KeyError(f"{column!r} is not a sourced value column")
        value: str | None = getattr(self, source_column)
        return value


@dataclass(frozen=True)
class CountryInfo:
    """A country in a table: its latest name, the years it has rows for, and the years
    whose row has both inputs of labor productivity parity (GDP per capita and wage) in
    one currency."""

    iso3: str
    name: str
    years: tuple[int, ...]
    parity_years: tuple[int, ...]


@dataclass(frozen=True)
class IndicatorTable:
    """All indicator rows, indexed by (iso3, year). Immutable."""

    rows: tuple[IndicatorRow, ...]
    _index: Mapping[tuple[str, int], IndicatorRow] = field(
        init=False, repr=False, compare=False, hash=False
    )

    def __post_init__(self) -> None:
        index: dict[tuple[str, int], IndicatorRow] = {}
        problems: list[FieldProblem] = []
        for i, row in enumerate(self.rows):
            key = (row.iso3, row.year)
            if key in index:
                problems.append(
                    FieldProblem(f"rows[{i}]", f"duplicate row for {row.iso3} {row.year}")
                )
            else:
                index[key] = row
        if problems:
            raise IndicatorsInvalidError(problems)
        object.__setattr__(self, "_index", index)

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[IndicatorRow]:
        return iter(self.rows)

    def get(self, iso3: str, year: int) -> IndicatorRow | None:
        return self._index.get((iso3, year))

    def require(self, iso3: str, year: int) -> IndicatorRow:
        """The row of a country-year; `CountryYearNotFoundError` when there is none."""
        row = self._index.get((iso3, year))
        if row is None:
            raise CountryYearNotFoundError(iso3, year)
        return row

    def years(self) -> tuple[int, ...]:
        return tuple(sorted({row.year for row in self.rows}))

    def rows_for_year(self, year: int) -> tuple[IndicatorRow, ...]:
        """The rows of one year, ordered by country code."""
        return tuple(sorted((r for r in self.rows if r.year == year), key=lambda r: r.iso3))

    def countries(self) -> tuple[CountryInfo, ...]:
        """One entry per country code, ordered by code."""
        by_code: dict[str, list[IndicatorRow]] = {}
        for row in self.rows:
            by_code.setdefault(row.iso3, []).append(row)
        infos: list[CountryInfo] = []
        for iso3 in sorted(by_code):
            rows = sorted(by_code[iso3], key=lambda r: r.year)
            infos.append(
                CountryInfo(
                    iso3=iso3,
                    name=rows[-1].country,
                    years=tuple(r.year for r in rows),
                    parity_years=tuple(
                        r.year
                        for r in rows
                        if r.gdp_per_capita_usd is not None
                        and r.avg_wage_lcu is not None
                        and not r.currency_mismatch
                    ),
                )
            )
        return tuple(infos)


def load_indicators(text: str) -> IndicatorTable:
    """Parse and validate indicator CSV text (the packaged `indicators.csv` format).

    Raises `IndicatorsInvalidError` listing every problem found in the file.
    """
    return _Parser(text).parse()


@lru_cache(maxsize=1)
def load_default_indicators() -> IndicatorTable:
    """The indicator table shipped inside the package (`ntb_fx_model/data/`)."""
    return load_indicators(read_packaged_text(PACKAGED_INDICATORS))


def read_packaged_text(name: str) -> str:
    """The text of a file shipped in `ntb_fx_model.data` (e.g. `SOURCES.md`)."""
    return resources.files(_DATA_PACKAGE).joinpath(name).read_text(encoding="utf-8")


class _Parser:
    def __init__(self, text: str) -> None:
        self._text = text.removeprefix("\ufeff")
        self._problems: list[FieldProblem] = []

    def _problem(self, field_path: str, description: str) -> None:
        self._problems.append(FieldProblem(field_path, description))

    def parse(self) -> IndicatorTable:
        reader = csv.reader(io.StringIO(self._text, newline=""), strict=True)
        rows: list[IndicatorRow] = []
        try:
            first = next(reader, None)
            header = self._read_header(first)
            if first is None or header is None:
                raise IndicatorsInvalidError(self._problems)
            width = len(first)
            seen: dict[tuple[str, int], int] = {}
            index = 0
            for record in reader:
                if not record or all(not cell.strip() for cell in record):
                    continue
                row = self._parse_record(index, reader.line_num, header, width, record)
                if row is not None:
                    key = (row.iso3, row.year)
                    if key in seen:
                        self._problem(
                            f"rows[{index}]",
                            f"line {reader.line_num}: duplicate of rows[{seen[key]}] "
                            f"({row.iso3} {row.year})",
                        )
                    else:
                        seen[key] = index
                        rows.append(row)
                index += 1
        except csv.Error as exc:
            self._problem("csv", f"line {reader.line_num}: malformed CSV: {exc}")
        if not rows and not self._problems:
            self._problem("rows", "the file has no data rows")
        if self._problems:
            raise IndicatorsInvalidError(self._problems)
        return IndicatorTable(tuple(rows))

    def _read_header(self, first: list[str] | None) -> dict[str, int] | None:
        if first is None:
            self._problem("header", "the file is empty; expected a header line")
            return None
        header: dict[str, int] = {}
        for position, raw in enumerate(first):
            name = raw.strip()
            if name in header:
                self._problem(f"header.{name}", "column appears more than once")
            elif name:
                header[name] = position
        for name in REQUIRED_COLUMNS:
            if name not in header:
                self._problem(f"header.{name}", "required column is missing")
        return None if self._problems else header

    def _parse_record(
        self, index: int, line: int, header: dict[str, int], width: int, record: list[str]
    ) -> IndicatorRow | None:
        at = f"rows[{index}]"
        if len(record) != width:
            self._problem(at, f"line {line}: has {len(record)} fields; the header has {width}")
            return None
        before = len(self._problems)
        fields = _Record(self._problems, at, line, header, record)
        iso3, country, year = fields.iso3(), fields.required(COL_COUNTRY), fields.year()
        gdp = fields.positive_decimal(COL_GDP)
        rate = fields.positive_decimal(COL_RATE)
        wage = fields.positive_decimal(COL_WAGE)
        wage_given = bool(fields.cell(COL_WAGE))
        period = fields.wage_period(wage_given)
        population = fields.positive_integer(COL_POPULATION)
        labor_force = fields.positive_integer(COL_LABOR_FORCE)
        sources = {column: fields.source(column) for column in
                   (COL_GDP, COL_RATE, COL_WAGE, COL_POPULATION, COL_LABOR_FORCE)}
        wage_currency = fields.currency(COL_WAGE_CURRENCY, COL_WAGE if wage_given else None)
        rate_currency = fields.currency(COL_RATE_CURRENCY, None)
        if len(self._problems) > before:
            return None
        return IndicatorRow(
            iso3=iso3,
            country=country,
            year=year,
            gdp_per_capita_usd=gdp,
            official_rate_lcu_per_usd=rate,
            avg_wage_lcu=wage,
            wage_period=period,
            wage_currency=wage_currency,
            rate_currency=rate_currency,
            notes=fields.cell(COL_NOTES),
            source_gdp=sources[COL_GDP],
            source_rate=sources[COL_RATE],
            source_wage=sources[COL_WAGE],
            population=population,
            source_population=sources[COL_POPULATION],
            labor_force=labor_force,
            source_labor_force=sources[COL_LABOR_FORCE],
        )


class _Record:
    """The cells of one data record, each read and checked once; problems are appended
    to the parser's list with the record's field path and file line."""

    def __init__(
        self, problems: list[FieldProblem], at: str, line: int, header: dict[str, int],
        record: list[str],
    ) -> None:
        self._problems = problems
        self._at = at
        self._line = line
        self._header = header
        self._record = record

    def cell(self, column: str) -> str:
        position = self._header.get(column)
        return "" if position is None else self._record[position].strip()

    def bad(self, column: str, description: str) -> None:
        self._problems.append(
            FieldProblem(f"{self._at}.{column}", f"line {self._line}: {description}"))

    def required(self, column: str) -> str:
        text = self.cell(column)
        if not text:
            self.bad(column, "required")
        return text

    def iso3(self) -> str:
        iso3 = self.required(COL_ISO3)
        if iso3 and not _ISO3_RE.fullmatch(iso3):
            self.bad(COL_ISO3, f"{iso3!r} is not an ISO 3166-1 alpha-3 code (3 capital letters)")
        elif iso3 and iso3 not in KNOWN_COUNTRY_CODES:
            self.bad(COL_ISO3, f"{iso3!r} is not a known ISO 3166-1 alpha-3 country code")
        return iso3

    def year(self) -> int:
        text = self.required(COL_YEAR)
        if not text:
            return 0
        if not _YEAR_RE.fullmatch(text):
            self.bad(COL_YEAR, f"{text!r} is not a 4-digit year")
            return 0
        year = int(text)
        if not YEAR_MIN <= year <= YEAR_MAX:
            self.bad(COL_YEAR, f"{year} is outside {YEAR_MIN}..{YEAR_MAX}")
        return year

    def positive_decimal(self, column: str) -> Decimal | None:
        text = self.cell(column)
        if not text:
            return None
        if not _DECIMAL_RE.fullmatch(text):
            self.bad(column, f"{text!r} is not a plain decimal number")
            return None
        value = Decimal(text)
        if value <= 0:
            self.bad(column, f"must be greater than zero, got {text}")
            return None
        return value

    def positive_integer(self, column: str) -> int | None:
        text = self.cell(column)
        if not text:
            return None
        if not _INTEGER_RE.fullmatch(text):
            self.bad(column, f"{text!r} is not a whole number")
        elif int(text) <= 0:
            self.bad(column, f"must be greater than zero, got {text}")
        else:
            return int(text)
        return None

    def wage_period(self, wage_given: bool) -> WagePeriod | None:
        text = self.cell(COL_WAGE_PERIOD)
        if not text:
            if wage_given:
                self.bad(COL_WAGE_PERIOD, f"required when {COL_WAGE} has a value")
            return None
        if text in WAGE_PERIODS:
            if not wage_given:
                self.bad(COL_WAGE_PERIOD, f"given without a value in {COL_WAGE}")
            return text
        self.bad(COL_WAGE_PERIOD, f"{text!r} must be one of {list(WAGE_PERIODS)}")
        return None

    def source(self, column: str) -> str | None:
        """The source of a value column; required when the value cell is not blank."""
        source_column = SOURCE_COLUMN_OF[column]
        text = self.cell(source_column)
        if self.cell(column) and not text:
            self.bad(source_column, f"required when {column} has a value")
        return text or None

    def currency(self, column: str, required_by: str | None) -> str | None:
        text = self.cell(column)
        if not text:
            if required_by is not None:
                self.bad(column, f"required when {required_by} has a value")
            return None
        if not _CURRENCY_RE.fullmatch(text):
            self.bad(column, f"{text!r} is not an ISO 4217 code (3 capital letters)")
            return None
        return text
