"""World Bank WDI indicator CSV (bulk-download layout) merged into an indicator table.

The layout: an optional preamble (`"Data Source",...`, `"Last Updated Date",...`), then a
header `Country Name, Country Code, Indicator Name, Indicator Code, 1960, 1961, ...`
(the name column may be `Country`), one row per economy with years as columns.

One file holds one indicator. Its values replace the matching column of a copy of the
active table (`WDI_COLUMNS`); a blank cell leaves the existing value alone, a country-year
without a row gets a new row with only that value. Years before the active table's
first year are ignored (the model data start there). World Bank aggregates (`WLD`,
`EUU`, ...) are skipped; any other unknown code is an error. Every problem is reported
at once, with a field path `rows[<i>].<column>` (i = 0-based data record after the
header) and the file line.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .errors import FieldProblem, IndicatorsInvalidError
from .indicators import (
    COL_GDP,
    COL_LABOR_FORCE,
    COL_POPULATION,
    COL_RATE,
    SOURCE_COLUMN_OF,
    IndicatorRow,
    IndicatorTable,
)
from .iso3166 import KNOWN_COUNTRY_CODES

# WDI indicator code -> the data-set column its values go to
WDI_COLUMNS: dict[str, str] = {
    "PA.NUS.FCRF": COL_RATE,
    "NY.GDP.PCAP.CD": COL_GDP,
    "SP.POP.TOTL": COL_POPULATION,
    "SL.TLF.TOTL.IN": COL_LABOR_FORCE,
}
_INTEGER_COLUMNS = frozenset({COL_POPULATION, COL_LABOR_FORCE})
# Regional, income and lending-group aggregates of WDI files: not countries, skipped.
WDI_AGGREGATES = frozenset((
    "AFE", "AFW", "ARB", "CEB", "CSS", "EAP", "EAR", "EAS", "ECA", "ECS", "EMU", "EUU",
    "FCS", "HIC", "HPC", "IBD", "IBT", "IDA", "IDB", "IDX", "INX", "LAC", "LCN", "LDC",
    "LIC", "LMC", "LMY", "LTE", "MEA", "MIC", "MNA", "NAC", "OED", "OSS", "PRE", "PSS",
    "PST", "SAS", "SSA", "SSF", "SST", "TEA", "TEC", "TLA", "TMN", "TSA", "TSS", "UMC",
    "WLD",
))
_YEAR = re.compile(r"[0-9]{4}")
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


@dataclass(frozen=True)
class _Header:
    line: int
    name: int
    code: int
    indicator: int
    years: dict[int, int]  # position -> year


@dataclass(frozen=True)
class WorldBankMerge:
    table: IndicatorTable
    indicator_code: str
    column: str
    values_applied: int
    aggregates_skipped: int


def merge_world_bank_csv(active: IndicatorTable, text: str, *, source: str) -> WorldBankMerge:
    """`active` with one WDI indicator's values replaced from `text`; `source` is written
    into the source column of every replaced value. Raises IndicatorsInvalidError."""
    problems: list[FieldProblem] = []
    records = list(_records(text, problems))
    header = _find_header(records, problems)
    if header is None:
        raise IndicatorsInvalidError(problems)
    first_year = min(active.years(), default=0)
    values: dict[tuple[str, int], tuple[str, int | Decimal]] = {}
    codes: set[str] = set()
    skipped = 0
    data = [(line, cells) for line, cells in records if line > header.line]
    for index, (line, cells) in enumerate(data):
        at = f"rows[{index}]"
        if len(cells) < 4 or not any(c.strip() for c in cells):
            continue
        iso3 = cells[header.code].strip()
        if iso3 in WDI_AGGREGATES:
            skipped += 1
            continue
        code = cells[header.indicator].strip()
        codes.add(code)
        if code not in WDI_COLUMNS:
            problems.append(FieldProblem(f"{at}.Indicator Code", f"line {line}: {code!r} is "
                                         f"not one of {sorted(WDI_COLUMNS)}"))
            continue
        if iso3 not in KNOWN_COUNTRY_CODES:
            problems.append(FieldProblem(f"{at}.Country Code", f"line {line}: {iso3!r} is not "
                                         "a known ISO 3166-1 alpha-3 country code"))
            continue
        name = cells[header.name].strip() or iso3
        for position, year in header.years.items():
            if year < first_year or position >= len(cells) or not cells[position].strip():
                continue
            value = _value(cells[position].strip(), WDI_COLUMNS[code], f"{at}.{year}", line,
                           problems)
            if value is not None:
                values[(iso3, year)] = (name, value)
    if len(codes) > 1:
        problems.append(FieldProblem("rows", f"one indicator per file; found {sorted(codes)}"))
    if not problems and not values:
        problems.append(FieldProblem("rows", "the file has no values for the data set's years"))
    if problems:
        raise IndicatorsInvalidError(problems)
    code = codes.pop()
    column = WDI_COLUMNS[code]
    applied = len(values)
    table = IndicatorTable(tuple(_merged_rows(active, column, dict(values),
                                              f"{source} ({code})")))
    return WorldBankMerge(table, code, column, applied, skipped)


def _records(text: str, problems: list[FieldProblem]) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""), strict=True)
    try:
        for cells in reader:
            yield reader.line_num, cells
    except csv.Error as error:
        problems.append(FieldProblem("csv", f"line {reader.line_num}: malformed CSV: {error}"))


def _find_header(
    records: list[tuple[int, list[str]]], problems: list[FieldProblem]
) -> _Header | None:
    for line, cells in records:
        names = [c.strip() for c in cells]
        if "Country Code" not in names or "Indicator Code" not in names:
            continue
        name = "Country Name" if "Country Name" in names else "Country"
        years = {i: int(n) for i, n in enumerate(names) if _YEAR.fullmatch(n)}
        if name not in names:
            problems.append(FieldProblem("header.Country Name", "required column is missing"))
        if not years:
            problems.append(FieldProblem("header.year", "no year columns (e.g. 2013)"))
        if problems:
            return None
        return _Header(line, names.index(name), names.index("Country Code"),
                       names.index("Indicator Code"), years)
    problems.append(FieldProblem(
        "header", "no header line with 'Country Code' and 'Indicator Code' (WDI layout)"))
    return None


def _value(
    text: str, column: str, at: str, line: int, problems: list[FieldProblem]
) -> int | Decimal | None:
    if not _NUMBER.fullmatch(text):
        problems.append(FieldProblem(at, f"line {line}: {text!r} is not a number"))
        return None
    value = Decimal(text)
    if value <= 0:
        problems.append(FieldProblem(at, f"line {line}: must be greater than zero, got {text}"))
        return None
    if column in _INTEGER_COLUMNS:
        if value != value.to_integral_value():
            problems.append(FieldProblem(at, f"line {line}: {text!r} is not a whole number"))
            return None
        return int(value)
    return value


def _merged_rows(
    active: IndicatorTable,
    column: str,
    values: dict[tuple[str, int], tuple[str, int | Decimal]],
    source: str,
) -> list[IndicatorRow]:
    rows: list[IndicatorRow] = []
    for row in active:
        found = values.pop((row.iso3, row.year), None)
        if found is None:
            rows.append(row)
        else:
            rows.append(_with_value(row, column, found[1], source))
    for (iso3, year), (name, value) in sorted(values.items()):
        empty = IndicatorRow(iso3, name, year, None, None, None, None, None, None, "",
                             None, None, None)
        rows.append(_with_value(empty, column, value, source))
    return rows


def _with_value(row: IndicatorRow, column: str, value: int | Decimal, source: str) -> IndicatorRow:
    changes: dict[str, Any] = {column: value, SOURCE_COLUMN_OF[column]: source}
    return dataclasses.replace(row, **changes)
