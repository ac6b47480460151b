"""Composition root of laborcoin: builds every part from settings, once."""

from __future__ import annotations

from functools import partial

import structlog

from ntb.laborcoin.v1 import laborcoin_pb2_grpc
from ntb_laborcoin.adapters.group_ledger_pg import group_ledger
from ntb_laborcoin.adapters.unit_of_work import SqlLaborCoinUnitOfWork
from ntb_laborcoin.entrypoints import consumers, log_api, metrics
from ntb_laborcoin.entrypoints.grpc_api import LaborCoinApi
from ntb_laborcoin.service import coin, ledger, transparency_log
from ntb_laborcoin.service.group_commit import TransferCommitter
from ntb_laborcoin.settings import LaborCoinSettings
from ntbkit.grpc.server import GrpcApi
from ntbkit.runtime import EventSubscription, Infrastructure, ServiceParts
from ntbkit.storage.engine import is_postgres

MIGRATIONS = "ntb_laborcoin:migrations"
log = structlog.get_logger(__name__)


async def build(infrastructure: Infrastructure) -> ServiceParts:
    settings = infrastructure.settings
    assert isinstance(settings, LaborCoinSettings)
    signer = settings.log_signer()
    if settings.log_signing_key is None:
        log.warning("checkpoints signed with the development key; set "
                    "NTB_LABORCOIN_LOG_SIGNING_KEY outside embedded mode")
    key_id = signer.verifier_key().encode()
    def new_unit() -> SqlLaborCoinUnitOfWork:
        return SqlLaborCoinUnitOfWork(
            infrastructure.sessions, source=infrastructure.settings.service_name,
            on_commit=infrastructure.relay.wake,
        )

    await coin.ensure_platform_accounts(new_unit)
    new_group = partial(group_ledger, infrastructure.engine, source=settings.service_name,
                        on_commit=infrastructure.relay.wake)
    committer = TransferCommitter(
        new_unit, new_group if is_postgres(infrastructure.engine) else None,
        groups_max=settings.transfer_groups_max, on_rerun=metrics.count_group_rerun)
    api = LaborCoinApi(new_unit=new_unit, log_key=signer.verifier_key(), committer=committer)
    return ServiceParts(
        apis=[
            GrpcApi(
                full_name="ntb.laborcoin.v1.LaborCoinService",
                add_to_server=lambda server: (
                    laborcoin_pb2_grpc.add_LaborCoinServiceServicer_to_server(api, server)
                ),
                public_methods=log_api.PUBLIC_METHODS,
            )
        ],
        background=[
            ("pending-expirer", partial(ledger.run_expirer, new_unit)),
            ("economy-gauges", partial(metrics.refresh_economy_gauges, new_unit)),
            ("log-sealer", partial(transparency_log.run_sealer, new_unit, signer, key_id,
                                   period_s=settings.log_seal_period_s)),
        ],
        subscriptions=[
            EventSubscription(
                topics=[consumers.PRINCIPAL_TOPIC], handler=consumers.wallet_opener(new_unit)
            ),
            EventSubscription(
                topics=[consumers.LABOR_TOPIC, consumers.VALUE_TOPIC],
                handler=consumers.labor_basis_keeper(new_unit),
            ),
            EventSubscription(
                topics=list(consumers.ANCHOR_TOPICS), handler=consumers.anchor_keeper(new_unit)
            ),
        ],
    )
