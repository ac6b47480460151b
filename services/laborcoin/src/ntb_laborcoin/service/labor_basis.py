"""Keeping the cap's labor basis current: hours from matching, values from identity.

The basis is one number, sum over entrustments of available hours x the person's
value, changed by deltas under an exclusive lock that mints respect (shared lock).
"""

from __future__ import annotations

from decimal import Decimal

from ntb_laborcoin.domain import coin
from ntb_laborcoin.service.unit_of_work import LaborCoinUnitOfWork


async def set_available_hours(
    unit: LaborCoinUnitOfWork, *, entrustment_id: str, person_id: str, available_hours: Decimal
) -> None:
    await unit.coin.weighted_basis(exclusive=True)
    milli = coin.milli_hours(available_hours)
    previous = await unit.coin.set_entrustment_hours(entrustment_id, person_id, milli)
    value_fen, _ = await unit.coin.person_value(person_id)
    await unit.coin.add_to_basis((milli - previous) * value_fen)


async def set_person_value(
    unit: LaborCoinUnitOfWork, *, person_id: str, value_fen_per_hour: int, sequence: int
) -> None:
    """Ignores a value older than the one stored (events of two topics may interleave)."""
    await unit.coin.weighted_basis(exclusive=True)
    previous_fen, previous_sequence = await unit.coin.person_value(person_id)
    if sequence and sequence <= previous_sequence:
        return
    await unit.coin.set_person_value(person_id, value_fen_per_hour, sequence)
    hours = await unit.coin.person_hours(person_id)
    await unit.coin.add_to_basis((value_fen_per_hour - previous_fen) * hours)
