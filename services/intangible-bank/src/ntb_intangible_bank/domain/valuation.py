"""Valuation by the cost, income (relief from royalty) and market approaches, and
their reconciliation. Pure Decimal arithmetic in one explicit context; money in fen,
rounded half-even to the fen only at the end of each approach."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from decimal import ROUND_HALF_EVEN, Context, Decimal, localcontext

from ntbkit.errors import FailedPrecondition

CONTEXT = Context(prec=34, rounding=ROUND_HALF_EVEN)
ONE = Decimal(1)
ZERO = Decimal(0)
ONE_POINT = Decimal("0.01")
MARKET_COMPARABLES_MIN = 3
DEFAULT_TAX_RATE = Decimal("0.25")
WEIGHT_STEP = Decimal("0.000001")


def fen(amount: Decimal) -> int:
    return int(amount.quantize(ONE, rounding=ROUND_HALF_EVEN))


@dataclass(frozen=True)
class CreatorLabor:
    principal_id: str
    hours: Decimal
    hourly_value_fen: int
    # Priced from the person's value wave (identity), not pinned by the request: a new
    # value-wave price revalues the asset.
    from_value_wave: bool = False


@dataclass(frozen=True)
class CostInputs:
    labor: tuple[CreatorLabor, ...]
    direct_costs_fen: int
    indirect_costs_fen: int
    developer_profit_rate: Decimal
    physical_obsolescence: Decimal
    functional_obsolescence: Decimal
    economic_obsolescence: Decimal


def repriced(inputs: CostInputs, principal_id: str, hourly_value_fen: int) -> CostInputs | None:
    """The inputs with the person's new value-wave price; None when nothing changes."""
    labor = tuple(
        replace(line, hourly_value_fen=hourly_value_fen)
        if line.from_value_wave and line.principal_id == principal_id else line
        for line in inputs.labor)
    return None if labor == inputs.labor else replace(inputs, labor=labor)


@dataclass(frozen=True)
class IncomeInputs:
    annual_revenues_fen: tuple[int, ...]
    royalty_rate: Decimal
    discount_rate: Decimal
    tax_rate: Decimal
    economic_life_years: int


@dataclass(frozen=True)
class Comparable:
    agreement_id: str
    price_fen: int
    similarity: Decimal
    adjustment: Decimal
    description: str


@dataclass(frozen=True)
class MarketInputs:
    comparables: tuple[Comparable, ...]


@dataclass(frozen=True)
class Weights:
    cost: Decimal
    income: Decimal
    market: Decimal


@dataclass(frozen=True)
class ApproachResult:
    applicable: bool
    value_fen: int
    explanation: str


@dataclass(frozen=True)
class Sensitivity:
    rate_minus: Decimal
    value_minus_fen: int
    rate_plus: Decimal
    value_plus_fen: int


@dataclass
class Valuation:
    valuation_id: str
    asset_id: str
    valued_at: datetime
    cost: ApproachResult
    income: ApproachResult
    market: ApproachResult
    weights: Weights
    reconciled_value_fen: int
    spread: Decimal
    cost_inputs: CostInputs
    income_inputs: IncomeInputs | None
    market_inputs: MarketInputs
    requested_by: str
    sensitivity: Sensitivity | None
    trigger: str
    asked_weights: Weights | None

    def approach_values(self) -> list[int]:
        return [r.value_fen for r in (self.cost, self.income, self.market) if r.applicable]

    @property
    def lowest_value_fen(self) -> int:
        """The lower of the valuations: the collateral value of a pledge."""
        return min(self.approach_values())


def cost_approach(inputs: CostInputs) -> ApproachResult:
    with localcontext(CONTEXT):
        labor = sum((item.hours * item.hourly_value_fen for item in inputs.labor), ZERO)
        base = labor + inputs.direct_costs_fen + inputs.indirect_costs_fen
        replacement = base * (ONE + inputs.developer_profit_rate)
        keep = ((ONE - inputs.physical_obsolescence) * (ONE - inputs.functional_obsolescence)
                * (ONE - inputs.economic_obsolescence))
        value = fen(replacement * keep)
    if base <= 0:
        return ApproachResult(False, 0, "no labor or costs to value")
    return ApproachResult(True, value, (
        f"labor {fen(labor)} fen + direct {inputs.direct_costs_fen} + indirect "
        f"{inputs.indirect_costs_fen}, x (1 + profit {inputs.developer_profit_rate}), x "
        f"(1 - physical {inputs.physical_obsolescence}) x (1 - functional "
        f"{inputs.functional_obsolescence}) x (1 - economic {inputs.economic_obsolescence})"))


def income_years(inputs: IncomeInputs, remaining_life_days: int | None) -> int:
    if remaining_life_days is None:
        return inputs.economic_life_years
    return min(remaining_life_days // 365, inputs.economic_life_years)


def relief_from_royalty(inputs: IncomeInputs, years: int, royalty_rate: Decimal) -> int:
    with localcontext(CONTEXT):
        total = ZERO
        revenues = inputs.annual_revenues_fen
        for year in range(1, years + 1):
            revenue = revenues[min(year, len(revenues)) - 1]
            total += (revenue * royalty_rate * (ONE - inputs.tax_rate)
                      / (ONE + inputs.discount_rate) ** year)
        return fen(total)


def income_approach(inputs: IncomeInputs | None, remaining_life_days: int | None
                    ) -> tuple[ApproachResult, Sensitivity | None]:
    if inputs is None:
        return ApproachResult(False, 0, "no income inputs given"), None
    years = income_years(inputs, remaining_life_days)
    if years == 0:
        return ApproachResult(False, 0, "no whole year of legal life remains"), None
    value = relief_from_royalty(inputs, years, inputs.royalty_rate)
    with localcontext(CONTEXT):
        minus = max(ZERO, inputs.royalty_rate - ONE_POINT)
        plus = min(ONE, inputs.royalty_rate + ONE_POINT)
    sensitivity = Sensitivity(minus, relief_from_royalty(inputs, years, minus),
                              plus, relief_from_royalty(inputs, years, plus))
    return ApproachResult(True, value, (
        f"{years} years (min of remaining legal life and economic life "
        f"{inputs.economic_life_years}) of revenue x royalty {inputs.royalty_rate} x "
        f"(1 - tax {inputs.tax_rate}) discounted at {inputs.discount_rate}")), sensitivity


def market_approach(inputs: MarketInputs) -> ApproachResult:
    with localcontext(CONTEXT):
        prices = sorted(fen(c.price_fen * c.adjustment) for c in inputs.comparables
                        if c.similarity > 0)
        if len(prices) < MARKET_COMPARABLES_MIN:
            return ApproachResult(False, 0, f"{len(prices)} comparables; at least "
                                  f"{MARKET_COMPARABLES_MIN} needed")
        middle = len(prices) // 2
        median = (Decimal(prices[middle]) if len(prices) % 2
                  else (Decimal(prices[middle - 1]) + prices[middle]) / 2)
        return ApproachResult(True, fen(median),
                              f"median of {len(prices)} adjusted comparable prices")


def reconcile(cost: ApproachResult, income: ApproachResult, market: ApproachResult,
              asked: Weights | None) -> tuple[Weights, int, Decimal]:
    results = (cost, income, market)
    raw = (asked.cost, asked.income, asked.market) if asked else (ONE, ONE, ONE)
    with localcontext(CONTEXT):
        used = [w if r.applicable else ZERO for w, r in zip(raw, results, strict=True)]
        total = sum(used, ZERO)
        if total == 0:
            raise FailedPrecondition(
                "NO_APPLICABLE_APPROACH",
                "no approach with a positive weight could be applied to this asset")
        weights = [w / total for w in used]
        value = fen(sum((w * r.value_fen for w, r in zip(weights, results, strict=True)),
                        ZERO))
        values = [r.value_fen for r in results if r.applicable]
        spread = (Decimal(max(values) - min(values)) / value).quantize(
            Decimal("0.0001")) if value else ZERO
    shown = [w.quantize(WEIGHT_STEP) for w in weights]  # the value used them unrounded
    return Weights(*shown), value, spread
