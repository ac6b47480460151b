"""Embedded mode serves the same contract as distributed mode: the six services in one
process on SQLite and the in-process bus; a registered person's wallet appears in
laborcoin through identity's outbox, the bus and laborcoin's inbox; every service
reports SERVING and stops cleanly. Real gRPC over loopback sockets."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import grpc
import pytest_asyncio
from grpc_health.v1 import health_pb2, health_pb2_grpc

from ntb.common.v1 import common_pb2
from ntb.identity.v1 import identity_pb2 as idpb
from ntb.identity.v1 import identity_pb2_grpc
from ntb.laborcoin.v1 import laborcoin_pb2 as lcpb
from ntb.laborcoin.v1 import laborcoin_pb2_grpc
from ntb_cli.embedded import runtimes
from ntb_cli.suite import DEVELOPMENT_OPERATOR_ID, DEVELOPMENT_OPERATOR_SECRET, SUITE
from ntb_laborcoin.adapters.log_signer import ed25519_check
from ntb_laborcoin.domain.checkpoint import VerifierKey, open_checkpoint
from ntb_laborcoin.domain.log_entry import LOG_ORIGIN
from ntb_laborcoin.domain.merkle import leaf_hash, verify_inclusion
from ntbkit.runtime import ServiceRuntime
from ntbkit.testing import port_under_test

PORT_OFFSET = port_under_test(1051) - 50051  # 52051..52056, away from `make run`


@pytest_asyncio.fixture
async def suite(tmp_path: Path) -> AsyncIterator[list[ServiceRuntime]]:
    members = runtimes(tmp_path, "127.0.0.1", port_offset=PORT_OFFSET, metrics_port=0)
    for runtime in members:
        await runtime.start()
    yield members
    for runtime in reversed(members):
        await runtime.stop()


def target(name: str) -> str:
    port = next(m.port for m in SUITE if m.name == name) + PORT_OFFSET
    return f"127.0.0.1:{port}"


async def test_every_service_serving_and_wallet_opens_by_event(
    suite: list[ServiceRuntime],
) -> None:
    for member in SUITE:
        async with grpc.aio.insecure_channel(target(member.name)) as channel:
            response = await health_pb2_grpc.HealthStub(channel).Check(
                health_pb2.HealthCheckRequest(), timeout=5)
            assert response.status == health_pb2.HealthCheckResponse.SERVING, member.name

    async with grpc.aio.insecure_channel(target("identity")) as channel:
        identity = identity_pb2_grpc.IdentityServiceStub(channel)
        token = (await identity.IssueToken(idpb.IssueTokenRequest(
            grant_type="client_credentials", client_id=DEVELOPMENT_OPERATOR_ID,
            client_secret=DEVELOPMENT_OPERATOR_SECRET), timeout=10)).access_token
        metadata = (("authorization", f"Bearer {token}"),)
        registered = await identity.RegisterPrincipal(idpb.RegisterPrincipalRequest(
            request_id=str(uuid.uuid4()), kind=idpb.PRINCIPAL_KIND_PERSON,
            display_name="Chen Jie", country_code="CN", region="CN-SH", industry_code="J62",
            person=idpb.PersonProfile(birth_year=1995, experience_years=3)),
            metadata=metadata, timeout=10)
    owner_id = registered.principal.principal_id

    async with grpc.aio.insecure_channel(target("laborcoin")) as channel:
        laborcoin = laborcoin_pb2_grpc.LaborCoinServiceStub(channel)
        request = lcpb.GetAccountRequest(owner=lcpb.AccountOwnerKey(
            owner_id=owner_id, asset="LBC", kind=lcpb.ACCOUNT_KIND_WALLET))
        for _ in range(100):
            try:
                wallet = (await laborcoin.GetAccount(request, metadata=metadata, timeout=5)).account
                break
            except grpc.aio.AioRpcError as error:
                assert error.code() == grpc.StatusCode.NOT_FOUND
                await asyncio.sleep(0.05)
        else:
            raise AssertionError("wallet never opened")
    assert wallet.owner_id == owner_id


async def test_embedded_ledger_seals_transfers_into_the_verifiable_log(
    suite: list[ServiceRuntime],
) -> None:
    """SQLite has no snapshot watermark; the sealer's single-writer path still logs
    every transfer and serves a proof that verifies with the public key."""
    async with grpc.aio.insecure_channel(target("identity")) as channel:
        token = (await identity_pb2_grpc.IdentityServiceStub(channel).IssueToken(
            idpb.IssueTokenRequest(grant_type="client_credentials",
                                   client_id=DEVELOPMENT_OPERATOR_ID,
                                   client_secret=DEVELOPMENT_OPERATOR_SECRET),
            timeout=10)).access_token
    metadata = (("authorization", f"Bearer {token}"),)
    bank, wallet = str(uuid.uuid4()), str(uuid.uuid4())
    async with grpc.aio.insecure_channel(target("laborcoin")) as channel:
        ledger = laborcoin_pb2_grpc.LaborCoinServiceStub(channel)
        await ledger.CreateAccounts(lcpb.CreateAccountsRequest(request_id=str(uuid.uuid4()),
            accounts=[lcpb.Account(account_id=bank, owner_id="bank", asset="CNY",
                                   kind=lcpb.ACCOUNT_KIND_EXTERNAL_SETTLEMENT),
                      lcpb.Account(account_id=wallet, owner_id="alice", asset="CNY",
                                   kind=lcpb.ACCOUNT_KIND_WALLET)]),
            metadata=metadata, timeout=10)
        deposit = lcpb.Transfer(transfer_id=str(uuid.uuid4()), debit_account_id=bank,
                                credit_account_id=wallet, amount=common_pb2.Money(
                                    asset="CNY", units=500), code=lcpb.TRANSFER_CODE_DEPOSIT)
        await ledger.CreateTransfers(lcpb.CreateTransfersRequest(
            request_id=str(uuid.uuid4()), transfers=[deposit]), metadata=metadata, timeout=10)
        for _ in range(60):
            try:
                proof = await ledger.GetInclusionProof(lcpb.GetInclusionProofRequest(
                    transfer_id=deposit.transfer_id), metadata=metadata, timeout=10)
                break
            except grpc.aio.AioRpcError:
                await asyncio.sleep(0.1)
        else:
            raise AssertionError("never sealed")
        keys = await ledger.GetLogKeys(lcpb.GetLogKeysRequest(), timeout=10)
    head = open_checkpoint(proof.signed_tree_head.checkpoint, LOG_ORIGIN,
                           [VerifierKey.parse(keys.keys[0].key_id)], ed25519_check)
    verify_inclusion(proof.proof.leaf_index, head.tree_size, leaf_hash(proof.proof.leaf_data),
                     list(proof.proof.audit_path), head.root_hash)
