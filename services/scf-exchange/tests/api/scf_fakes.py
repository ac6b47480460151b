"""Fakes of the other services behind scf-exchange's ports (same Protocols as the gRPC
adapters): an in-memory ledger of wallets, fixed enterprise ratings, and a clock the
test moves."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from ntb_scf_exchange.domain.financing import FxUsed
from ntb_scf_exchange.service.ports import InsufficientFunds, Payment, PrincipalInfo


@dataclass
class FakeLedger:
    """Wallets by (owner, asset); a batch commits all or none; a transfer id commits once."""

    balances: dict[tuple[str, str], int] = field(default_factory=dict)
    committed: dict[str, Payment] = field(default_factory=dict)

    def deposit(self, owner: str, asset: str, units: int) -> None:
        self.balances[(owner, asset)] = self.balance(owner, asset) + units

    def balance(self, owner: str, asset: str) -> int:
        return self.balances.get((owner, asset), 0)

    async def pay(self, payments: list[Payment]) -> None:
        fresh = [p for p in payments if p.transfer_id not in self.committed]
        for payment in fresh:
            assert self.committed.get(payment.transfer_id, payment) == payment
        needed: dict[tuple[str, str], int] = {}
        for p in fresh:
            key = (p.payer_id, p.amount.asset)
            needed[key] = needed.get(key, 0) + p.amount.units
        if any(self.balance(*key) < units for key, units in needed.items()):
            raise InsufficientFunds(str(needed))
        for p in fresh:
            self.balances[(p.payer_id, p.amount.asset)] -= p.amount.units
            self.deposit(p.payee_id, p.amount.asset, p.amount.units)
            self.committed[p.transfer_id] = p

    @property
    def total(self) -> dict[str, int]:
        totals: dict[str, int] = {}
        for (_, asset), units in self.balances.items():
            totals[asset] = totals.get(asset, 0) + units
        return totals


@dataclass
class FakeRatings:
    ratings: dict[str, str] = field(default_factory=dict)

    async def rating(self, enterprise_id: str) -> str:
        return self.ratings.get(enterprise_id, "")


@dataclass
class FixedFx:
    rate_value: str = "7"

    async def rate(self, *, base_asset: str, quote_asset: str) -> FxUsed:
        from decimal import Decimal

        return FxUsed(Decimal(self.rate_value), f"fixed {base_asset}->{quote_asset}")


@dataclass
class MovableClock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class FakeDirectory:
    """identity's principals; anyone not listed is a KYC-verified financial institution
    (which may take every role), so tests list only the principals they want refused."""

    principals: dict[str, PrincipalInfo | None] = field(default_factory=dict)

    async def principal(self, principal_id: str) -> PrincipalInfo | None:
        return self.principals.get(principal_id, PrincipalInfo("FINANCIAL_INSTITUTION", True))
