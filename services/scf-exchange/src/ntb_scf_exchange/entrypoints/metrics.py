"""scf-exchange's domain metrics for the dashboards: financed volume, outstanding and
defaults by alliance and chain type (gauges refreshed from the analytics query)."""

from __future__ import annotations

import asyncio
import contextlib

from prometheus_client import Gauge

from ntb_scf_exchange.service import analytics
from ntb_scf_exchange.service.unit_of_work import NewUnit

_LABELS = ["dimension", "slice", "asset"]
FINANCED = Gauge("ntb_scf_financed_volume_units",
                 "Face of every financing ever funded, minor units.", _LABELS)
OUTSTANDING = Gauge("ntb_scf_outstanding_units",
                    "Face of funded or overdue financings, minor units.", _LABELS)
DEFAULTED = Gauge("ntb_scf_defaulted_units", "Face of defaulted financings, minor units.",
                  _LABELS)
FUNDED_COUNT = Gauge("ntb_scf_financings_funded", "Financings ever funded.",
                     ["dimension", "slice"])
DEFAULTED_COUNT = Gauge("ntb_scf_financings_defaulted", "Financings defaulted.",
                        ["dimension", "slice"])


def publish(dimension: str, groups: list[analytics.Group]) -> None:
    for g in groups:
        for gauge, amounts in ((FINANCED, g.financed_volume), (OUTSTANDING, g.outstanding),
                               (DEFAULTED, g.defaulted)):
            for amount in amounts:
                gauge.labels(dimension, g.group, amount.asset).set(amount.units)
        FUNDED_COUNT.labels(dimension, g.group).set(g.funded_count)
        DEFAULTED_COUNT.labels(dimension, g.group).set(g.defaulted_count)


async def refresh_gauges(new_unit: NewUnit, stop: asyncio.Event, *, period_s: float = 15.0
                         ) -> None:
    """Read-only refresh; a scrape sees figures at most one period old."""
    while not stop.is_set():
        by_alliance, by_chain = await analytics.figures(new_unit)
        publish("alliance", by_alliance)
        publish("chain_type", by_chain)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), period_s)
