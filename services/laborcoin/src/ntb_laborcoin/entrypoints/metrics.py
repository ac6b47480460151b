"""laborcoin's domain metrics: the coin economy as gauges, transfers by code and result."""

from __future__ import annotations

import asyncio
import collections
import contextlib

import structlog
from prometheus_client import Counter, Gauge

from ntb_laborcoin.domain.transfers import TransferResult
from ntb_laborcoin.service import coin_queries
from ntb_laborcoin.service.unit_of_work import NewUnit

log = structlog.get_logger(__name__)

OUTSTANDING_SUPPLY = Gauge(
    "ntb_laborcoin_outstanding_supply_units", "LBC in circulation, micro-coins.")
ISSUANCE_CAP = Gauge(
    "ntb_laborcoin_issuance_cap_units", "M_cap = k x sum(h x P) / p0, micro-coins.")
COIN_PRICE = Gauge("ntb_laborcoin_coin_price_cny", "Net asset value per coin, CNY per LBC.")
FIAT_RESERVE = Gauge("ntb_laborcoin_fiat_reserve_fen", "CNY backing the coin, fen.")
TRANSFERS = Counter(
    "ntb_laborcoin_transfers_total", "Transfers requested, by code and result.",
    ["code", "result"])
GROUP_RERUNS = Counter(
    "ntb_laborcoin_group_reruns_total", "CreateTransfers group writes that kept nothing, "
    "by reason (conflict: an account changed since the group read it, and the group is "
    "read and written once more; duplicate_id or a second conflict: each call re-runs "
    "alone; error).", ["reason"])
for _reason in ("conflict", "duplicate_id", "error"):
    GROUP_RERUNS.labels(_reason)  # a series from the start: its rate is 0, not absent


def count_group_rerun(reason: str) -> None:
    GROUP_RERUNS.labels(reason).inc()


def count_transfers(results: list[TransferResult], codes: dict[str, str]) -> None:
    counts = collections.Counter(
        (codes.get(result.transfer_id, ""), result.code.value) for result in results)
    for labels, count in counts.items():  # one labelled increment per kind, not per transfer
        TRANSFERS.labels(*labels).inc(count)


async def refresh_economy_gauges(new_unit: NewUnit, stop: asyncio.Event, *,
                                 period_s: float = 5.0) -> None:
    """Read-only refresh; a scrape sees figures at most one period old."""
    while not stop.is_set():
        report = await coin_queries.cap_report(new_unit)
        OUTSTANDING_SUPPLY.set(report.economy.cap.outstanding_units)
        ISSUANCE_CAP.set(report.economy.cap.cap_units)
        COIN_PRICE.set(float(report.economy.price))  # a gauge for dashboards, not money
        FIAT_RESERVE.set(report.economy.reserve_fen)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), period_s)
