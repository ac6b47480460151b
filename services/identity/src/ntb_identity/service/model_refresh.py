"""When a new value model or scorecard version ships, every wave moves to it: a new
point with cause MODEL_PUBLISHED for each principal still on an older version.

Runs in the background after start-up, in batches, one transaction per principal, so
it can stop at any moment and resume where it left off (the query finds the rest).
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import structlog

from ntb_identity.adapters import model_files
from ntb_identity.domain.model import PrincipalKind
from ntb_identity.domain.waves import WaveCause
from ntb_identity.service import waves
from ntb_identity.service.unit_of_work import NewUnit

log = structlog.get_logger(__name__)
BATCH_SIZE_MAX = 100


async def refresh_batch(new_unit: NewUnit) -> int:
    """Move up to one batch of principals to the current versions; how many moved."""
    model = model_files.current_value_model()
    card = model_files.current_scorecard()
    ref = f"value-model-v{model.version}/scorecard-v{card.version}"
    async with new_unit() as unit:
        principal_ids = await unit.waves.outdated(
            value_model_version=model.version, scorecard_version=card.version,
            limit=BATCH_SIZE_MAX)
    for principal_id in principal_ids:
        async with new_unit() as unit:
            principal = await unit.principals.get(principal_id)
            assert principal is not None
            now = datetime.now(UTC)
            latest_value = await unit.waves.value_at(principal_id, None)
            if latest_value and latest_value[0].inputs.value_model_version < model.version:
                await waves.recompute_value(unit, principal, cause=WaveCause.MODEL_PUBLISHED,
                                            cause_ref=ref, now=now)
            latest_credit = await unit.waves.credit_at(principal_id, None)
            if principal.kind is not PrincipalKind.OPERATOR and latest_credit and (
                    latest_credit[0].scorecard_version < card.version):
                await waves.recompute_credit(unit, principal, cause=WaveCause.MODEL_PUBLISHED,
                                             cause_ref=ref, now=now)
            await unit.commit()
    return len(principal_ids)


async def refresh_until_current(new_unit: NewUnit, stop: asyncio.Event) -> None:
    moved = 0
    while not stop.is_set():
        count = await refresh_batch(new_unit)
        moved += count
        if count < BATCH_SIZE_MAX:
            break
    if moved:
        log.info("waves moved to the current model versions", principals=moved)
