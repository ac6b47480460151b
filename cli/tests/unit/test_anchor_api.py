"""A service anchors a record's digest through the event bus; anyone then reads the
anchor and its inclusion proof from laborcoin's gRPC API and verifies it offline
(embedded suite: real gRPC, the in-process bus behind the same interfaces as Kafka)."""

from __future__ import annotations

import asyncio
import hashlib
import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import grpc
import pytest_asyncio
from google.protobuf.json_format import MessageToJson
from typer.testing import CliRunner

from ntb.events.v1 import anchor_events_pb2
from ntb.identity.v1 import identity_pb2 as idpb
from ntb.identity.v1 import identity_pb2_grpc
from ntb.laborcoin.v1 import laborcoin_pb2 as lcpb
from ntb.laborcoin.v1 import laborcoin_pb2_grpc
from ntb_cli.__main__ import app
from ntb_cli.embedded import runtimes
from ntb_cli.suite import DEVELOPMENT_OPERATOR_ID, DEVELOPMENT_OPERATOR_SECRET, SUITE
from ntbkit.messaging.envelope import new_envelope
from ntbkit.runtime import ServiceRuntime
from ntbkit.testing import port_under_test
from ntbkit.timestamps import to_timestamp

PORT_OFFSET = port_under_test(1271) - 50051


@pytest_asyncio.fixture
async def suite(tmp_path: Path) -> AsyncIterator[list[ServiceRuntime]]:
    members = runtimes(tmp_path, "127.0.0.1", port_offset=PORT_OFFSET, metrics_port=0)
    for runtime in members:
        await runtime.start()
    yield members
    for runtime in reversed(members):
        await runtime.stop()


def target(name: str) -> str:
    return f"127.0.0.1:{next(m.port for m in SUITE if m.name == name) + PORT_OFFSET}"


async def test_an_anchored_record_is_provable_offline(
    suite: list[ServiceRuntime], tmp_path: Path
) -> None:
    record = json.dumps({"asset": "a", "sequence": 1, "kind": "REGISTERED"}).encode()
    digest = hashlib.sha256(record).digest()
    anchor_id = str(uuid.uuid4())
    event = anchor_events_pb2.AnchorRequested(
        anchor_id=anchor_id, source="intangible-bank", subject="asset/a/gene/1",
        digest_sha256=digest, recorded_at=to_timestamp(datetime.now(UTC)))
    publisher = suite[0]._bus.publisher()  # as intangible-bank's outbox relay would
    await publisher.publish([new_envelope(topic="ntb.intangible_bank.anchor.v1",
                                          key="asset/a", message=event,
                                          source="ntb-intangible-bank")])

    async with grpc.aio.insecure_channel(target("identity")) as channel:
        token = (await identity_pb2_grpc.IdentityServiceStub(channel).IssueToken(
            idpb.IssueTokenRequest(grant_type="client_credentials",
                                   client_id=DEVELOPMENT_OPERATOR_ID,
                                   client_secret=DEVELOPMENT_OPERATOR_SECRET),
            timeout=10)).access_token
    auth = (("authorization", f"Bearer {token}"),)
    async with grpc.aio.insecure_channel(target("laborcoin")) as channel:
        laborcoin = laborcoin_pb2_grpc.LaborCoinServiceStub(channel)
        for _ in range(200):
            try:
                found = await laborcoin.GetAnchor(lcpb.GetAnchorRequest(anchor_id=anchor_id),
                                                  metadata=auth, timeout=10)
                if found.anchor.leaf_index >= 0:
                    proof = await laborcoin.GetInclusionProof(
                        lcpb.GetInclusionProofRequest(anchor_id=anchor_id),
                        metadata=auth, timeout=10)
                    break
            except grpc.aio.AioRpcError as error:
                if error.code() not in (grpc.StatusCode.NOT_FOUND,
                                        grpc.StatusCode.FAILED_PRECONDITION):
                    raise
            await asyncio.sleep(0.05)
        else:
            raise AssertionError("the anchor was never sealed and checkpointed")
        keys = await laborcoin.GetLogKeys(lcpb.GetLogKeysRequest(), timeout=10)

    assert found.anchor.digest_sha256 == digest and found.anchor.source == "intangible-bank"
    assert proof.anchor.anchor_id == anchor_id and not proof.HasField("transfer")
    vkey = keys.keys[0].key_id  # the verifier key string (C2SP vkey)
    (tmp_path / "checkpoint.txt").write_text(proof.signed_tree_head.checkpoint)
    (tmp_path / "proof.json").write_text(MessageToJson(proof.proof))
    runner = CliRunner()
    args = ["verify", "inclusion", "--checkpoint", str(tmp_path / "checkpoint.txt"),
            "--vkey", vkey, "--proof", str(tmp_path / "proof.json")]
    ok = runner.invoke(app, [*args, "--sha256", digest.hex()])
    assert ok.exit_code == 0, ok.output
    wrong = runner.invoke(app, [*args, "--sha256", hashlib.sha256(b"forged").hexdigest()])
    assert wrong.exit_code == 1
