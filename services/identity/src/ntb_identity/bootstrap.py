"""Composition root of identity: builds every part from settings, once."""

from __future__ import annotations

from functools import partial

import structlog

from ntb.identity.v1 import identity_pb2_grpc
from ntb_identity.adapters.signing_keys import SigningKeyStore
from ntb_identity.adapters.unit_of_work import SqlIdentityUnitOfWork
from ntb_identity.entrypoints import consumers, scf_consumers
from ntb_identity.entrypoints.grpc_api import PUBLIC_METHODS, IdentityApi
from ntb_identity.service import handlers, model_refresh, scheduled_refresh
from ntb_identity.settings import DEVELOPMENT_KEY_ENCRYPTION_KEY, IdentitySettings
from ntbkit.grpc.server import GrpcApi
from ntbkit.runtime import EventSubscription, Infrastructure, ServiceParts

MIGRATIONS = "ntb_identity:migrations"
log = structlog.get_logger(__name__)


async def build(infrastructure: Infrastructure) -> ServiceParts:
    settings = infrastructure.settings
    assert isinstance(settings, IdentitySettings)

    def new_unit() -> SqlIdentityUnitOfWork:
        return SqlIdentityUnitOfWork(
            infrastructure.sessions, source=settings.service_name,
            on_commit=infrastructure.relay.wake,
        )

    sealing_key = settings.key_encryption_key.get_secret_value()
    if sealing_key == DEVELOPMENT_KEY_ENCRYPTION_KEY:
        log.warning("signing keys sealed with the development key; set "
                    "NTB_IDENTITY_KEY_ENCRYPTION_KEY outside embedded mode")
    keys = SigningKeyStore(
        infrastructure.sessions, sealing_key=sealing_key.encode(),
        token_ttl_s=settings.token_ttl_s,
    )
    await keys.ensure_current()
    if settings.bootstrap_client_secret is not None:
        await handlers.ensure_bootstrap_operator(
            new_unit,
            client_id=settings.bootstrap_client_id,
            client_secret=settings.bootstrap_client_secret.get_secret_value(),
        )
    for client_id, secret in settings.service_clients.items():
        await handlers.ensure_service_client(
            new_unit, client_id=client_id, client_secret=secret.get_secret_value()
        )
    api = IdentityApi(new_unit=new_unit, keys=keys, settings=settings)
    return ServiceParts(
        apis=[
            GrpcApi(
                full_name="ntb.identity.v1.IdentityService",
                add_to_server=partial(identity_pb2_grpc.add_IdentityServiceServicer_to_server, api),
                public_methods=PUBLIC_METHODS,
            )
        ],
        subscriptions=[
            EventSubscription(topics=[consumers.ORDER_TOPIC, consumers.LOAN_TOPIC],
                              handler=consumers.behaviour_recorder(new_unit)),
            EventSubscription(topics=[scf_consumers.FINANCING_TOPIC],
                              handler=scf_consumers.scf_behaviour_recorder(new_unit)),
        ],
        background=[
            ("model-refresh", partial(model_refresh.refresh_until_current, new_unit)),
            ("scheduled-refresh", partial(scheduled_refresh.refresh_periodically, new_unit,
                                          settings.wave_refresh_interval_s)),
        ],
        key_fetcher=keys.public_keys,
    )
