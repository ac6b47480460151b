"""Conduct reported by other services' events moves a person's waves."""

from __future__ import annotations

from datetime import UTC, datetime

import structlog

from ntb_identity.domain.behaviour import Conduct
from ntb_identity.domain.commands import RecordBehaviour
from ntb_identity.domain.model import PrincipalKind
from ntb_identity.domain.waves import WaveCause
from ntb_identity.service import waves
from ntb_identity.service.unit_of_work import IdentityUnitOfWork

log = structlog.get_logger(__name__)
BEHAVIOUR_GROUP = "identity.behaviour"
_CAUSES = {
    Conduct.ORDER_COMPLETED: WaveCause.ORDER_COMPLETED,
    Conduct.ORDER_CANCELLED: WaveCause.ORDER_CANCELLED,
    Conduct.ORDER_DISPUTED: WaveCause.ORDER_DISPUTED,
    Conduct.DISPUTE_LOST: WaveCause.ORDER_DISPUTED,
    Conduct.LOAN_REPAID: WaveCause.LOAN_REPAID,
    Conduct.LOAN_DEFAULTED: WaveCause.LOAN_DEFAULTED,
}


async def record_behaviour(unit: IdentityUnitOfWork, command: RecordBehaviour) -> None:
    """Keep the record, recompute the credit wave; completed orders (ratings) also move
    the value wave. Runs in the consumer's transaction, once per event (inbox)."""
    record = command.record
    principal = await unit.principals.get(record.principal_id)
    if principal is None or principal.kind is PrincipalKind.OPERATOR:
        log.info("behaviour of an unknown principal ignored", principal_id=record.principal_id)
        return
    await unit.behaviour.add(record)
    now = datetime.now(UTC)
    cause = _CAUSES[record.conduct]
    if record.conduct is Conduct.ORDER_COMPLETED and principal.person is not None:
        await waves.recompute_value(unit, principal, cause=cause, cause_ref=command.event_id,
                                    now=now)
    await waves.recompute_credit(unit, principal, cause=cause, cause_ref=command.event_id,
                                 now=now)
