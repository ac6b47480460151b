"""The defaulted chain reaches identity's credit wave: identity and scf-exchange served
over gRPC on one in-process bus; scf-exchange's FinancingDefaulted becomes a
LOAN_DEFAULTED point of the obligor's wave, its FinancingSettled a LOAN_REPAID one."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import grpc
from scf_api_support import ScfServer, WithMetadata, eventually, new_id, stub
from scf_fakes import MovableClock
from scf_world import World

from ntb.identity.v1 import identity_pb2 as ipb
from ntb.identity.v1 import identity_pb2_grpc
from ntb.scf_exchange.v1 import scf_exchange_pb2 as pb
from ntb_identity import bootstrap as identity_bootstrap
from ntb_identity.settings import IdentitySettings
from ntb_scf_exchange.adapters.clients.ratings import GrpcRatings
from ntbkit.messaging.memory import InMemoryEventBus
from ntbkit.runtime import ServiceRuntime

START = datetime.now(UTC)  # identity weighs conduct by its age: keep it recent
OPERATOR_ID, OPERATOR_SECRET = "scf-test-operator", "scf-test-operator-secret-0123456789"


def enterprise(name: str) -> ipb.RegisterPrincipalRequest:
    return ipb.RegisterPrincipalRequest(
        request_id=new_id(), kind=ipb.PRINCIPAL_KIND_ENTERPRISE, display_name=name,
        country_code="CN", region="CN-GD", industry_code="C36",
        enterprise=ipb.EnterpriseProfile(registration_number=f"9144{uuid.uuid4().hex[:14]}"))


async def test_default_and_repayment_move_the_obligors_credit_wave(tmp_path: Path) -> None:
    bus = InMemoryEventBus()
    identity = ServiceRuntime(IdentitySettings(
        grpc_port=0, database_url=f"sqlite+aiosqlite:///{tmp_path / 'identity.db'}",
        event_bus="memory", log_level="WARNING", bootstrap_client_id=OPERATOR_ID,
        bootstrap_client_secret=OPERATOR_SECRET, relay_poll_interval_s=0.05),
        build=identity_bootstrap.build, migrations=identity_bootstrap.MIGRATIONS, bus=bus)
    await identity.start()
    scf = ScfServer(f"sqlite+aiosqlite:///{tmp_path / 'scf.db'}", MovableClock(START), bus=bus,
                    identity_target=f"127.0.0.1:{identity.port}")
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{identity.port}") as id_channel:
            ident = identity_pb2_grpc.IdentityServiceStub(id_channel)
            token = (await ident.IssueToken(ipb.IssueTokenRequest(
                grant_type="client_credentials", client_id=OPERATOR_ID,
                client_secret=OPERATOR_SECRET))).access_token
            operator = (("authorization", f"Bearer {token}"),)
            ids = {}
            for name in ("good-core", "bad-core", "supplier", "funder"):
                made = await ident.RegisterPrincipal(enterprise(name), metadata=operator)
                ids[name] = made.principal.principal_id
            scf.ledger.deposit(ids["funder"], "CNY", 1_000_000_00)
            scf.ledger.deposit(ids["good-core"], "CNY", 100_000_00)
            await scf.start()
            async with grpc.aio.insecure_channel(scf.target) as channel:
                world = World(stub(channel), START.date(), metadata=operator)
                alliance = await world.alliance("Appliances")
                for core in ("good-core", "bad-core"):
                    await world.join(alliance, ids[core], pb.MEMBER_ROLE_CORE_ENTERPRISE)
                await world.join(alliance, ids["supplier"], pb.MEMBER_ROLE_SUPPLIER)
                await world.join(alliance, ids["funder"], pb.MEMBER_ROLE_FUNDER)
                funded = {}
                for core in ("good-core", "bad-core"):
                    invoice = await world.invoice(buyer=ids[core], seller=ids["supplier"],
                                                  alliance_id=alliance, units=100_000_00,
                                                  terms_days=30)
                    payable = await world.confirm(invoice)
                    financing = await world.finance(applicant=ids["supplier"],
                                                    payable_id=payable.payable_id,
                                                    units=100_000_00)
                    await world.bid(financing.financing_id, ids["funder"], None)
                    funded[core] = await world.accept(financing)
                scf.clock.now = START + timedelta(days=30)  # maturity: one pays on time
                await eventually(lambda: _is(world, funded["good-core"],
                                             pb.FINANCING_STATUS_SETTLED))
                await eventually(lambda: _is(world, funded["bad-core"],
                                             pb.FINANCING_STATUS_OVERDUE))
                scf.clock.now = START + timedelta(days=30 + scf.grace_days)
                await eventually(lambda: _is(world, funded["bad-core"],
                                             pb.FINANCING_STATUS_DEFAULTED))

            async def wave_cause(principal_id: str, cause: int) -> bool:
                wave = await ident.GetCreditWave(ipb.GetCreditWaveRequest(
                    principal_id=principal_id), metadata=operator)
                return any(p.cause == cause for p in wave.points)

            await eventually(lambda: wave_cause(ids["bad-core"], ipb.WAVE_CAUSE_LOAN_DEFAULTED))
            await eventually(lambda: wave_cause(ids["good-core"], ipb.WAVE_CAUSE_LOAN_REPAID))
            bad = await ident.GetCreditWave(ipb.GetCreditWaveRequest(
                principal_id=ids["bad-core"]), metadata=operator)
            assert bad.points[-1].score < bad.points[0].score  # the default costs points
        async with grpc.aio.insecure_channel(f"127.0.0.1:{identity.port}",
                                             interceptors=[WithMetadata(operator)]) as channel:
            ratings = GrpcRatings(channel)  # the adapter scf-exchange prices with
            good, worse = (await ratings.rating(ids["good-core"]),
                           await ratings.rating(ids["bad-core"]))
            order = ["AAA", "AA", "A", "BBB", "BB", "B", "CCC", "CC", "C"]
            assert order.index(worse) >= order.index(good)
            assert await ratings.rating(str(uuid.uuid4())) == ""  # unknown: unrated
    finally:
        await scf.stop()
        await identity.stop()


async def _is(world: World, financing: pb.Financing, status: int) -> bool:
    return (await world.financing(financing.financing_id)).status == status
