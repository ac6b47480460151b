"""Events fx-model publishes (past tense), as plain data; adapters encode them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from .anchor import CoinPrice, anchor_rates
from .errors import (
    CountryYearNotFoundError,
    CurrencyMismatchError,
    FxModelError,
    InputsMissingError,
)
from .indicators import IndicatorTable
from .parity import ANCHOR_ISO3, ParityRate, labor_productivity_parity


@dataclass(frozen=True)
class RatesUpdated:
    """A new set of model rates: a data set was loaded or the coin price moved.

    `lbc_per_local` maps a country code to its anchor value (empty without a coin price
    or a CNY rate).
    """

    dataset_id: str
    year: int
    rates: tuple[ParityRate, ...]
    lbc_per_local: dict[str, Decimal]
    updated_at: datetime


def latest_rate_year(table: IndicatorTable) -> int | None:
    """The latest year whose USA row has the parity inputs (None when no year has)."""
    for year in reversed(table.years()):
        try:
            labor_productivity_parity(table, ANCHOR_ISO3, year)
        except FxModelError:
            continue
        return year
    return None


def rates_updated(
    table: IndicatorTable, dataset_id: str, price: CoinPrice | None, now: datetime
) -> RatesUpdated | None:
    """The event for the table's latest rate year; None when no year has rates."""
    year = latest_rate_year(table)
    if year is None:
        return None
    rates: list[ParityRate] = []
    for row in table.rows_for_year(year):
        try:
            rates.append(labor_productivity_parity(table, row.iso3, year))
        except (InputsMissingError, CurrencyMismatchError, CountryYearNotFoundError):
            continue
    anchored: dict[str, Decimal] = {}
    if price is not None:
        try:
            anchor = anchor_rates(table, year, price)
        except FxModelError:
            anchor = None
        if anchor is not None:
            anchored = {a.iso3: a.lbc_per_local for a in anchor.rates}
    return RatesUpdated(dataset_id, year, tuple(rates), anchored, now)
