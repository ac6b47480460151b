"""identity's events -> intangible-bank's view of principals: kind and KYC (lenders,
credit reports), value-wave price (cost approach), credit wave (rating, reports)."""

from __future__ import annotations

from google.protobuf.message import Message

from ntb.common.v1 import common_pb2
from ntb.events.v1 import identity_events_pb2 as ev
from ntb.identity.v1 import identity_pb2
from ntb_intangible_bank.domain.principals import PrincipalView
from ntb_intangible_bank.service import valuations
from ntb_intangible_bank.service.unit_of_work import IntangibleBankUnitOfWork, NewUnit
from ntbkit.messaging.envelope import EventEnvelope, decode
from ntbkit.messaging.inbox import InboxHandler

PRINCIPAL_TOPIC = "ntb.identity.principal.v1"
VALUE_TOPIC = "ntb.identity.value.v1"
CREDIT_TOPIC = "ntb.identity.credit.v1"
TOPICS = (PRINCIPAL_TOPIC, VALUE_TOPIC, CREDIT_TOPIC)
PRINCIPALS_GROUP = "intangible-bank.principals"


def _is(envelope: EventEnvelope, message: type[Message]) -> bool:
    return envelope.event_type == str(message.DESCRIPTOR.full_name)


async def _view(unit: IntangibleBankUnitOfWork, principal_id: str) -> PrincipalView:
    return await unit.principals.get(principal_id) or PrincipalView(principal_id)


async def principal_changed(unit: IntangibleBankUnitOfWork, envelope: EventEnvelope) -> None:
    if _is(envelope, ev.PrincipalRegistered):
        registered = decode(envelope, ev.PrincipalRegistered)
        assert isinstance(registered, ev.PrincipalRegistered)
        view = await _view(unit, registered.principal_id)
        view.kind = identity_pb2.PrincipalKind.Name(registered.kind).removeprefix(
            "PRINCIPAL_KIND_")
        view.kyc_status = view.kyc_status or "PENDING"
    elif _is(envelope, ev.KycStatusChanged):
        changed = decode(envelope, ev.KycStatusChanged)
        assert isinstance(changed, ev.KycStatusChanged)
        view = await _view(unit, changed.principal_id)
        view.kyc_status = identity_pb2.KycStatus.Name(changed.kyc_status).removeprefix(
            "KYC_STATUS_")
    elif _is(envelope, ev.ValueUpdated):
        value = decode(envelope, ev.ValueUpdated)
        assert isinstance(value, ev.ValueUpdated)
        view = await _view(unit, value.principal_id)
        if value.sequence <= view.value_sequence:
            return  # an older point arriving late
        price_changed = view.hourly_value_fen != value.hourly_value.units
        view.hourly_value_fen, view.value_sequence = value.hourly_value.units, value.sequence
        if price_changed:  # an input of the cost approach changed: revalue the creator's assets
            await unit.principals.save(view)
            await valuations.revalue_for_value_wave(
                unit, value.principal_id, value.hourly_value.units, envelope.time)
            return
    elif _is(envelope, ev.CreditUpdated):
        credit = decode(envelope, ev.CreditUpdated)
        assert isinstance(credit, ev.CreditUpdated)
        view = await _view(unit, credit.principal_id)
        if credit.sequence <= view.credit_sequence:
            return
        view.credit_score, view.credit_sequence = credit.score, credit.sequence
        view.credit_reasons = [(r.code, r.description) for r in credit.reasons]
    elif _is(envelope, ev.EnterpriseRatingChanged):
        rated = decode(envelope, ev.EnterpriseRatingChanged)
        assert isinstance(rated, ev.EnterpriseRatingChanged)
        view = await _view(unit, rated.principal_id)
        view.enterprise_rating = common_pb2.CreditRating.Name(rated.rating).removeprefix(
            "CREDIT_RATING_").replace("UNSPECIFIED", "")
    else:
        return
    await unit.principals.save(view)


def principals_projection(new_unit: NewUnit) -> InboxHandler[IntangibleBankUnitOfWork]:
    return InboxHandler(new_unit, group=PRINCIPALS_GROUP, apply=principal_changed)
