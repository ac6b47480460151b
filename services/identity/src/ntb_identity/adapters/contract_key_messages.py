"""Contract signing keys as protobuf (shared by the gRPC replies and the events)."""

from __future__ import annotations

from ntb.identity.v1 import identity_pb2
from ntb_identity.adapters.wave_messages import timestamp
from ntb_identity.domain.contract_keys import ALGORITHM, PrincipalSigningKey


def principal_signing_key(key: PrincipalSigningKey) -> identity_pb2.PrincipalSigningKey:
    message = identity_pb2.PrincipalSigningKey(
        key_id=key.key_id, principal_id=key.principal_id, algorithm=ALGORITHM,
        public_key=key.public_key, label=key.label, registered_at=timestamp(key.registered_at),
    )
    if key.revoked_at is not None:
        message.revoked_at.CopyFrom(timestamp(key.revoked_at))
    return message
