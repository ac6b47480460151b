"""Time alone moves the waves: behaviour decays, accounts age, people get older. Once
per interval every principal whose latest credit point is older than the interval gets
a SCHEDULED credit point, and a SCHEDULED value point when their age in years changed.

One transaction per principal, batches bounded, so the job can stop at any moment and
the next round continues; several replicas may run it (a lost race on a sequence
number rolls back that principal and the next round retries it).
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime, timedelta

import structlog

from ntb_identity.domain.model import PrincipalKind
from ntb_identity.domain.waves import WaveCause
from ntb_identity.service import waves
from ntb_identity.service.unit_of_work import NewUnit

log = structlog.get_logger(__name__)
BATCH_SIZE_MAX = 100


async def refresh_batch(new_unit: NewUnit, *, now: datetime, interval_s: float) -> int:
    """Refresh up to one batch of principals not refreshed within interval_s."""
    ref = f"scheduled:{now.date().isoformat()}"
    async with new_unit() as unit:
        principal_ids = await unit.waves.credit_older_than(
            now - timedelta(seconds=interval_s), limit=BATCH_SIZE_MAX)
    for principal_id in principal_ids:
        async with new_unit() as unit:
            principal = await unit.principals.get(principal_id)
            if principal is None or principal.kind is PrincipalKind.OPERATOR:
                continue
            await waves.recompute_credit(unit, principal, cause=WaveCause.SCHEDULED,
                                         cause_ref=ref, now=now)
            latest = await unit.waves.value_at(principal_id, None)
            person = principal.person
            if person is not None and latest and (
                    latest[0].inputs.age_years != waves.age_years(person.birth_year, now)):
                await waves.recompute_value(unit, principal, cause=WaveCause.SCHEDULED,
                                            cause_ref=ref, now=now)
            await unit.commit()
    return len(principal_ids)


async def refresh_periodically(new_unit: NewUnit, interval_s: float,
                               stop: asyncio.Event) -> None:
    assert interval_s > 0
    while not stop.is_set():
        refreshed = 0
        while not stop.is_set():
            count = await refresh_batch(new_unit, now=datetime.now(UTC), interval_s=interval_s)
            refreshed += count
            if count < BATCH_SIZE_MAX:
                break
        if refreshed:
            log.info("waves refreshed on schedule", principals=refreshed)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=min(interval_s, 3600.0))
