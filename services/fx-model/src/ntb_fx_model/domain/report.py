"""The comparison of a year as Markdown, for the README (and checked against it by a test,
so the published numbers are the code's numbers on the packaged data)."""

from __future__ import annotations

from decimal import Decimal

from .comparison import summaries
from .errors import FxModelError
from .indicators import IndicatorTable
from .parity import RateModel, compare_with_official

_PLACES_RATE = Decimal("0.0001")
_PLACES_PERCENT = Decimal("0.1")


def _number(value: Decimal | None, places: Decimal) -> str:
    return "-" if value is None else f"{value.quantize(places):,}"


def _share(value: Decimal | None) -> str:
    return "-" if value is None else f"{(value * 100).quantize(Decimal(1))}%"


def country_table(table: IndicatorTable, year: int) -> list[str]:
    """One line per compared country under labor productivity parity."""
    comparison = compare_with_official(table, year)
    lines = [
        "| iso3 | country | currency | model (local/USD) | official (local/USD) | error % |",
        "|---|---|---|---:|---:|---:|",
    ]
    for c in comparison.countries:
        lines.append(
            f"| {c.iso3} | {c.country} | {c.rate.currency} "
            f"| {_number(c.rate.local_per_usd, _PLACES_RATE)} "
            f"| {_number(c.official_local_per_usd, _PLACES_RATE)} "
            f"| {_number(c.percentage_error, _PLACES_PERCENT)} |"
        )
    return lines


def summary_table(table: IndicatorTable, year: int) -> list[str]:
    """Per model and group: countries, median APE, shares within 10% and 25%; a model
    the data cannot serve is listed with the reason."""
    lines = [
        "| model | group | countries | median abs. % error | within 10% | within 25% |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for model in RateModel:
        try:
            comparison = compare_with_official(table, year, model=model)
        except FxModelError as error:
            lines.append(f"| {model.value} | - | 0 | {error.reason} | - | - |")
            continue
        for s in summaries(table, comparison):
            lines.append(
                f"| {model.value} | {s.group}: {s.description} | {s.country_count} "
                f"| {_number(s.median_absolute_percentage_error, Decimal('0.01'))} "
                f"| {_share(s.share_within_10_percent)} | {_share(s.share_within_25_percent)} |"
            )
    return lines


def comparison_markdown(table: IndicatorTable, year: int) -> str:
    skipped = compare_with_official(table, year).skipped
    reasons: dict[str, int] = {}
    for s in skipped:
        reasons[s.reason] = reasons.get(s.reason, 0) + 1
    counts = ", ".join(f"{n} {reason}" for reason, n in sorted(reasons.items()))
    return "\n".join([
        *summary_table(table, year),
        "",
        *country_table(table, year),
        "",
        f"Not compared in {year} (USA excluded, error 0 by construction): {counts}.",
    ]) + "\n"
