"""Labor productivity parity (paper section 3.4) and its comparison with official rates.

With G the GDP per capita in USD and w the average annual wage in local currency
(a monthly wage is annualised as w x 12), productivity is R = G / w. The predicted
exchange rate of a domestic currency d against the foreign anchor f = USA is

    local per USD:  e = R_f / R_d = (G_f / w_f) / (G_d / w_d)
    USD per local:  1 / e         = (G_d / w_d) / (G_f / w_f)   (the paper's printed form)

Both quotes are computed directly from the inputs (not one as the reciprocal of the
other) in one explicit context, `PARITY_CONTEXT` (28 significant digits, banker's
rounding, traps on invalid operations, division by zero and overflow; each call works
on its own copy, so the shared template's flags never change). For the anchor itself
both quotes are exactly 1.

Every result carries the exact input cells used (`SourceRow`: country, year, column,
value, source) so each rate can be traced to the rows of the data set.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import (
    ROUND_HALF_EVEN,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
)
from enum import StrEnum

from .errors import (
    CountryYearNotFoundError,
    CurrencyMismatchError,
    FieldProblem,
    IndicatorsInvalidError,
    InputsMissingError,
    LaborForceUnavailableError,
    MissingInput,
)
from .indicators import (
    COL_GDP,
    COL_LABOR_FORCE,
    COL_POPULATION,
    COL_RATE,
    COL_WAGE,
    COL_WAGE_PERIOD,
    IndicatorRow,
    IndicatorTable,
)

PARITY_CONTEXT = Context(
    prec=28,
    rounding=ROUND_HALF_EVEN,
    Emin=-999_999,
    Emax=999_999,
    capitals=1,
    clamp=0,
    flags=[],
    traps=[InvalidOperation, DivisionByZero, Overflow],
)

ANCHOR_ISO3 = "USA"
ANCHOR_CURRENCY = "USD"
MONTHS_PER_YEAR = Decimal(12)
_ONE = Decimal(1)
_HUNDRED = Decimal(100)


class RateModel(StrEnum):
    """How productivity R is measured (paper 3.4.1); every model predicts e = R_f / R_d.

    G is GDP per capita (USD), w the annual wage (local currency), Y = G x population the
    output (USD), L the number of workers (labor force; not in the packaged data).
    """

    LABOR_PRODUCTIVITY_PARITY = "LABOR_PRODUCTIVITY_PARITY"  # R = G / w (paper 3.4.2)
    OUTPUT_PER_WORKER = "OUTPUT_PER_WORKER"  # R = Y / L
    OUTPUT_PER_WAGE = "OUTPUT_PER_WAGE"  # R = Y / w
    OUTPUT_PER_WORKER_WAGE = "OUTPUT_PER_WORKER_WAGE"  # R = Y / (L w)
    # The variant the paper rejected (3.4.5): one unit of labor is worth the same
    # everywhere, so R = 1 / w and e = w_d / w_f (wages compared directly).
    DIRECT_LABOR_VALUE = "DIRECT_LABOR_VALUE"


EURO = "EUR"
EURO_CONVERSION_COLUMN = "euro_conversion_rate"
# National currency units per EUR, irrevocably fixed when each country adopted the euro
# (Estonia 2011, Latvia 2014, Lithuania 2015, Croatia 2023). OECD states these countries'
# wages in EUR for every year, converted at exactly these rates (data/SOURCES.md), so
# multiplying by them gives the wage back in the currency of the World Bank's official
# rate for the pre-euro years.
EURO_CONVERSION_RATES: dict[str, Decimal] = {
    "EEK": Decimal("15.6466"),
    "LVL": Decimal("0.702804"),
    "LTL": Decimal("3.45280"),
    "HRK": Decimal("7.53450"),
}


@dataclass(frozen=True)
class EuroConversion:
    currency: str
    units_per_euro: Decimal
    source: str


# The data-set columns each model reads, for the country and for the USA.
MODEL_INPUTS: dict[RateModel, tuple[str, ...]] = {
    RateModel.LABOR_PRODUCTIVITY_PARITY: (COL_GDP, COL_WAGE),
    RateModel.OUTPUT_PER_WORKER: (COL_GDP, COL_POPULATION, COL_LABOR_FORCE),
    RateModel.OUTPUT_PER_WAGE: (COL_GDP, COL_POPULATION, COL_WAGE),
    RateModel.OUTPUT_PER_WORKER_WAGE: (COL_GDP, COL_POPULATION, COL_LABOR_FORCE, COL_WAGE),
    RateModel.DIRECT_LABOR_VALUE: (COL_WAGE,),
}


@dataclass(frozen=True)
class SourceRow:
    """One input cell: which country-year row, which column, its value and its source."""

    iso3: str
    year: int
    column: str
    value: str
    source: str


@dataclass(frozen=True)
class ParityRate:
    """The labor-productivity-parity rate of one country's currency against the USD.

    `currency` is the currency of the country's wage figure, i.e. the "local" unit of
    both quotes (for euro members this is EUR). `official_local_per_usd` is the World
    Bank official rate of the same row (None when the data set has none).
    """

    iso3: str
    year: int
    currency: str | None
    local_per_usd: Decimal
    usd_per_local: Decimal
    official_local_per_usd: Decimal | None
    inputs: tuple[SourceRow, ...]
    model: RateModel = RateModel.LABOR_PRODUCTIVITY_PARITY
    # R_d and R_f of the model, and the price levels P = 1 / R (e = P_d / P_f = R_f / R_d).
    productivity: Decimal | None = None
    anchor_productivity: Decimal | None = None
    price_level: Decimal | None = None
    anchor_price_level: Decimal | None = None

    def percentage_error(self) -> Decimal | None:
        """(model - official) / official x 100 on the local-per-USD quote, or None."""
        if self.official_local_per_usd is None:
            return None
        return _percentage_error(self.local_per_usd, self.official_local_per_usd)


@dataclass(frozen=True)
class CrossRate:
    """The parity rate between two countries' currencies, derived through the USD.

    `quote_per_base` is units of the quote country's currency per one unit of the base
    country's currency: (quote per USD) / (base per USD).
    """

    base_iso3: str
    quote_iso3: str
    year: int
    quote_per_base: Decimal
    base_per_quote: Decimal
    official_quote_per_base: Decimal | None
    base: ParityRate
    quote: ParityRate
    inputs: tuple[SourceRow, ...]


@dataclass(frozen=True)
class CountryComparison:
    """Model against official rate for one country, both in local units per USD."""

    iso3: str
    country: str
    rate: ParityRate
    official_local_per_usd: Decimal
    percentage_error: Decimal
    absolute_percentage_error: Decimal
    error: Decimal | None = None  # model - official, local units per USD


@dataclass(frozen=True)
class SkippedCountry:
    """A country of the year that could not be compared, with a machine-readable reason
    (`INPUTS_MISSING`, `CURRENCY_MISMATCH` or `OFFICIAL_RATE_MISSING`)."""

    iso3: str
    country: str
    reason: str
    detail: str


@dataclass(frozen=True)
class OfficialComparison:
    """Model against official rates for every country of one year.

    `median_absolute_percentage_error` is the median of `absolute_percentage_error`
    over `countries` (None when no country could be compared). The anchor (USA), whose
    error is zero by construction, is left out unless asked for.
    """

    year: int
    countries: tuple[CountryComparison, ...]
    skipped: tuple[SkippedCountry, ...]
    median_absolute_percentage_error: Decimal | None
    model: RateModel = RateModel.LABOR_PRODUCTIVITY_PARITY


def labor_productivity_parity(
    table: IndicatorTable,
    iso3: str,
    year: int,
    model: RateModel = RateModel.LABOR_PRODUCTIVITY_PARITY,
) -> ParityRate:
    """The model rate of `iso3`'s currency against the USD in `year` (e = R_f / R_d).

    Raises:
        CountryYearNotFoundError: the table has no row for `iso3` in `year`.
        LaborForceUnavailableError: the model needs the number of workers L and the
            data set has none for the year.
        InputsMissingError: an input of the country or of the USA is missing (every
            missing cell is named).
        CurrencyMismatchError: the row's wage and official rate are in different
            currencies, or the anchor's wage is not in USD.
    """
    domestic = table.require(iso3, year)
    anchor = table.get(ANCHOR_ISO3, year)
    columns = MODEL_INPUTS[model]
    if COL_LABOR_FORCE in columns and not _has_labor_force(table, year):
        raise LaborForceUnavailableError(model.value, year)

    missing = _missing_inputs(domestic, iso3, year, columns)
    if anchor is None:
        missing += [MissingInput(ANCHOR_ISO3, year, c) for c in columns]
    elif anchor is not domestic:
        missing += _missing_inputs(anchor, ANCHOR_ISO3, year, columns)
    if missing:
        raise InputsMissingError(iso3, year, missing)
    assert anchor is not None
    conversion = _wage_conversion(domestic, anchor) if COL_WAGE in columns else None

    ctx = PARITY_CONTEXT.copy()
    num_d, den_d = _productivity_terms(model, domestic, conversion)
    num_f, den_f = _productivity_terms(model, anchor, None)
    # e = R_f / R_d = (num_f / den_f) / (num_d / den_d) = (num_f * den_d) / (den_f * num_d):
    # one division, and the anchor gives the same two products, so its rate is exactly 1.
    local_per_usd = ctx.divide(ctx.multiply(num_f, den_d), ctx.multiply(den_f, num_d))
    usd_per_local = ctx.divide(ctx.multiply(num_d, den_f), ctx.multiply(den_d, num_f))

    inputs = _model_inputs(domestic, anchor, columns, conversion)
    official = domestic.official_rate_lcu_per_usd
    currency = domestic.wage_currency if COL_WAGE in columns else domestic.rate_currency
    if conversion is not None:
        currency = domestic.rate_currency
    return ParityRate(
        iso3=iso3,
        year=year,
        currency=currency,
        local_per_usd=local_per_usd,
        usd_per_local=usd_per_local,
        official_local_per_usd=official,
        inputs=tuple(inputs),
        model=model,
        productivity=ctx.divide(num_d, den_d),
        anchor_productivity=ctx.divide(num_f, den_f),
        price_level=ctx.divide(den_d, num_d),
        anchor_price_level=ctx.divide(den_f, num_f),
    )


def _productivity_terms(
    model: RateModel, row: IndicatorRow, conversion: EuroConversion | None
) -> tuple[Decimal, Decimal]:
    """R = numerator / denominator of one row under `model` (inputs already checked).
    With a conversion, the wage is brought back from EUR to the national currency."""
    ctx = PARITY_CONTEXT.copy()
    wage = _annual_wage(row) if row.avg_wage_lcu is not None else _ONE
    if conversion is not None:
        wage = ctx.multiply(wage, conversion.units_per_euro)
    if model is RateModel.DIRECT_LABOR_VALUE:
        return _ONE, wage
    gdp = _positive(row, COL_GDP, row.gdp_per_capita_usd)
    if model is RateModel.LABOR_PRODUCTIVITY_PARITY:
        return gdp, wage
    assert row.population is not None
    output = ctx.multiply(gdp, Decimal(row.population))  # Y = G x population, in USD
    if model is RateModel.OUTPUT_PER_WAGE:
        return output, wage
    assert row.labor_force is not None
    workers = Decimal(row.labor_force)
    if model is RateModel.OUTPUT_PER_WORKER:
        return output, workers
    return output, ctx.multiply(workers, wage)


def _model_inputs(
    domestic: IndicatorRow,
    anchor: IndicatorRow,
    columns: tuple[str, ...],
    conversion: EuroConversion | None,
) -> list[SourceRow]:
    inputs = _trace(domestic, _traced_columns(columns))
    if anchor is not domestic:
        inputs += _trace(anchor, _traced_columns(columns))
    if domestic.official_rate_lcu_per_usd is not None:
        inputs += _trace(domestic, (COL_RATE,))
    if conversion is not None:
        inputs.append(SourceRow(domestic.iso3, domestic.year, EURO_CONVERSION_COLUMN,
                                str(conversion.units_per_euro), conversion.source))
    return inputs


def _traced_columns(columns: tuple[str, ...]) -> tuple[str, ...]:
    return columns + ((COL_WAGE_PERIOD,) if COL_WAGE in columns else ())


def _has_labor_force(table: IndicatorTable, year: int) -> bool:
    return any(row.labor_force is not None for row in table.rows_for_year(year))


def _wage_conversion(domestic: IndicatorRow, anchor: IndicatorRow) -> EuroConversion | None:
    """The conversion that brings a pre-euro wage stated in EUR back to the currency of
    the official rate; None when both are in one currency. Any other mismatch raises."""
    conversion = None
    if (
        domestic.currency_mismatch
        and domestic.wage_currency == EURO
        and domestic.rate_currency in EURO_CONVERSION_RATES
    ):
        currency = domestic.rate_currency
        conversion = EuroConversion(
            currency, EURO_CONVERSION_RATES[currency],
            f"irrevocable euro conversion rate ({currency} per EUR) fixed by the Council of "
            "the EU at euro adoption; OECD states this wage in EUR at this rate",
        )
    else:
        _check_currencies(domestic)
    _check_currencies(anchor)
    if anchor.wage_currency not in (None, ANCHOR_CURRENCY):
        raise CurrencyMismatchError(
            ANCHOR_ISO3,
            anchor.year,
            anchor.wage_currency,
            anchor.rate_currency,
            f"the anchor's wage must be in {ANCHOR_CURRENCY}",
        )
    return conversion


def cross_rate(
    table: IndicatorTable,
    base_iso3: str,
    quote_iso3: str,
    year: int,
    model: RateModel = RateModel.LABOR_PRODUCTIVITY_PARITY,
) -> CrossRate:
    """Units of `quote_iso3`'s currency per unit of `base_iso3`'s currency in `year`,
    from the two model rates against the USD. Raises what `labor_productivity_parity`
    raises, for either country."""
    ctx = PARITY_CONTEXT.copy()
    base = labor_productivity_parity(table, base_iso3, year, model)
    quote = labor_productivity_parity(table, quote_iso3, year, model)
    official: Decimal | None = None
    if base.official_local_per_usd is not None and quote.official_local_per_usd is not None:
        official = ctx.divide(quote.official_local_per_usd, base.official_local_per_usd)
    return CrossRate(
        base_iso3=base_iso3,
        quote_iso3=quote_iso3,
        year=year,
        quote_per_base=ctx.divide(quote.local_per_usd, base.local_per_usd),
        base_per_quote=ctx.divide(base.local_per_usd, quote.local_per_usd),
        official_quote_per_base=official,
        base=base,
        quote=quote,
        inputs=_unique(base.inputs + quote.inputs),
    )


def compare_with_official(
    table: IndicatorTable,
    year: int,
    *,
    include_anchor: bool = False,
    model: RateModel = RateModel.LABOR_PRODUCTIVITY_PARITY,
) -> OfficialComparison:
    """Parity rate against official rate for every country of `year`.

    A country is compared when its parity rate can be computed and its row has an
    official rate; every other country is listed in `skipped` with the reason.
    """
    compared: list[CountryComparison] = []
    skipped: list[SkippedCountry] = []
    for row in table.rows_for_year(year):
        if row.iso3 == ANCHOR_ISO3 and not include_anchor:
            continue
        try:
            rate = labor_productivity_parity(table, row.iso3, year, model)
        except (InputsMissingError, CurrencyMismatchError, CountryYearNotFoundError) as exc:
            skipped.append(SkippedCountry(row.iso3, row.country, exc.reason, exc.message))
            continue
        official = rate.official_local_per_usd
        if official is None:
            skipped.append(
                SkippedCountry(
                    row.iso3,
                    row.country,
                    "OFFICIAL_RATE_MISSING",
                    f"no {COL_RATE} for {row.iso3} {year}",
                )
            )
            continue
        error = _percentage_error(rate.local_per_usd, official)
        compared.append(
            CountryComparison(
                iso3=row.iso3,
                country=row.country,
                rate=rate,
                official_local_per_usd=official,
                percentage_error=error,
                absolute_percentage_error=abs(error),
                error=PARITY_CONTEXT.copy().subtract(rate.local_per_usd, official),
            )
        )
    return OfficialComparison(
        year=year,
        countries=tuple(compared),
        skipped=tuple(skipped),
        median_absolute_percentage_error=median(c.absolute_percentage_error for c in compared),
        model=model,
    )


def median(values: Iterable[Decimal]) -> Decimal | None:
    """The median in `PARITY_CONTEXT` (mean of the two middle values for an even
    count); None for no values."""
    ordered = sorted(values)
    if not ordered:
        return None
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    ctx = PARITY_CONTEXT.copy()
    return ctx.divide(ctx.add(ordered[middle - 1], ordered[middle]), Decimal(2))


def to_plain_string(value: Decimal) -> str:
    """Plain decimal notation (no exponent), the text form `ntb.common.v1.Decimal` needs:
    `Decimal("1E+5")` -> "100000", `Decimal("8.1E-7")` -> "0.00000081"."""
    if not value.is_finite():
        raise ValueError(f"{value} is not a finite number")
    return format(value, "f")


def _percentage_error(model: Decimal, official: Decimal) -> Decimal:
    ctx = PARITY_CONTEXT.copy()
    return ctx.multiply(ctx.divide(ctx.subtract(model, official), official), _HUNDRED)


def _missing_inputs(
    row: IndicatorRow, iso3: str, year: int, columns: tuple[str, ...]
) -> list[MissingInput]:
    missing = [MissingInput(iso3, year, c) for c in columns if getattr(row, c) is None]
    if COL_WAGE in columns and row.avg_wage_lcu is not None and row.wage_period is None:
        missing.append(MissingInput(iso3, year, COL_WAGE_PERIOD))
    return missing


def _check_currencies(row: IndicatorRow) -> None:
    if row.currency_mismatch:
        raise CurrencyMismatchError(
            row.iso3,
            row.year,
            row.wage_currency,
            row.rate_currency,
            row.notes or "wage_currency differs from rate_currency",
        )


def _positive(row: IndicatorRow, column: str, value: Decimal | None) -> Decimal:
    # The loader guarantees this; rows built by hand are checked here so that a bad
    # value is an input error, not a decimal trap.
    if value is None or not value > 0:
        raise IndicatorsInvalidError(
            [FieldProblem(f"{row.iso3}[{row.year}].{column}", "must be greater than zero")]
        )
    return value


def _annual_wage(row: IndicatorRow) -> Decimal:
    wage = _positive(row, COL_WAGE, row.avg_wage_lcu)
    if row.wage_period == "monthly":
        return PARITY_CONTEXT.copy().multiply(wage, MONTHS_PER_YEAR)
    return wage


def _trace(row: IndicatorRow, columns: Iterable[str]) -> list[SourceRow]:
    traced: list[SourceRow] = []
    for column in columns:
        value: object = getattr(row, column)
        if value is None:
            continue
        text = to_plain_string(value) if isinstance(value, Decimal) else str(value)
        traced.append(
            SourceRow(
                iso3=row.iso3,
                year=row.year,
                column=column,
                value=text,
                source=row.source_for(column) or "",
            )
        )
    return traced


def _unique(rows: Iterable[SourceRow]) -> tuple[SourceRow, ...]:
    return tuple(dict.fromkeys(rows))
