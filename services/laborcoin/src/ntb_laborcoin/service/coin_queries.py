"""Reads of the Labor Coin economy: cap, price, the market return wave, policies."""

from __future__ import annotations

from dataclasses import dataclass

from ntb_laborcoin.domain import coin
from ntb_laborcoin.domain.events import PricePoint
from ntb_laborcoin.service.coin import Economy, economy_as_read
from ntb_laborcoin.service.unit_of_work import NewUnit


@dataclass(frozen=True)
class CapReport:
    economy: Economy
    persons: int
    milli_hours: int


async def cap_report(new_unit: NewUnit) -> CapReport:
    async with new_unit() as unit:
        now = await economy_as_read(unit)
        persons, milli_hours = await unit.coin.persons_and_hours()
    return CapReport(now, persons, milli_hours)


async def current_price(new_unit: NewUnit) -> tuple[int, PricePoint | None, Economy]:
    async with new_unit() as unit:
        now = await economy_as_read(unit)
        last = await unit.coin.last_price_point()
    sequence, point = last if last is not None else (0, None)
    return sequence, point, now


async def price_wave(new_unit: NewUnit, *, after: int, size: int) -> list[tuple[int, PricePoint]]:
    async with new_unit() as unit:
        return await unit.coin.price_points(after=after, size=size)


async def policies(new_unit: NewUnit) -> list[coin.Policy]:
    async with new_unit() as unit:
        return await unit.coin.policies()
