"""Labor productivity parity gives the paper's rate, exactly traced and never mixing units.

Proves that:
- Japan 2013 equals e = (G_USA / w_USA) / (G_JPN / w_JPN) computed here by hand with
  Decimal from the raw cells of the packaged CSV row (checked to be those cells);
- the anchor (USA) is exactly 1 in both quotes, every year;
- the two quotes are inverse: local_per_usd * usd_per_local == 1 within 1e-20 for every
  country-year that has a rate;
- cross rates agree with the USD legs (B/A = e_B / e_A), are inverse of each other,
  chain (A->B->C == A->C) and give 1 for a country against itself;
- a row whose wage and official rate are in different currencies is refused with
  CURRENCY_MISMATCH (by currency columns or by the notes flag), also in a cross rate,
  unless the wage is a pre-euro wage that OECD stated in EUR: it is converted back at
  the irrevocable euro conversion rate, which is traced like a data cell;
- a missing wage, GDP or anchor input is refused with INPUTS_MISSING naming each cell;
- an unknown country-year is COUNTRY_YEAR_NOT_FOUND;
- a monthly wage is annualised (x 12);
- results do not depend on the caller's decimal context;
- every quote renders as a valid `ntb.common.v1.Decimal` (plain notation, <= 38
  significant digits);
- the 2013 comparison with official rates covers the expected countries.
How: the packaged table, plus small tables built with the `indicator_csv` fixture.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from decimal import ROUND_DOWN, Decimal, localcontext

import pytest

from ntb_fx_model.domain import (
    ANCHOR_ISO3,
    CountryYearNotFoundError,
    CurrencyMismatchError,
    IndicatorTable,
    InputsMissingError,
    MissingInput,
    SourceRow,
    compare_with_official,
    cross_rate,
    labor_productivity_parity,
    load_default_indicators,
    load_indicators,
    read_packaged_text,
)
from ntb_fx_model.domain.parity import median, to_plain_string

CsvBuilder = Callable[..., str]
TOLERANCE = Decimal("1e-20")


@pytest.fixture(scope="module")
def table() -> IndicatorTable:
    return load_default_indicators()


def _raw_cells(iso3: str, year: int) -> dict[str, str]:
    reader = csv.DictReader(io.StringIO(read_packaged_text("indicators.csv"), newline=""))
    return next(r for r in reader if r["iso3"] == iso3 and r["year"] == str(year))


def _close(a: Decimal, b: Decimal) -> bool:
    """|a - b| <= 1e-20 relative to b (computed with ample precision)."""
    with localcontext() as ctx:
        ctx.prec = 60
        return abs(a - b) <= TOLERANCE * abs(b)


def test_japan_2013_matches_a_hand_computation_from_the_csv_row(
    table: IndicatorTable,
) -> None:
    g_jpn, w_jpn = Decimal("40898.6478964744"), Decimal("4479848")
    g_usa, w_usa = Decimal("53291.1276891406"), Decimal("55779.937")
    jpn, usa = _raw_cells("JPN", 2013), _raw_cells("USA", 2013)
    assert (jpn["gdp_per_capita_usd"], jpn["avg_wage_lcu"], jpn["wage_period"]) == (
        "40898.6478964744",
        "4479848",
        "annual",
    )
    assert (usa["gdp_per_capita_usd"], usa["avg_wage_lcu"], usa["wage_period"]) == (
        "53291.1276891406",
        "55779.937",
        "annual",
    )
    with localcontext() as ctx:
        ctx.prec = 50
        r_usa = g_usa / w_usa  # R = G / w
        r_jpn = g_jpn / w_jpn
        expected_local_per_usd = r_usa / r_jpn  # e = R_f / R_d
        expected_usd_per_local = r_jpn / r_usa  # the paper's printed form

    rate = labor_productivity_parity(table, "JPN", 2013)

    assert _close(rate.local_per_usd, expected_local_per_usd)
    assert _close(rate.usd_per_local, expected_usd_per_local)
    assert rate.local_per_usd.quantize(Decimal("0.000001")) == Decimal("104.648069")
    assert rate.official_local_per_usd == Decimal("97.5956582776385")
    assert rate.currency == "JPY"
    assert isinstance(rate.local_per_usd, Decimal)
    assert isinstance(rate.usd_per_local, Decimal)


def test_every_rate_is_traced_to_its_source_cells(table: IndicatorTable) -> None:
    rate = labor_productivity_parity(table, "JPN", 2013)
    jpn, usa = table.require("JPN", 2013), table.require("USA", 2013)
    assert rate.inputs == (
        SourceRow("JPN", 2013, "gdp_per_capita_usd", "40898.6478964744", jpn.source_gdp or ""),
        SourceRow("JPN", 2013, "avg_wage_lcu", "4479848", jpn.source_wage or ""),
        SourceRow("JPN", 2013, "wage_period", "annual", jpn.source_wage or ""),
        SourceRow("USA", 2013, "gdp_per_capita_usd", "53291.1276891406", usa.source_gdp or ""),
        SourceRow("USA", 2013, "avg_wage_lcu", "55779.937", usa.source_wage or ""),
        SourceRow("USA", 2013, "wage_period", "annual", usa.source_wage or ""),
        SourceRow(
            "JPN", 2013, "official_rate_lcu_per_usd", "97.5956582776385", jpn.source_rate or ""
        ),
    )
    assert all(s.source for s in rate.inputs)


def test_anchor_is_exactly_one_every_year(table: IndicatorTable) -> None:
    for year in table.years():
        rate = labor_productivity_parity(table, ANCHOR_ISO3, year)
        assert rate.local_per_usd == 1 and rate.usd_per_local == 1
        assert rate.official_local_per_usd == 1
        assert {s.iso3 for s in rate.inputs} == {"USA"}
        assert len(rate.inputs) == len(set(rate.inputs)) == 4  # gdp, wage, period, rate


def test_the_two_quotes_are_inverse_for_every_country_year(table: IndicatorTable) -> None:
    checked = 0
    for info in table.countries():
        for year in info.parity_years:
            rate = labor_productivity_parity(table, info.iso3, year)
            with localcontext() as ctx:
                ctx.prec = 60
                product = rate.local_per_usd * rate.usd_per_local
            assert abs(product - 1) <= TOLERANCE, (info.iso3, year, product)
            checked += 1
    assert checked == 41 * 10 - 20  # every wage row except the 20 currency mismatches


def test_cross_rates_agree_with_the_usd_legs(table: IndicatorTable) -> None:
    jpn = labor_productivity_parity(table, "JPN", 2013)
    gbr = labor_productivity_parity(table, "GBR", 2013)
    cross = cross_rate(table, "GBR", "JPN", 2013)  # yen per pound

    with localcontext() as ctx:
        ctx.prec = 60
        assert _close(cross.quote_per_base, jpn.local_per_usd / gbr.local_per_usd)
        assert _close(cross.base_per_quote, gbr.local_per_usd / jpn.local_per_usd)
        assert abs(cross.quote_per_base * cross.base_per_quote - 1) <= TOLERANCE
        assert cross.official_quote_per_base is not None
        official = table.require("JPN", 2013).official_rate_lcu_per_usd
        official_gbr = table.require("GBR", 2013).official_rate_lcu_per_usd
        assert official is not None and official_gbr is not None
        assert _close(cross.official_quote_per_base, official / official_gbr)

    assert (cross.base, cross.quote) == (gbr, jpn)
    assert set(cross.inputs) == set(gbr.inputs) | set(jpn.inputs)
    assert len(cross.inputs) == len(set(cross.inputs))  # USA rows listed once


def test_cross_rates_chain_and_reduce_to_the_usd_quotes(table: IndicatorTable) -> None:
    a_b = cross_rate(table, "DEU", "POL", 2015).quote_per_base
    b_c = cross_rate(table, "POL", "KOR", 2015).quote_per_base
    a_c = cross_rate(table, "DEU", "KOR", 2015).quote_per_base
    with localcontext() as ctx:
        ctx.prec = 60
        assert _close(a_b * b_c, a_c)

    kor = labor_productivity_parity(table, "KOR", 2015)
    assert cross_rate(table, "USA", "KOR", 2015).quote_per_base == kor.local_per_usd
    assert _close(cross_rate(table, "KOR", "USA", 2015).quote_per_base, kor.usd_per_local)
    assert cross_rate(table, "KOR", "KOR", 2015).quote_per_base == 1


def test_currency_mismatch_is_refused(indicator_csv: CsvBuilder) -> None:
    small = load_indicators(indicator_csv(
        {}, {"iso3": "BIH", "wage_currency": "EUR", "rate_currency": "BAM",
             "notes": "CURRENCY MISMATCH: no legal conversion"}))
    with pytest.raises(CurrencyMismatchError) as caught:
        labor_productivity_parity(small, "BIH", 2013)
    error = caught.value
    assert error.reason == "CURRENCY_MISMATCH"
    assert (error.iso3, error.year) == ("BIH", 2013)
    assert (error.wage_currency, error.rate_currency) == ("EUR", "BAM")
    assert "CURRENCY MISMATCH" in error.detail
    assert error.metadata["rate_currency"] == "BAM"

    with pytest.raises(CurrencyMismatchError):
        cross_rate(small, "USA", "BIH", 2013)


def test_pre_euro_wage_in_eur_is_converted_at_the_legal_rate(table: IndicatorTable) -> None:
    croatia = labor_productivity_parity(table, "HRV", 2013)
    cells = _raw_cells("HRV", 2013)
    usa = _raw_cells("USA", 2013)
    with localcontext() as ctx:
        ctx.prec = 60
        wage_hrk = Decimal(cells["avg_wage_lcu"]) * Decimal("7.53450")
        expected = (Decimal(usa["gdp_per_capita_usd"]) / Decimal(usa["avg_wage_lcu"])) / (
            Decimal(cells["gdp_per_capita_usd"]) / wage_hrk)
    assert _close(croatia.local_per_usd, expected)
    assert croatia.currency == "HRK"
    conversion = [s for s in croatia.inputs if s.column == "euro_conversion_rate"]
    assert [(s.iso3, s.value) for s in conversion] == [("HRV", "7.53450")]
    assert "irrevocable" in conversion[0].source
    assert labor_productivity_parity(table, "LVA", 2013).currency == "LVL"
    assert labor_productivity_parity(table, "EST", 2010).currency == "EEK"
    assert labor_productivity_parity(table, "LVA", 2014).currency == "EUR"  # euro member


def test_currency_mismatch_flagged_only_in_notes_is_refused(
    indicator_csv: CsvBuilder,
) -> None:
    small = load_indicators(
        indicator_csv(
            {},
            {
                "iso3": "LTU",
                "wage_currency": "EUR",
                "rate_currency": "EUR",
                "notes": "currency mismatch: wage converted at the irrevocable rate",
            },
        )
    )
    with pytest.raises(CurrencyMismatchError):
        labor_productivity_parity(small, "LTU", 2013)


def test_missing_wage_is_refused_naming_the_cell(table: IndicatorTable) -> None:
    with pytest.raises(InputsMissingError) as caught:
        labor_productivity_parity(table, "CHN", 2013)
    error = caught.value
    assert error.reason == "INPUTS_MISSING"
    assert error.missing == (MissingInput("CHN", 2013, "avg_wage_lcu"),)
    assert error.metadata["missing"] == "CHN:2013:avg_wage_lcu"


def test_every_missing_input_is_named_including_the_anchor(
    indicator_csv: CsvBuilder,
) -> None:
    blank_wage = {"avg_wage_lcu": "", "wage_period": "", "source_wage": ""}
    small = load_indicators(
        indicator_csv(
            {**blank_wage},  # USA without wage
            {"iso3": "FRA", "gdp_per_capita_usd": "", "source_gdp": "", **blank_wage},
        )
    )
    with pytest.raises(InputsMissingError) as caught:
        labor_productivity_parity(small, "FRA", 2013)
    assert caught.value.missing == (
        MissingInput("FRA", 2013, "gdp_per_capita_usd"),
        MissingInput("FRA", 2013, "avg_wage_lcu"),
        MissingInput("USA", 2013, "avg_wage_lcu"),
    )

    no_anchor = load_indicators(indicator_csv({"iso3": "JPN"}))
    with pytest.raises(InputsMissingError) as caught:
        labor_productivity_parity(no_anchor, "JPN", 2013)
    assert caught.value.missing == (
        MissingInput("USA", 2013, "gdp_per_capita_usd"),
        MissingInput("USA", 2013, "avg_wage_lcu"),
    )


def test_unknown_country_year_is_not_found(table: IndicatorTable) -> None:
    for iso3, year in (("ZZZ", 2013), ("JPN", 1999)):
        with pytest.raises(CountryYearNotFoundError) as caught:
            labor_productivity_parity(table, iso3, year)
        assert caught.value.reason == "COUNTRY_YEAR_NOT_FOUND"


def test_monthly_wage_is_annualised(indicator_csv: CsvBuilder) -> None:
    japan = {
        "iso3": "JPN",
        "gdp_per_capita_usd": "40898.6478964744",
        "official_rate_lcu_per_usd": "97.5956582776385",
        "wage_currency": "JPY",
        "rate_currency": "JPY",
    }
    annual = load_indicators(indicator_csv({}, {**japan, "avg_wage_lcu": "4479848"}))
    monthly = load_indicators(
        indicator_csv(
            {},
            {
                **japan,
                "avg_wage_lcu": "373320.6666666666666666666667",  # 4479848 / 12
                "wage_period": "monthly",
            },
        )
    )
    from_annual = labor_productivity_parity(annual, "JPN", 2013).local_per_usd
    from_monthly = labor_productivity_parity(monthly, "JPN", 2013).local_per_usd
    assert _close(from_monthly, from_annual)
    assert monthly.require("JPN", 2013).avg_wage_lcu == Decimal("373320.6666666666666666666667")


def test_results_ignore_the_callers_decimal_context(table: IndicatorTable) -> None:
    reference = labor_productivity_parity(table, "KOR", 2013)
    with localcontext() as ctx:
        ctx.prec = 3
        ctx.rounding = ROUND_DOWN
        assert labor_productivity_parity(table, "KOR", 2013) == reference


def test_comparison_with_official_rates_for_2013(table: IndicatorTable) -> None:
    comparison = compare_with_official(table, 2013)
    compared = {c.iso3 for c in comparison.countries}
    # 41 OECD wage countries minus the anchor; HRV, LTU and LVA via the legal euro rates
    assert len(compared) == 40
    assert ANCHOR_ISO3 not in compared
    assert {"HRV", "LTU", "LVA"} <= compared
    assert {s.reason for s in comparison.skipped} == {"INPUTS_MISSING"}
    assert len(comparison.countries) + len(comparison.skipped) == 217 - 1

    japan = next(c for c in comparison.countries if c.iso3 == "JPN")
    with localcontext() as ctx:
        ctx.prec = 60
        expected = (
            (japan.rate.local_per_usd - japan.official_local_per_usd)
            / (japan.official_local_per_usd)
            * 100
        )
    assert _close(japan.percentage_error, expected)
    assert japan.absolute_percentage_error == abs(japan.percentage_error)

    mape = comparison.median_absolute_percentage_error
    assert mape == median(c.absolute_percentage_error for c in comparison.countries)
    assert mape is not None and mape.quantize(Decimal("0.01")) == Decimal("9.95")

    with_anchor = compare_with_official(table, 2013, include_anchor=True)
    assert len(with_anchor.countries) == 41


def test_median() -> None:
    assert median([]) is None
    assert median([Decimal(3), Decimal(1), Decimal(2)]) == 2
    assert median([Decimal(4), Decimal(1), Decimal(2), Decimal(3)]) == Decimal("2.5")


# ntb.common.v1.Decimal: optional "-", digits, optional "." and digits; <= 38 digits.
_COMMON_DECIMAL = re.compile(r"-?[0-9]+(\.[0-9]+)?")


def test_every_quote_renders_as_a_common_decimal(table: IndicatorTable) -> None:
    assert to_plain_string(Decimal("1E+5")) == "100000"
    assert to_plain_string(Decimal("8.1E-7")) == "0.00000081"
    with pytest.raises(ValueError):
        to_plain_string(Decimal("NaN"))
    for info in table.countries():
        for year in info.parity_years:
            rate = labor_productivity_parity(table, info.iso3, year)
            for value in (rate.local_per_usd, rate.usd_per_local):
                text = to_plain_string(value)
                assert _COMMON_DECIMAL.fullmatch(text), text
                assert len(text.replace("-", "").replace(".", "").lstrip("0")) <= 38
                assert Decimal(text) == value
            for source_row in rate.inputs:
                assert "E" not in source_row.value
