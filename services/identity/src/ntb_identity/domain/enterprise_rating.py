"""Enterprise rating AAA..C: a points scorecard over financial ratios and repayment
behaviour, mapped to a rating by score bands (model version 1).

Points follow the scorecard sign convention (higher = lower risk). The score's odds
are read back through the personal scorecard's scaling to state a probability of
default: odds = exp((score - offset) / factor), PD = 1 / (1 + odds).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ntb_identity.domain.model import FinancialStatements
from ntb_identity.domain.numbers import CONTEXT, rounded
from ntb_identity.domain.scorecard import Reason, Scorecard

MODEL_VERSION = 1
BASE_SCORE = 600
# (feature, reason code, description, [(lower bound, points)] ascending): points of
# the highest bound the value reaches.
_TABLE: tuple[tuple[str, str, str, tuple[tuple[str, int], ...]], ...] = (
    ("equity_ratio", "HIGH_LEVERAGE", "Equity / total assets",
     (("-1000", -80), ("0.2", -20), ("0.4", 30), ("0.6", 60))),
    ("current_ratio", "WEAK_LIQUIDITY", "Current assets / current liabilities",
     (("0", -60), ("1", 0), ("1.5", 30), ("2", 50))),
    ("interest_coverage", "LOW_INTEREST_COVERAGE", "EBIT / interest expense",
     (("-1000", -60), ("1.5", 0), ("3", 30), ("8", 60))),
    ("net_margin", "LOW_PROFITABILITY", "Net income / revenue",
     (("-1000", -60), ("0", 0), ("0.05", 30), ("0.15", 50))),
    ("loans_defaulted", "LOAN_DEFAULTS", "Loans and financings defaulted",
     (("0", 40), ("0.5", -200))),
)
_RATINGS = ((850, "AAA"), (800, "AA"), (750, "A"), (700, "BBB"), (650, "BB"), (600, "B"),
            (550, "CCC"), (500, "CC"), (0, "C"))
_NO_STATEMENTS = Reason("NO_FINANCIAL_STATEMENTS", "No financial statements on file")


@dataclass(frozen=True)
class EnterpriseRating:
    rating: str
    score: int
    probability_of_default: Decimal
    reasons: tuple[Reason, ...]
    model_version: int = MODEL_VERSION


def _ratio(numerator: int, denominator: int) -> Decimal:
    if denominator == 0:
        return Decimal(1000) if numerator > 0 else Decimal(0)
    return CONTEXT.divide(Decimal(numerator), Decimal(denominator))


def ratios(s: FinancialStatements) -> dict[str, Decimal]:
    return {
        "equity_ratio": _ratio(s.total_assets_fen - s.total_liabilities_fen, s.total_assets_fen),
        "current_ratio": _ratio(s.current_assets_fen, s.current_liabilities_fen),
        "interest_coverage": _ratio(s.ebit_fen, s.interest_expense_fen),
        "net_margin": _ratio(s.net_income_fen, s.revenue_fen),
    }


def rate(financials: FinancialStatements | None, loans_defaulted: Decimal,
         card: Scorecard) -> EnterpriseRating:
    values = {} if financials is None else ratios(financials)
    values["loans_defaulted"] = loans_defaulted
    total, lost = BASE_SCORE, []
    for name, code, description, bins in _TABLE:
        value = values.get(name)
        if value is None:
            continue
        reached = [p for bound, p in bins if value >= Decimal(bound)]
        points = reached[-1] if reached else bins[0][1]
        best = max(p for _, p in bins)
        total += points
        if points < best:
            lost.append((best - points, Reason(code, f"{description}: {rounded(value)}")))
    reasons = [r for _, r in sorted(lost, key=lambda item: -item[0])][:4]
    if financials is None:
        reasons.insert(0, _NO_STATEMENTS)
        total -= 100
    score = min(950, max(350, total))
    rating = next(name for floor, name in _RATINGS if score >= floor)
    return EnterpriseRating(rating, score, _pd(score, card), tuple(reasons[:4]))


def _pd(score: int, card: Scorecard) -> Decimal:
    offset = CONTEXT.subtract(
        card.target_score, CONTEXT.multiply(card.factor, CONTEXT.ln(card.target_odds)))
    log_odds = CONTEXT.divide(CONTEXT.subtract(Decimal(score), offset), card.factor)
    odds = CONTEXT.exp(log_odds)
    return rounded(CONTEXT.divide(Decimal(1), CONTEXT.add(Decimal(1), odds)), Decimal("0.0001"))
