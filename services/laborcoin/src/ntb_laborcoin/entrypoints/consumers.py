"""Events laborcoin consumes: decode -> command -> use case (in the inbox's transaction)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from ntb.events.v1 import anchor_events_pb2, identity_events_pb2, matching_events_pb2
from ntb.identity.v1 import identity_pb2
from ntb_laborcoin.domain.log_entry import Anchor
from ntb_laborcoin.service import anchors, handlers, labor_basis
from ntb_laborcoin.service.unit_of_work import LaborCoinUnitOfWork, NewUnit
from ntbkit.errors import FailedPrecondition
from ntbkit.messaging.envelope import EventEnvelope, PoisonEvent, decode
from ntbkit.messaging.inbox import InboxHandler
from ntbkit.timestamps import as_utc
from ntbkit.validation import Violations

PRINCIPAL_TOPIC = "ntb.identity.principal.v1"


async def principal_registered(unit: LaborCoinUnitOfWork, envelope: EventEnvelope) -> None:
    if envelope.event_type != identity_events_pb2.PrincipalRegistered.DESCRIPTOR.full_name:
        return  # other principal events (profile, KYC) do not concern wallets
    event = decode(envelope, identity_events_pb2.PrincipalRegistered)
    assert isinstance(event, identity_events_pb2.PrincipalRegistered)
    kind = identity_pb2.PrincipalKind.Name(event.kind).removeprefix("PRINCIPAL_KIND_")
    await handlers.open_wallet(
        unit, handlers.OpenWallet(owner_id=event.principal_id, principal_kind=kind)
    )


def wallet_opener(new_unit: NewUnit) -> InboxHandler[LaborCoinUnitOfWork]:
    return InboxHandler(new_unit, group=handlers.WALLET_OPENER_GROUP, apply=principal_registered)


LABOR_TOPIC = "ntb.matching.labor.v1"
VALUE_TOPIC = "ntb.identity.value.v1"
LABOR_BASIS_GROUP = "laborcoin.labor-basis"
_HOUR_EVENTS = (matching_events_pb2.LaborEntrusted, matching_events_pb2.LaborReleased,
                matching_events_pb2.LaborReturned)


async def labor_basis_changed(unit: LaborCoinUnitOfWork, envelope: EventEnvelope) -> None:
    """Entrusted hours (matching) and hourly values (identity) move the issuance cap."""
    for event_type in _HOUR_EVENTS:
        if envelope.event_type == event_type.DESCRIPTOR.full_name:
            hours = decode(envelope, event_type)
            await labor_basis.set_available_hours(
                unit, entrustment_id=hours.entrustment_id,  # type: ignore[attr-defined]
                person_id=hours.person_id,  # type: ignore[attr-defined]
                available_hours=_hours(hours.available_hours.value))  # type: ignore[attr-defined]
            return
    if envelope.event_type == identity_events_pb2.ValueUpdated.DESCRIPTOR.full_name:
        value = decode(envelope, identity_events_pb2.ValueUpdated)
        assert isinstance(value, identity_events_pb2.ValueUpdated)
        if value.hourly_value.asset != "CNY" or value.hourly_value.units < 0:
            raise PoisonEvent(f"hourly value must be CNY >= 0, got {value.hourly_value}")
        await labor_basis.set_person_value(
            unit, person_id=value.principal_id, value_fen_per_hour=value.hourly_value.units,
            sequence=value.sequence)


def _hours(text: str) -> Decimal:
    try:
        hours = Decimal(text)
    except InvalidOperation as error:
        raise PoisonEvent(f"available_hours {text!r} is not a decimal") from error
    if not hours.is_finite() or hours < 0:
        raise PoisonEvent(f"available_hours {text!r} must be a finite number >= 0")
    return hours


def labor_basis_keeper(new_unit: NewUnit) -> InboxHandler[LaborCoinUnitOfWork]:
    return InboxHandler(new_unit, group=LABOR_BASIS_GROUP, apply=labor_basis_changed)


ANCHOR_TOPICS = ("ntb.intangible_bank.anchor.v1", "ntb.scf_exchange.anchor.v1")
ANCHOR_GROUP = "laborcoin.anchors"


async def anchor_requested(unit: LaborCoinUnitOfWork, envelope: EventEnvelope) -> None:
    if envelope.event_type != anchor_events_pb2.AnchorRequested.DESCRIPTOR.full_name:
        raise PoisonEvent(f"anchor topics carry AnchorRequested, not {envelope.event_type}")
    event = decode(envelope, anchor_events_pb2.AnchorRequested)
    assert isinstance(event, anchor_events_pb2.AnchorRequested)
    v = Violations()
    v.require_uuid(event.anchor_id, "anchor_id")
    v.check(1 <= len(event.source) <= 64, "source", "1..64 characters")
    v.check(1 <= len(event.subject) <= 200, "subject", "1..200 characters")
    v.check(len(event.digest_sha256) == 32, "digest_sha256", "32 bytes (SHA-256)")
    v.check(event.HasField("recorded_at"), "recorded_at", "required")
    if v.items:
        raise PoisonEvent("invalid AnchorRequested: " + "; ".join(
            f"{item.field}: {item.description}" for item in v.items))
    anchor = Anchor(anchor_id=event.anchor_id, source=event.source, subject=event.subject,
                    digest=event.digest_sha256,
                    recorded_at=as_utc(event.recorded_at.ToDatetime()))
    try:
        await anchors.record_anchor(unit, anchor)
    except FailedPrecondition as refused:
        raise PoisonEvent(str(refused)) from refused


def anchor_keeper(new_unit: NewUnit) -> InboxHandler[LaborCoinUnitOfWork]:
    return InboxHandler(new_unit, group=ANCHOR_GROUP, apply=anchor_requested)
