"""identity's principal events -> matching's projection of persons and their keys."""

from __future__ import annotations

from datetime import UTC

from google.protobuf.message import Message

from ntb.events.v1 import identity_events_pb2 as ev
from ntb.identity.v1 import identity_pb2
from ntb_matching.domain.entrustment import PersonView
from ntb_matching.service.unit_of_work import MatchingUnitOfWork, NewUnit
from ntbkit.messaging.envelope import EventEnvelope, decode
from ntbkit.messaging.inbox import InboxHandler

PRINCIPAL_TOPIC = "ntb.identity.principal.v1"
CREDIT_TOPIC = "ntb.identity.credit.v1"
PERSONS_GROUP = "matching.persons"


def _name(envelope: EventEnvelope, message: type[Message]) -> bool:
    return envelope.event_type == str(message.DESCRIPTOR.full_name)


async def principal_changed(unit: MatchingUnitOfWork, envelope: EventEnvelope) -> None:
    if _name(envelope, ev.PrincipalRegistered):
        registered = decode(envelope, ev.PrincipalRegistered)
        assert isinstance(registered, ev.PrincipalRegistered)
        kind = identity_pb2.PrincipalKind.Name(registered.kind).removeprefix("PRINCIPAL_KIND_")
        await unit.persons.upsert(PersonView(registered.principal_id, kind, registered.region,
                                             registered.industry_code, "PENDING"))
        if registered.HasField("person"):
            await _profile(unit, registered.principal_id, registered.person)
    elif _name(envelope, ev.PersonProfileUpdated):
        updated = decode(envelope, ev.PersonProfileUpdated)
        assert isinstance(updated, ev.PersonProfileUpdated)
        await _profile(unit, updated.principal_id, updated.person)
    elif _name(envelope, ev.CreditUpdated):
        credit = decode(envelope, ev.CreditUpdated)
        assert isinstance(credit, ev.CreditUpdated)
        await unit.persons.set_credit(credit.principal_id, credit.score)
    elif _name(envelope, ev.KycStatusChanged):
        changed = decode(envelope, ev.KycStatusChanged)
        assert isinstance(changed, ev.KycStatusChanged)
        status = identity_pb2.KycStatus.Name(changed.kyc_status).removeprefix("KYC_STATUS_")
        await unit.persons.set_kyc(changed.principal_id, status)
    elif _name(envelope, ev.SigningPublicKeyRegistered):
        added = decode(envelope, ev.SigningPublicKeyRegistered)
        assert isinstance(added, ev.SigningPublicKeyRegistered)
        await unit.persons.add_key(added.principal_id, added.key.key_id, added.key.public_key)
    elif _name(envelope, ev.SigningPublicKeyRevoked):
        revoked = decode(envelope, ev.SigningPublicKeyRevoked)
        assert isinstance(revoked, ev.SigningPublicKeyRevoked)
        await unit.persons.revoke_key(revoked.key.key_id,
                                      revoked.key.revoked_at.ToDatetime(UTC))


async def _profile(
    unit: MatchingUnitOfWork, person_id: str, person: identity_pb2.PersonProfile
) -> None:
    await unit.persons.set_profile(person_id, experience_years=person.experience_years,
                                   skills=list(person.skills),
                                   advantages=list(person.advantages))


def persons_projection(new_unit: NewUnit) -> InboxHandler[MatchingUnitOfWork]:
    return InboxHandler(new_unit, group=PERSONS_GROUP, apply=principal_changed)
