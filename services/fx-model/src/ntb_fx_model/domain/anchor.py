"""The currency anchor: each currency's value in Labor Coin (LBC).

laborcoin quotes the coin in CNY per LBC. With a model rate in local units per USD and
CNY per USD, one LBC is worth

    local_per_lbc = price_cny_per_lbc x local_per_usd / cny_per_usd

local units, and one local unit is worth the reciprocal in LBC (computed directly, in
`PARITY_CONTEXT`). CNY per USD is China's model rate when it can be computed, otherwise
China's official rate of the same year (the packaged data have no Chinese wage), and
the basis used is reported. Without a price the anchor is refused, never guessed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import ClassVar

from .errors import (
    CountryYearNotFoundError,
    CurrencyMismatchError,
    FxModelError,
    InputsMissingError,
)
from .indicators import IndicatorTable
from .parity import (
    PARITY_CONTEXT,
    ParityRate,
    RateModel,
    SkippedCountry,
    labor_productivity_parity,
)

CHINA_ISO3 = "CHN"


class CnyRateBasis(StrEnum):
    MODEL = "MODEL"
    OFFICIAL = "OFFICIAL"


@dataclass(frozen=True)
class CoinPrice:
    """A Labor Coin price point from laborcoin's `price.updated` event."""

    price_cny: Decimal
    sequence: int
    effective_at: datetime


@dataclass(frozen=True)
class AnchorRate:
    iso3: str
    currency: str | None
    local_per_lbc: Decimal
    lbc_per_local: Decimal
    rate: ParityRate


@dataclass(frozen=True)
class AnchorRates:
    year: int
    model: RateModel
    price: CoinPrice
    cny_per_usd: Decimal
    cny_per_usd_basis: CnyRateBasis
    rates: tuple[AnchorRate, ...]
    skipped: tuple[SkippedCountry, ...]


class CoinPriceUnknownError(FxModelError):
    """No Labor Coin price has arrived from laborcoin yet."""

    reason: ClassVar[str] = "COIN_PRICE_UNKNOWN"

    def __init__(self) -> None:
        super().__init__(
            "no Labor Coin price has been received from laborcoin (price.updated) yet; "
            "the anchor needs the coin's CNY price and never assumes one"
        )


class CnyRateUnknownError(FxModelError):
    """Neither a model nor an official CNY-per-USD rate exists for the year."""

    reason: ClassVar[str] = "CNY_RATE_MISSING"

    def __init__(self, year: int) -> None:
        self.year = year
        super().__init__(f"no model or official CNY per USD rate for {year}")

    @property
    def metadata(self) -> dict[str, str]:
        return {"year": str(self.year)}


def cny_per_usd(
    table: IndicatorTable, year: int, model: RateModel
) -> tuple[Decimal, CnyRateBasis]:
    try:
        return labor_productivity_parity(table, CHINA_ISO3, year, model).local_per_usd, \
            CnyRateBasis.MODEL
    except (InputsMissingError, CurrencyMismatchError, CountryYearNotFoundError):
        pass
    row = table.get(CHINA_ISO3, year)
    if row is None or row.official_rate_lcu_per_usd is None:
        raise CnyRateUnknownError(year)
    return row.official_rate_lcu_per_usd, CnyRateBasis.OFFICIAL


def anchor_rates(
    table: IndicatorTable,
    year: int,
    price: CoinPrice | None,
    *,
    model: RateModel = RateModel.LABOR_PRODUCTIVITY_PARITY,
    countries: Sequence[str] = (),
) -> AnchorRates:
    """Every requested country's value in LBC (all countries of the year when none are
    named); countries without a model rate are listed in `skipped` with the reason."""
    if price is None:
        raise CoinPriceUnknownError()
    cny, basis = cny_per_usd(table, year, model)
    codes = list(countries) or [row.iso3 for row in table.rows_for_year(year)]
    ctx = PARITY_CONTEXT.copy()
    rates: list[AnchorRate] = []
    skipped: list[SkippedCountry] = []
    for iso3 in sorted(set(codes)):
        row = table.get(iso3, year)
        name = "" if row is None else row.country
        try:
            rate = labor_productivity_parity(table, iso3, year, model)
        except (InputsMissingError, CurrencyMismatchError, CountryYearNotFoundError) as error:
            skipped.append(SkippedCountry(iso3, name, error.reason, error.message))
            continue
        local = ctx.multiply(price.price_cny, rate.local_per_usd)
        rates.append(AnchorRate(
            iso3=iso3,
            currency=rate.currency,
            local_per_lbc=ctx.divide(local, cny),
            lbc_per_local=ctx.divide(cny, local),
            rate=rate,
        ))
    return AnchorRates(year, model, price, cny, basis, tuple(rates), tuple(skipped))
