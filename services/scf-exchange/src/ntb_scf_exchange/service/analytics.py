"""Analytics: financed volume, outstanding and defaults per alliance and chain type."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from ntb_scf_exchange.domain.financing import Financing, FinancingStatus
from ntb_scf_exchange.domain.money import Money
from ntb_scf_exchange.service.unit_of_work import NewUnit

FUNDED_EVER = (FinancingStatus.FUNDED.value, FinancingStatus.SETTLED.value,
               FinancingStatus.OVERDUE.value, FinancingStatus.DEFAULTED.value)
OUTSTANDING = (FinancingStatus.FUNDED, FinancingStatus.OVERDUE)


@dataclass(frozen=True)
class Group:
    group: str
    financed_volume: tuple[Money, ...]
    outstanding: tuple[Money, ...]
    defaulted: tuple[Money, ...]
    funded_count: int
    defaulted_count: int


def _sums(items: list[Financing]) -> tuple[Money, ...]:
    totals: dict[str, int] = defaultdict(int)
    for f in items:
        totals[f.face.asset] += f.face.units
    return tuple(Money(a, u) for a, u in sorted(totals.items()))


def group(name: str, items: list[Financing]) -> Group:
    defaulted = [f for f in items if f.status is FinancingStatus.DEFAULTED]
    return Group(name, _sums(items), _sums([f for f in items if f.status in OUTSTANDING]),
                 _sums(defaulted), len(items), len(defaulted))


def by(items: list[Financing], key: str) -> list[Group]:
    groups: dict[str, list[Financing]] = defaultdict(list)
    for f in items:
        name = getattr(f, key)
        groups[f"CHAIN_TYPE_{name}" if key == "chain_type" and name else name or "none"].append(f)
    return [group(name, found) for name, found in sorted(groups.items())]


async def figures(new_unit: NewUnit) -> tuple[list[Group], list[Group]]:
    async with new_unit() as unit:
        funded = await unit.financings.find({"status": list(FUNDED_EVER)})
    return by(funded, "alliance_id"), by(funded, "chain_type")
