"""A posted demand: the engine's Demand plus what buyers and listings need."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from ntb_matching.domain.model import Demand

# A person without a credit point yet is scored at the scorecard's base (identity's
# scorecard: base 650 on 350..950), neither rewarded nor punished.
NEUTRAL_CREDIT_SCORE = 650


@dataclass(frozen=True)
class PostedDemand:
    demand: Demand
    title: str
    description: str
    region: str
    status: str  # OPEN, FILLED, CANCELLED
    created_at: datetime
    open_hours_left: Decimal | None = None  # None: nothing ordered yet

    @property
    def open_hours(self) -> Decimal:
        """Hours not yet covered by orders."""
        return self.demand.hours if self.open_hours_left is None else self.open_hours_left
