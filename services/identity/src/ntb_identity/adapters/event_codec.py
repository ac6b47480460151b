"""Domain events -> protobuf payloads of ntb.events.v1 and their topics."""

from __future__ import annotations

from google.protobuf.message import Message

from ntb.common.v1 import common_pb2
from ntb.events.v1 import identity_events_pb2 as ev
from ntb.identity.v1 import identity_pb2
from ntb_identity.adapters import wave_messages as m
from ntb_identity.adapters.contract_key_messages import principal_signing_key
from ntb_identity.domain import events
from ntb_identity.domain.model import KycStatus

PRINCIPAL_TOPIC = "ntb.identity.principal.v1"
VALUE_TOPIC = "ntb.identity.value.v1"
CREDIT_TOPIC = "ntb.identity.credit.v1"


def _kyc(status: KycStatus) -> identity_pb2.KycStatus.ValueType:
    return identity_pb2.KycStatus.Value(f"KYC_STATUS_{status.value}")


def _registered(event: events.PrincipalRegistered) -> Message:
    message = ev.PrincipalRegistered(
        principal_id=event.principal_id,
        kind=identity_pb2.PrincipalKind.Value(f"PRINCIPAL_KIND_{event.kind.value}"),
        display_name=event.display_name, country_code=event.country_code,
        region=event.region, industry_code=event.industry_code,
        registered_at=m.timestamp(event.registered_at),
    )
    if event.person is not None:
        message.person.CopyFrom(m.person(event.person))
    return message


def _value(event: events.ValueUpdated) -> Message:
    p = event.point
    message = ev.ValueUpdated(
        principal_id=p.principal_id, hourly_value=m.cny(p.hourly_value_fen),
        effective_at=m.timestamp(p.effective_at), sequence=p.sequence, cause=m.cause(p.cause),
        cause_ref=p.cause_ref, inputs=m.value_inputs(p.inputs),
    )
    if event.previous_hourly_value_fen is not None:
        message.previous_hourly_value.CopyFrom(m.cny(event.previous_hourly_value_fen))
    return message


def _credit(event: events.CreditUpdated) -> Message:
    p = m.credit_point(event.point)
    return ev.CreditUpdated(
        principal_id=p.principal_id, score=p.score, previous_score=event.previous_score or 0,
        effective_at=p.effective_at, sequence=p.sequence, cause=p.cause,
        cause_ref=p.cause_ref, reasons=p.reasons, scorecard_version=p.scorecard_version,
    )


def _rating(event: events.EnterpriseRatingChanged) -> Message:
    previous = common_pb2.CREDIT_RATING_UNSPECIFIED
    if event.previous_rating is not None:
        previous = common_pb2.CreditRating.Value(f"CREDIT_RATING_{event.previous_rating}")
    return ev.EnterpriseRatingChanged(
        principal_id=event.principal_id,
        rating=common_pb2.CreditRating.Value(f"CREDIT_RATING_{event.rating}"),
        previous_rating=previous, score=event.score, rated_at=m.timestamp(event.rated_at))


def encode(event: events.IdentityEvent) -> tuple[str, str, Message]:
    if isinstance(event, events.PrincipalRegistered):
        return PRINCIPAL_TOPIC, event.principal_id, _registered(event)
    if isinstance(event, events.ValueUpdated):
        return VALUE_TOPIC, event.point.principal_id, _value(event)
    if isinstance(event, events.CreditUpdated):
        return CREDIT_TOPIC, event.point.principal_id, _credit(event)
    if isinstance(event, events.PersonProfileUpdated):
        return PRINCIPAL_TOPIC, event.principal_id, ev.PersonProfileUpdated(
            principal_id=event.principal_id, person=m.person(event.person),
            version=event.version, updated_at=m.timestamp(event.updated_at))
    if isinstance(event, events.EnterpriseRatingChanged):
        return CREDIT_TOPIC, event.principal_id, _rating(event)
    if isinstance(event, events.SigningPublicKeyRegistered):
        return PRINCIPAL_TOPIC, event.key.principal_id, ev.SigningPublicKeyRegistered(
            principal_id=event.key.principal_id, key=principal_signing_key(event.key))
    if isinstance(event, events.SigningPublicKeyRevoked):
        return PRINCIPAL_TOPIC, event.key.principal_id, ev.SigningPublicKeyRevoked(
            principal_id=event.key.principal_id, key=principal_signing_key(event.key),
            reason=event.key.revocation_reason)
    if isinstance(event, events.EnterpriseProfileUpdated):
        return PRINCIPAL_TOPIC, event.principal_id, ev.EnterpriseProfileUpdated(
            principal_id=event.principal_id, enterprise=m.enterprise(event.enterprise),
            version=event.version, updated_at=m.timestamp(event.updated_at))
    return PRINCIPAL_TOPIC, event.principal_id, ev.KycStatusChanged(
        principal_id=event.principal_id, kyc_status=_kyc(event.kyc_status),
        previous_kyc_status=_kyc(event.previous_kyc_status), reason=event.reason,
        changed_at=m.timestamp(event.changed_at), changed_by=event.changed_by,
        evidence=[common_pb2.DocumentHash(name=e.name, sha256=bytes.fromhex(e.sha256_hex),
                                          media_type=e.media_type) for e in event.evidence])
