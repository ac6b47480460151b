"""The domain beyond the parity rate: the other rate models, World Bank files, the table
writer, comparison summaries and the currency anchor.

Proves that:
- every model gives exactly 1 for the USA and matches a hand computation from the cells
  (Y/w with Y = G x population; Y/(L w) and Y/L with an uploaded labor force; the
  direct labor value w_d / w_f); P = 1/R and e = P_d / P_f;
- the models that need L refuse with LABOR_FORCE_MISSING when the year has no labor
  force (population is never used instead), and name a missing country's cell otherwise;
- a World Bank WDI file (preamble, years as columns, aggregates) replaces one column,
  keeps values its blank cells do not give, adds rows, ignores years before the table's
  first year, and every problem (negative, not a number, unknown code, unknown or mixed
  indicator, no header) is reported at once with its field;
- writing a table and reading it back gives the same table (the packaged one included);
- summaries count shares within 10% and 25% and split small and large countries;
- the anchor refuses without a price and uses China's model rate when it exists.
How: the packaged table and small tables built with the `indicator_csv` fixture.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal, localcontext

import pytest

from ntb_fx_model.domain import (
    IndicatorsInvalidError,
    InputsMissingError,
    labor_productivity_parity,
    load_default_indicators,
    load_indicators,
)
from ntb_fx_model.domain.anchor import CnyRateBasis, CoinPrice, CoinPriceUnknownError, anchor_rates
from ntb_fx_model.domain.comparison import summaries
from ntb_fx_model.domain.errors import LaborForceUnavailableError
from ntb_fx_model.domain.indicator_writer import dump_indicators
from ntb_fx_model.domain.parity import RateModel, compare_with_official
from ntb_fx_model.domain.world_bank import merge_world_bank_csv

CsvBuilder = Callable[..., str]
TOLERANCE = Decimal("1e-20")
PRICE = CoinPrice(Decimal("2"), 1, datetime(2026, 11, 27, tzinfo=UTC))


def close(a: Decimal, b: Decimal) -> bool:
    with localcontext() as ctx:
        ctx.prec = 60
        return abs(a - b) <= TOLERANCE * abs(b)


def two_countries(indicator_csv: CsvBuilder, **japan: str) -> str:
    return indicator_csv(
        {},
        {"iso3": "JPN", "country": "Japan", "gdp_per_capita_usd": "40000",
         "avg_wage_lcu": "4000000", "wage_currency": "JPY", "rate_currency": "JPY",
         "official_rate_lcu_per_usd": "100", "population": "127000000", **japan},
    )


def with_labor_force(text: str, usa: str, japan: str) -> str:
    lines = text.splitlines()
    lines[0] += ",labor_force,source_labor_force"
    lines[1] += f",{usa},test:lf"
    lines[2] += f",{japan},test:lf" if japan else ",,"
    return "\n".join(lines) + "\n"


def test_every_model_matches_a_hand_computation(indicator_csv: CsvBuilder) -> None:
    text = with_labor_force(two_countries(indicator_csv),
                            "150000000", "65000000")
    table = load_indicators(text)
    g_f, n_f, w_f, l_f = Decimal("53291.1276891406"), 316726282, Decimal("55779.937"), 150000000
    g_d, n_d, w_d, l_d = Decimal(40000), 127000000, Decimal(4000000), 65000000
    with localcontext() as ctx:
        ctx.prec = 60
        expected = {
            RateModel.LABOR_PRODUCTIVITY_PARITY: (g_f / w_f) / (g_d / w_d),
            RateModel.OUTPUT_PER_WAGE: (g_f * n_f / w_f) / (g_d * n_d / w_d),
            RateModel.OUTPUT_PER_WORKER: (g_f * n_f / l_f) / (g_d * n_d / l_d),
            RateModel.OUTPUT_PER_WORKER_WAGE: (g_f * n_f / (l_f * w_f)) / (g_d * n_d / (l_d * w_d)),
            RateModel.DIRECT_LABOR_VALUE: w_d / w_f,
        }
    for model, value in expected.items():
        rate = labor_productivity_parity(table, "JPN", 2013, model)
        assert close(rate.local_per_usd, value), model
        assert labor_productivity_parity(table, "USA", 2013, model).local_per_usd == 1
        assert rate.price_level is not None and rate.anchor_price_level is not None
        assert close(rate.price_level / rate.anchor_price_level, rate.local_per_usd)
        assert rate.productivity is not None
        assert close(rate.productivity * rate.price_level, Decimal(1))


def test_models_needing_workers_refuse_without_them(indicator_csv: CsvBuilder) -> None:
    table = load_indicators(two_countries(indicator_csv))
    with pytest.raises(LaborForceUnavailableError) as caught:
        labor_productivity_parity(table, "JPN", 2013, RateModel.OUTPUT_PER_WORKER)
    assert caught.value.reason == "LABOR_FORCE_MISSING"
    assert "population is not L" in caught.value.message
    with pytest.raises(LaborForceUnavailableError):
        compare_with_official(load_default_indicators(), 2013,
                              model=RateModel.OUTPUT_PER_WORKER_WAGE)
    partial = load_indicators(with_labor_force(
        two_countries(indicator_csv), "150000000", ""))
    with pytest.raises(InputsMissingError) as missing:
        labor_productivity_parity(partial, "JPN", 2013, RateModel.OUTPUT_PER_WORKER)
    assert [str(m) for m in missing.value.missing] == ["JPN 2013 labor_force"]


def wdi(code: str, rows: list[tuple[str, str, str, str]]) -> str:
    lines = ['"Data Source","World Development Indicators",', "",
             '"Last Updated Date","2025-07-01",', "",
             '"Country Name","Country Code","Indicator Name","Indicator Code","2009","2013",']
    lines += [f'"{n}","{c}","x","{code}","{a}","{b}",' for n, c, a, b in rows]
    return "\n".join(lines) + "\n"


def test_world_bank_file_replaces_one_column(indicator_csv: CsvBuilder) -> None:
    table = load_indicators(two_countries(indicator_csv))
    text = wdi("PA.NUS.FCRF", [("United States", "USA", "1", ""), ("Japan", "JPN", "5", "97.6"),
                               ("World", "WLD", "", "1"), ("Korea, Rep.", "KOR", "", "1095")])
    merged = merge_world_bank_csv(table, text, source="upload")
    assert (merged.indicator_code, merged.values_applied, merged.aggregates_skipped) == \
        ("PA.NUS.FCRF", 2, 1)
    japan = merged.table.require("JPN", 2013)
    assert japan.official_rate_lcu_per_usd == Decimal("97.6")
    assert japan.source_rate == "upload (PA.NUS.FCRF)"
    assert japan.avg_wage_lcu == Decimal(4000000)  # other columns kept
    assert merged.table.require("USA", 2013).official_rate_lcu_per_usd == 1  # blank: kept
    assert merged.table.get("JPN", 2009) is None  # before the table's first year
    korea = merged.table.require("KOR", 2013)
    assert korea.official_rate_lcu_per_usd == 1095 and korea.avg_wage_lcu is None


def test_world_bank_problems_are_all_reported(indicator_csv: CsvBuilder) -> None:
    table = load_indicators(two_countries(indicator_csv))
    text = wdi("NY.GDP.PCAP.CD", [("Japan", "JPN", "", "-1"), ("Nowhere", "QQQ", "", "1"),
                                  ("Korea", "KOR", "", "lots")])
    with pytest.raises(IndicatorsInvalidError) as caught:
        merge_world_bank_csv(table, text, source="upload")
    assert {p.field for p in caught.value.problems} == {
        "rows[0].2013", "rows[1].Country Code", "rows[2].2013"}
    mixed = wdi("NY.GDP.PCAP.CD", [("Japan", "JPN", "", "1")]) + \
        '"Korea","KOR","x","SP.POP.TOTL","","5",\n"Chad","TCD","x","XX.YY","","5",\n'
    with pytest.raises(IndicatorsInvalidError) as caught:
        merge_world_bank_csv(table, mixed, source="upload")
    assert {p.field for p in caught.value.problems} == {"rows[2].Indicator Code", "rows"}
    with pytest.raises(IndicatorsInvalidError) as caught:
        merge_world_bank_csv(table, "iso3,year\nJPN,2013\n", source="upload")
    assert [p.field for p in caught.value.problems] == ["header"]


def test_written_tables_read_back_identical() -> None:
    table = load_default_indicators()
    assert load_indicators(dump_indicators(table)) == table


def test_summaries_split_small_and_large_countries() -> None:
    table = load_default_indicators()
    comparison = compare_with_official(table, 2013)
    every, small, large = summaries(table, comparison)
    assert (every.group, small.group, large.group) == ("all", "small", "large")
    assert small.country_count + large.country_count == every.country_count == 40
    within_10 = sum(1 for c in comparison.countries if c.absolute_percentage_error <= 10)
    assert every.share_within_10_percent == Decimal(within_10) / 40
    assert every.median_absolute_percentage_error == comparison.median_absolute_percentage_error
    luxembourg = table.require("LUX", 2013)
    assert luxembourg.population is not None and luxembourg.population < 10_000_000


def test_anchor_needs_a_price_and_prefers_chinas_model_rate(indicator_csv: CsvBuilder) -> None:
    table = load_default_indicators()
    with pytest.raises(CoinPriceUnknownError):
        anchor_rates(table, 2013, None)
    official = anchor_rates(table, 2013, PRICE, countries=["JPN"])
    assert official.cny_per_usd_basis is CnyRateBasis.OFFICIAL
    assert official.cny_per_usd == table.require("CHN", 2013).official_rate_lcu_per_usd

    with_china = load_indicators(indicator_csv(
        {}, {"iso3": "CHN", "country": "China", "gdp_per_capita_usd": "7000",
             "avg_wage_lcu": "51000", "wage_currency": "CNY", "rate_currency": "CNY",
             "official_rate_lcu_per_usd": "6.2"}))
    anchored = anchor_rates(with_china, 2013, PRICE)
    assert anchored.cny_per_usd_basis is CnyRateBasis.MODEL
    china = next(a for a in anchored.rates if a.iso3 == "CHN")
    assert close(china.local_per_lbc, PRICE.price_cny)  # CNY per LBC is the price itself
