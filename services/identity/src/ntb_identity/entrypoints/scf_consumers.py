"""Events identity consumes from scf-exchange: an obligor that settled a supply-chain
financing repaid, one whose financing defaulted did not - both move its credit wave
(the enterprise rating scf-exchange prices with follows from it)."""

from __future__ import annotations

from datetime import UTC, datetime

from ntb.events.v1 import scf_exchange_events_pb2 as sev
from ntb_identity.domain.behaviour import BehaviourRecord, Conduct
from ntb_identity.domain.commands import RecordBehaviour
from ntb_identity.service import behaviour
from ntb_identity.service.unit_of_work import IdentityUnitOfWork, NewUnit
from ntbkit.messaging.envelope import EventEnvelope, decode
from ntbkit.messaging.inbox import InboxHandler

FINANCING_TOPIC = "ntb.scf_exchange.financing.v1"
SCF_BEHAVIOUR_GROUP = "identity.scf-behaviour"


def _record(envelope: EventEnvelope) -> BehaviourRecord | None:
    now = datetime.now(UTC)
    if envelope.event_type == sev.FinancingSettled.DESCRIPTOR.full_name:
        settled = decode(envelope, sev.FinancingSettled)
        assert isinstance(settled, sev.FinancingSettled)
        at = min(settled.settled_at.ToDatetime(tzinfo=UTC), now)
        return BehaviourRecord(envelope.event_id, settled.obligor_id, Conduct.LOAN_REPAID, at,
                               late=not settled.on_time)
    if envelope.event_type == sev.FinancingDefaulted.DESCRIPTOR.full_name:
        defaulted = decode(envelope, sev.FinancingDefaulted)
        assert isinstance(defaulted, sev.FinancingDefaulted)
        at = min(defaulted.defaulted_at.ToDatetime(tzinfo=UTC), now)
        return BehaviourRecord(envelope.event_id, defaulted.obligor_id, Conduct.LOAN_DEFAULTED,
                               at)
    return None  # requests, bids, fundings, payables: no conduct of the obligor yet


async def financing_event(unit: IdentityUnitOfWork, envelope: EventEnvelope) -> None:
    record = _record(envelope)
    if record is not None:
        await behaviour.record_behaviour(unit, RecordBehaviour(record, envelope.event_id))


def scf_behaviour_recorder(new_unit: NewUnit) -> InboxHandler[IdentityUnitOfWork]:
    return InboxHandler(new_unit, group=SCF_BEHAVIOUR_GROUP, apply=financing_event)
