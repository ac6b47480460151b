"""Summaries of a model-against-official comparison, to test the paper's claim (3.4.5):
"the official exchange rates and model results are relatively close for common
countries, while the errors are larger for some small countries".

A summary gives the count, the median absolute percentage error (APE) and the shares
of countries within 10% and within 25% of the official rate. The breakdown splits the
compared countries by population of the compared year into small (below
`SMALL_POPULATION_MAX`) and large, so the claim is shown or refuted by the numbers.
Shares are fractions in [0, 1], computed in `PARITY_CONTEXT`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from .indicators import IndicatorTable
from .parity import PARITY_CONTEXT, CountryComparison, OfficialComparison, median

SMALL_POPULATION_MAX = 10_000_000  # people; "small" countries have fewer
WITHIN_NARROW_PERCENT = Decimal(10)
WITHIN_WIDE_PERCENT = Decimal(25)
GROUP_ALL = "all"
GROUP_SMALL = "small"
GROUP_LARGE = "large"
GROUP_POPULATION_UNKNOWN = "population_unknown"


@dataclass(frozen=True)
class ComparisonSummary:
    """How close a group of countries' model rates are to their official rates."""

    group: str
    description: str
    country_count: int
    median_absolute_percentage_error: Decimal | None
    share_within_10_percent: Decimal | None
    share_within_25_percent: Decimal | None


def summarize(
    group: str, description: str, countries: Sequence[CountryComparison]
) -> ComparisonSummary:
    """The summary of `countries`; the error figures are None for an empty group."""
    errors = [c.absolute_percentage_error for c in countries]
    return ComparisonSummary(
        group=group,
        description=description,
        country_count=len(countries),
        median_absolute_percentage_error=median(errors),
        share_within_10_percent=_share(errors, WITHIN_NARROW_PERCENT),
        share_within_25_percent=_share(errors, WITHIN_WIDE_PERCENT),
    )


def summaries(table: IndicatorTable, comparison: OfficialComparison) -> list[ComparisonSummary]:
    """The summary of every compared country, then of small and large countries (and of
    those without a population, when there are any)."""
    small: list[CountryComparison] = []
    large: list[CountryComparison] = []
    unknown: list[CountryComparison] = []
    for country in comparison.countries:
        row = table.get(country.iso3, comparison.year)
        population = None if row is None else row.population
        if population is None:
            unknown.append(country)
        elif population < SMALL_POPULATION_MAX:
            small.append(country)
        else:
            large.append(country)
    limit = f"{SMALL_POPULATION_MAX:,}"
    result = [
        summarize(GROUP_ALL, "every compared country", comparison.countries),
        summarize(GROUP_SMALL, f"population below {limit} in {comparison.year}", small),
        summarize(GROUP_LARGE, f"population of {limit} or more in {comparison.year}", large),
    ]
    if unknown:
        result.append(summarize(GROUP_POPULATION_UNKNOWN, "no population in the data", unknown))
    return result


def _share(errors: Sequence[Decimal], limit_percent: Decimal) -> Decimal | None:
    if not errors:
        return None
    ctx = PARITY_CONTEXT.copy()
    within = sum(1 for error in errors if error <= limit_percent)
    return ctx.divide(Decimal(within), Decimal(len(errors)))
