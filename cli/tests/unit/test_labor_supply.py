"""DESIGN §5 steps 1-4 (to the proposal) in embedded mode, through the public gRPC APIs: a person
registers, is priced by identity, registers a contract key, entrusts 720 hours,
signs the contract; the platform countersigns, and laborcoin's issuance cap grows
to exactly k x 720 h x P / p0 - carried by events (identity -> laborcoin for the
value, matching -> laborcoin for the hours). An enterprise then posts a demand and
matching proposes the person, with the score broken down."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import grpc
import pytest_asyncio
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from google.protobuf.timestamp_pb2 import Timestamp

from ntb.common.v1 import common_pb2
from ntb.identity.v1 import identity_pb2 as idpb
from ntb.identity.v1 import identity_pb2_grpc
from ntb.laborcoin.v1 import laborcoin_pb2 as lcpb
from ntb.laborcoin.v1 import laborcoin_pb2_grpc
from ntb.matching.v1 import matching_pb2 as mpb
from ntb.matching.v1 import matching_pb2_grpc
from ntb_cli.embedded import runtimes
from ntb_cli.suite import DEVELOPMENT_OPERATOR_ID, DEVELOPMENT_OPERATOR_SECRET, SUITE
from ntbkit.runtime import ServiceRuntime
from ntbkit.testing import port_under_test

PORT_OFFSET = port_under_test(1251) - 50051  # 52251..52256


@pytest_asyncio.fixture
async def suite(tmp_path: Path) -> AsyncIterator[None]:
    members = runtimes(tmp_path, "127.0.0.1", port_offset=PORT_OFFSET, metrics_port=0)
    for runtime in members:
        await runtime.start()
    yield None
    for runtime in reversed(members):
        await runtime.stop()


def target(name: str) -> str:
    return f"127.0.0.1:{next(m.port for m in SUITE if m.name == name) + PORT_OFFSET}"


def stamp(moment: datetime) -> Timestamp:
    result = Timestamp()
    result.FromDatetime(moment)
    return result


def new_id() -> str:
    return str(uuid.uuid4())


async def until(check, timeout_s: float = 15.0):  # type: ignore[no-untyped-def]
    deadline = asyncio.get_running_loop().time() + timeout_s
    while True:
        found = await check()
        if found:
            return found
        assert asyncio.get_running_loop().time() < deadline, "condition not met in time"
        await asyncio.sleep(0.05)


async def test_entrusted_hours_grow_the_issuance_cap(suite: ServiceRuntime) -> None:
    identity_channel = grpc.aio.insecure_channel(target("identity"))
    identity = identity_pb2_grpc.IdentityServiceStub(identity_channel)
    token = (await identity.IssueToken(idpb.IssueTokenRequest(
        grant_type="client_credentials", client_id=DEVELOPMENT_OPERATOR_ID,
        client_secret=DEVELOPMENT_OPERATOR_SECRET), timeout=10)).access_token
    auth = (("authorization", f"Bearer {token}"),)
    person = (await identity.RegisterPrincipal(idpb.RegisterPrincipalRequest(
        request_id=new_id(), kind=idpb.PRINCIPAL_KIND_PERSON, display_name="Li Wei",
        country_code="CN", region="CN-GD", industry_code="C26",
        person=idpb.PersonProfile(birth_year=1990, experience_years=8, skills=["welding"])),
        metadata=auth, timeout=10)).principal.principal_id
    await identity.SetKycStatus(idpb.SetKycStatusRequest(
        request_id=new_id(), principal_id=person, kyc_status=idpb.KYC_STATUS_VERIFIED,
        reason="documents checked"), metadata=auth, timeout=10)
    key = Ed25519PrivateKey.generate()
    public = key.public_key().public_bytes(serialization.Encoding.Raw,
                                           serialization.PublicFormat.Raw)
    request_id = new_id()
    proof = key.sign(f"ntb-contract-key:v1:{person}:{request_id}".encode())
    key_id = (await identity.RegisterSigningPublicKey(idpb.RegisterSigningPublicKeyRequest(
        request_id=request_id, principal_id=person, public_key=public,
        proof_of_possession=proof), metadata=auth, timeout=10)).key.key_id
    value_fen = (await identity.GetValueWave(idpb.GetValueWaveRequest(principal_id=person),
                                             metadata=auth, timeout=10)).current.hourly_value.units
    assert value_fen > 0
    await identity_channel.close()

    async with grpc.aio.insecure_channel(target("matching")) as channel:
        matching = matching_pb2_grpc.MatchingServiceStub(channel)
        now = datetime.now(UTC)

        async def entrusted() -> mpb.Entrustment | None:  # waits for matching's projection
            try:
                return (await matching.EntrustLabor(mpb.EntrustLaborRequest(
                    request_id=entrust_id, person_id=person,
                    hours=common_pb2.Decimal(value="720"),
                    availability=common_pb2.TimeRange(start_time=stamp(now),
                                                      end_time=stamp(now + timedelta(days=180))),
                    skills=["welding"], min_hourly_price=common_pb2.Money(asset="CNY",
                                                                          units=5_000)),
                    metadata=auth, timeout=10)).entrustment
            except grpc.aio.AioRpcError as error:
                assert error.code() in (grpc.StatusCode.NOT_FOUND,
                                        grpc.StatusCode.FAILED_PRECONDITION), error
                return None

        entrust_id = new_id()
        entrustment = await until(entrusted)
        assert entrustment.status == mpb.ENTRUSTMENT_STATUS_AWAITING_SIGNATURE

        async def signed() -> mpb.Entrustment | None:  # waits for the key in the projection
            try:
                return (await matching.SignEntrustment(mpb.SignEntrustmentRequest(
                    request_id=new_id(), entrustment_id=entrustment.entrustment_id,
                    signer_key_id=key_id,
                    signer_signature=key.sign(entrustment.contract.terms_sha256)),
                    metadata=auth, timeout=10)).entrustment
            except grpc.aio.AioRpcError as error:
                assert error.code() == grpc.StatusCode.FAILED_PRECONDITION, error
                return None

        active = await until(signed)
        assert active.status == mpb.ENTRUSTMENT_STATUS_ACTIVE
        assert len(active.contract.platform_signature) == 64

    async with grpc.aio.insecure_channel(target("laborcoin")) as channel:
        laborcoin = laborcoin_pb2_grpc.LaborCoinServiceStub(channel)

        async def cap_grown() -> lcpb.IssuanceCap | None:
            cap = (await laborcoin.GetIssuanceCap(lcpb.GetIssuanceCapRequest(),
                                                   metadata=auth, timeout=10)).issuance_cap
            return cap if cap.cap.units > 0 else None

        cap = await until(cap_grown)
    # k = 1 and p0 = 1 CNY/LBC at genesis: 720 h x P fen -> LBC micro-coins.
    assert cap.cap.units == 720 * value_fen * 10_000
    assert cap.labor_value_total.units == 720 * value_fen
    assert cap.persons_count == 1


async def test_demand_gets_the_entrusted_person_proposed(suite: ServiceRuntime) -> None:
    await test_entrusted_hours_grow_the_issuance_cap(suite)
    async with grpc.aio.insecure_channel(target("identity")) as channel:
        identity = identity_pb2_grpc.IdentityServiceStub(channel)
        token = (await identity.IssueToken(idpb.IssueTokenRequest(
            grant_type="client_credentials", client_id=DEVELOPMENT_OPERATOR_ID,
            client_secret=DEVELOPMENT_OPERATOR_SECRET), timeout=10)).access_token
        auth = (("authorization", f"Bearer {token}"),)
        buyer = (await identity.RegisterPrincipal(idpb.RegisterPrincipalRequest(
            request_id=new_id(), kind=idpb.PRINCIPAL_KIND_ENTERPRISE,
            display_name="Pearl River Shipyard", country_code="CN", region="CN-GD",
            industry_code="C30", enterprise=idpb.EnterpriseProfile(
                registration_number="91440101MA59TEST01", size="large")),
            metadata=auth, timeout=10)).principal.principal_id
        await identity.SetKycStatus(idpb.SetKycStatusRequest(
            request_id=new_id(), principal_id=buyer, kyc_status=idpb.KYC_STATUS_VERIFIED,
            reason="documents checked"), metadata=auth, timeout=10)
    now = datetime.now(UTC)
    async with grpc.aio.insecure_channel(target("matching")) as channel:
        matching = matching_pb2_grpc.MatchingServiceStub(channel)
        request_id = new_id()

        async def posted() -> mpb.Demand | None:  # waits for the buyer in the projection
            try:
                return (await matching.PostDemand(mpb.PostDemandRequest(
                    request_id=request_id, buyer_id=buyer, title="Hull welding",
                    industry_code="C30", skills=["welding"],
                    hours=common_pb2.Decimal(value="100"),
                    window=common_pb2.TimeRange(start_time=stamp(now + timedelta(days=1)),
                                                end_time=stamp(now + timedelta(days=60))),
                    max_hourly_price=common_pb2.Money(asset="CNY", units=9_000),
                    region="CN-GD"), metadata=auth, timeout=10)).demand
            except grpc.aio.AioRpcError as error:
                assert error.code() in (grpc.StatusCode.NOT_FOUND,
                                        grpc.StatusCode.FAILED_PRECONDITION), error
                return None

        demand = await until(posted)
        proposed = await matching.ProposeCandidates(mpb.ProposeCandidatesRequest(
            demand_id=demand.demand_id, top_k=3), metadata=auth, timeout=10)
    [first] = proposed.candidates
    assert first.rank == 1
    assert first.score.skill_overlap.value == "1.000000"
    assert 0 < float(first.score.total.value) <= 1
    assert len(first.score.weights) == 6
