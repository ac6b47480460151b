"""Events identity consumes: matching's order events and intangible-bank's loan
outcomes -> behaviour records -> waves."""

from __future__ import annotations

from datetime import UTC, datetime

from google.protobuf.timestamp_pb2 import Timestamp

from ntb.events.v1 import intangible_bank_events_pb2 as lev
from ntb.events.v1 import matching_events_pb2 as mev
from ntb_identity.domain.behaviour import BehaviourRecord, Conduct
from ntb_identity.domain.commands import RecordBehaviour
from ntb_identity.service import behaviour
from ntb_identity.service.unit_of_work import IdentityUnitOfWork, NewUnit
from ntbkit.messaging.envelope import EventEnvelope, decode
from ntbkit.messaging.inbox import InboxHandler

ORDER_TOPIC = "ntb.matching.order.v1"
LOAN_TOPIC = "ntb.intangible_bank.loan.v1"


def _when(stamp: Timestamp, envelope: EventEnvelope) -> datetime:
    """When the conduct happened: the event's own time (or its envelope's if unset),
    never later than now, so a producer's clock running ahead cannot hide it from the
    point computed now."""
    at = stamp.ToDatetime(tzinfo=UTC) if stamp.seconds or stamp.nanos else envelope.time
    return min(at, datetime.now(UTC))


def _loan_record(envelope: EventEnvelope) -> BehaviourRecord | None:
    """A borrower's loan repaid (late or not) or in default (intangible-bank)."""
    kind = envelope.event_type
    if kind == lev.LoanRepaid.DESCRIPTOR.full_name:
        repaid = decode(envelope, lev.LoanRepaid)
        assert isinstance(repaid, lev.LoanRepaid)
        return BehaviourRecord(envelope.event_id, repaid.borrower_id, Conduct.LOAN_REPAID,
                               _when(repaid.repaid_at, envelope), late=not repaid.on_time)
    if kind == lev.LoanDefaulted.DESCRIPTOR.full_name:
        defaulted = decode(envelope, lev.LoanDefaulted)
        assert isinstance(defaulted, lev.LoanDefaulted)
        return BehaviourRecord(envelope.event_id, defaulted.borrower_id,
                               Conduct.LOAN_DEFAULTED, _when(defaulted.defaulted_at, envelope))
    return None  # requested, approved, disbursed, repayments, pledges: no conduct


def _record(envelope: EventEnvelope) -> BehaviourRecord | None:
    kind = envelope.event_type
    if envelope.topic == LOAN_TOPIC:
        return _loan_record(envelope)
    if kind == mev.OrderCompleted.DESCRIPTOR.full_name:
        done = decode(envelope, mev.OrderCompleted)
        assert isinstance(done, mev.OrderCompleted)
        return BehaviourRecord(envelope.event_id, done.worker_id, Conduct.ORDER_COMPLETED,
                               _when(done.completed_at, envelope),
                               late=done.late, rating=done.rating)
    if kind == mev.OrderDisputed.DESCRIPTOR.full_name:
        disputed = decode(envelope, mev.OrderDisputed)
        assert isinstance(disputed, mev.OrderDisputed)
        if disputed.raised_by != disputed.buyer_id:
            return None  # a worker disputing a buyer says nothing about the worker
        return BehaviourRecord(envelope.event_id, disputed.worker_id, Conduct.ORDER_DISPUTED,
                               _when(disputed.disputed_at, envelope))
    if kind == mev.OrderCancelled.DESCRIPTOR.full_name:
        cancelled = decode(envelope, mev.OrderCancelled)
        assert isinstance(cancelled, mev.OrderCancelled)
        at = _when(cancelled.cancelled_at, envelope)
        if cancelled.after_dispute:  # the buyer was refunded: the worker lost
            return BehaviourRecord(envelope.event_id, cancelled.worker_id,
                                   Conduct.DISPUTE_LOST, at)
        if cancelled.cancelled_by == cancelled.worker_id:
            return BehaviourRecord(envelope.event_id, cancelled.worker_id,
                                   Conduct.ORDER_CANCELLED, at)
    return None  # created, funded, delivered, resolved: no conduct of their own


async def order_event(unit: IdentityUnitOfWork, envelope: EventEnvelope) -> None:
    record = _record(envelope)
    if record is not None:
        await behaviour.record_behaviour(unit, RecordBehaviour(record, envelope.event_id))


def behaviour_recorder(new_unit: NewUnit) -> InboxHandler[IdentityUnitOfWork]:
    return InboxHandler(new_unit, group=behaviour.BEHAVIOUR_GROUP, apply=order_event)
