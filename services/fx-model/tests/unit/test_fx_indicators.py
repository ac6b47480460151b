"""The indicator loader reads the packaged CSV exactly and rejects bad files completely.

Proves that:
- the data set ships inside the package and loads through `importlib.resources`
  (2,170 rows, 217 countries, 2010-2019) without touching `../shared`;
- every number comes out as `decimal.Decimal` equal to the CSV text (no float anywhere,
  checked by walking every field of every row);
- validation reports every problem of a file in one `IndicatorsInvalidError`, each with
  a `rows[<i>].<column>` path: malformed and unknown country codes, zero and negative
  values, a missing year, a bad wage period, a value without source, non-decimal text
  (NaN, thousands separators, underscores), ragged rows, missing header columns and
  duplicate country-years.
How: load the packaged file, and small CSV texts built with the `indicator_csv` fixture
with known defects, then compare the reported field paths with the expected set.
"""

from __future__ import annotations

import csv
import dataclasses
import io
from collections.abc import Callable
from decimal import Decimal

import pytest

from ntb_fx_model.domain import (
    FieldProblem,
    IndicatorRow,
    IndicatorsInvalidError,
    IndicatorTable,
    load_default_indicators,
    load_indicators,
    read_packaged_text,
)

CsvBuilder = Callable[..., str]


def _fields(error: IndicatorsInvalidError) -> set[str]:
    return {p.field for p in error.problems}


def test_packaged_data_loads_from_the_package() -> None:
    table = load_default_indicators()
    assert len(table) == 2170
    assert len(table.countries()) == 217
    assert table.years() == tuple(range(2010, 2020))
    assert read_packaged_text("SOURCES.md").startswith("# Sources for the labour-productivity")
    assert read_packaged_text("oecd_av_an_wage_current_ncu.csv").startswith("iso3,year,")


def test_loader_never_produces_floats() -> None:
    table = load_default_indicators()
    decimals = 0
    for row in table:
        for f in dataclasses.fields(row):
            value = getattr(row, f.name)
            assert not isinstance(value, float), (row.iso3, row.year, f.name)
            if f.name in ("gdp_per_capita_usd", "official_rate_lcu_per_usd", "avg_wage_lcu"):
                assert value is None or isinstance(value, Decimal)
                decimals += value is not None
    # 2,105 GDP + 2,070 rates + 410 wages, as SOURCES.md counts them
    assert decimals == 2105 + 2070 + 410


def test_values_equal_the_csv_text_exactly() -> None:
    raw = {
        (r["iso3"], r["year"]): r
        for r in csv.DictReader(io.StringIO(read_packaged_text("indicators.csv"), newline=""))
    }
    table = load_default_indicators()
    for row in table:
        cells = raw[(row.iso3, str(row.year))]
        for column in ("gdp_per_capita_usd", "official_rate_lcu_per_usd", "avg_wage_lcu"):
            value = getattr(row, column)
            text = cells[column]
            assert (value is None) == (text == "")
            if value is not None:
                assert value == Decimal(text)
                assert str(value) == text  # exact, not a float round trip


def test_japan_2013_row() -> None:
    row = load_default_indicators().require("JPN", 2013)
    assert row == IndicatorRow(
        iso3="JPN",
        country="Japan",
        year=2013,
        gdp_per_capita_usd=Decimal("40898.6478964744"),
        official_rate_lcu_per_usd=Decimal("97.5956582776385"),
        avg_wage_lcu=Decimal("4479848"),
        wage_period="annual",
        wage_currency="JPY",
        rate_currency="JPY",
        notes="",
        source_gdp=(
            "dheerajraina/Machine_Learning:API_NY.GDP.PCAP.CD_DS2_en_csv_v2_6298251.csv"
            " (WDI NY.GDP.PCAP.CD)"
        ),
        source_rate=(
            "Harb1nger001/GlobalConflictFXStress:data/raw/"
            "API_PA.NUS.FCRF_DS2_en_csv_v2_22859.csv (WDI PA.NUS.FCRF)"
        ),
        source_wage=(
            "ZinoH7/G7-Inflation-Analysis:data/OECD.ELS.SAE,DSD_EARNINGS@AV_AN_WAGE,"
            "1.0+all.csv (OECD AV_AN_WAGE current prices NCU)"
        ),
        population=127445000,
        source_population="datasets/population:data/population.csv (WDI SP.POP.TOTL)",
    )
    assert not row.currency_mismatch


def test_blank_cells_are_none_and_mismatch_rows_are_flagged() -> None:
    table = load_default_indicators()
    china = table.require("CHN", 2013)
    assert china.avg_wage_lcu is None and china.wage_period is None
    assert china.source_wage is None and china.wage_currency is None
    croatia = table.require("HRV", 2013)
    assert (croatia.wage_currency, croatia.rate_currency) == ("EUR", "HRK")
    assert croatia.currency_mismatch
    flagged = {(r.iso3, r.year) for r in table if r.currency_mismatch}
    assert len(flagged) == 20  # SOURCES.md: "All 20 such rows are flagged"


def test_validation_collects_every_problem_at_once(indicator_csv: CsvBuilder) -> None:
    text = indicator_csv(
        {},  # rows[0]: valid
        {"iso3": "jp", "year": "2013"},  # rows[1]: malformed code
        {"iso3": "ZZZ", "country": "Nowhere"},  # rows[2]: unknown code
        {"iso3": "DEU", "gdp_per_capita_usd": "-1", "official_rate_lcu_per_usd": "0"},
        {"iso3": "FRA", "year": ""},  # rows[4]: missing year
        {"iso3": "GBR", "wage_period": "weekly"},  # rows[5]
        {"iso3": "ITA", "source_wage": ""},  # rows[6]: wage without source
        {"iso3": "ESP", "avg_wage_lcu": "NaN", "population": "1.5"},  # rows[7]
        {"iso3": "PRT", "gdp_per_capita_usd": "1,000", "avg_wage_lcu": "1_000"},
        {"iso3": "GRC", "wage_currency": "", "rate_currency": "eur"},  # rows[9]
        {"iso3": "AUT", "avg_wage_lcu": "", "source_wage": ""},  # rows[10]: orphan period
    )
    with pytest.raises(IndicatorsInvalidError) as caught:
        load_indicators(text)
    error = caught.value
    assert error.reason == "INDICATORS_INVALID"
    assert _fields(error) == {
        "rows[1].iso3",
        "rows[2].iso3",
        "rows[3].gdp_per_capita_usd",
        "rows[3].official_rate_lcu_per_usd",
        "rows[4].year",
        "rows[5].wage_period",
        "rows[6].source_wage",
        "rows[7].avg_wage_lcu",
        "rows[7].population",
        "rows[8].gdp_per_capita_usd",
        "rows[8].avg_wage_lcu",
        "rows[9].wage_currency",
        "rows[9].rate_currency",
        "rows[10].wage_period",
    }
    assert error.metadata == {"problem_count": "14"}
    by_field = {p.field: p.description for p in error.problems}
    assert "line 3" in by_field["rows[1].iso3"]  # header is line 1, rows[0] line 2
    assert "not an ISO 3166-1 alpha-3 code" in by_field["rows[1].iso3"]
    assert "not a known" in by_field["rows[2].iso3"]
    assert "greater than zero" in by_field["rows[3].official_rate_lcu_per_usd"]
    assert "required" in by_field["rows[4].year"]
    assert "'weekly'" in by_field["rows[5].wage_period"]


def test_missing_header_columns_are_each_reported() -> None:
    with pytest.raises(IndicatorsInvalidError) as caught:
        load_indicators("iso3,country,year\nJPN,Japan,2013\n")
    assert {
        "header.gdp_per_capita_usd",
        "header.official_rate_lcu_per_usd",
        "header.avg_wage_lcu",
        "header.wage_period",
        "header.source_wage",
    } <= _fields(caught.value)


def test_ragged_rows_and_duplicates_are_reported(indicator_csv: CsvBuilder) -> None:
    text = indicator_csv({"iso3": "JPN"}, {"iso3": "JPN"}) + "KOR,Korea,2013\r\n"
    with pytest.raises(IndicatorsInvalidError) as caught:
        load_indicators(text)
    assert caught.value.problems == (
        FieldProblem("rows[1]", "line 3: duplicate of rows[0] (JPN 2013)"),
        FieldProblem("rows[2]", "line 4: has 3 fields; the header has 15"),
    )


def test_empty_input_is_rejected() -> None:
    for text in ("", "\ufeff"):
        with pytest.raises(IndicatorsInvalidError) as caught:
            load_indicators(text)
        assert _fields(caught.value) == {"header"}


def test_bom_blank_lines_monthly_wages_and_blank_optionals_are_accepted(
    indicator_csv: CsvBuilder,
) -> None:
    text = (
        "\ufeff"
        + indicator_csv(
            {"iso3": "JPN", "avg_wage_lcu": "373320.6", "wage_period": "monthly"},
            {"iso3": "CHN", "avg_wage_lcu": "", "wage_period": "", "source_wage": ""},
        )
        + "\r\n"
    )
    table = load_indicators(text)
    assert isinstance(table, IndicatorTable)
    assert table.require("JPN", 2013).wage_period == "monthly"
    assert table.require("JPN", 2013).avg_wage_lcu == Decimal("373320.6")
    assert table.require("CHN", 2013).avg_wage_lcu is None


def test_embedded_country_codes_match_iso_3166() -> None:
    from ntb_fx_model.domain.iso3166 import ISO3166_ALPHA3, KNOWN_COUNTRY_CODES

    assert len(ISO3166_ALPHA3) == 249
    world_bank_only = KNOWN_COUNTRY_CODES - ISO3166_ALPHA3
    assert world_bank_only == {"XKX", "CHI"}
    import pycountry  # a pinned dependency: its absence is a failure, not a skip

    assert {c.alpha_3 for c in pycountry.countries} == ISO3166_ALPHA3
