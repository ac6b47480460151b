"""Support of the intangible-bank API tests: intangible-bank and the patent bank served
for real over gRPC on loopback as two runtimes (as in production: two processes on one
schema), on SQLite or the test PostgreSQL, an in-process bus, a fake laborcoin ledger
(behind the same Ledger port as the gRPC adapter), a clock the test moves, and tokens
signed by a test key (verified as identity's would be)."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import grpc
import jwt
import pytest
import pytest_asyncio
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from google.protobuf.json_format import MessageToJson
from google.protobuf.message import Message
from typer.testing import CliRunner

from ntb.common.v1 import common_pb2
from ntb.events.v1 import identity_events_pb2 as identity_events
from ntb.identity.v1 import identity_pb2
from ntb.intangible_bank.v1 import intangible_bank_pb2_grpc
from ntb.laborcoin.v1 import laborcoin_pb2 as lc
from ntb.laborcoin.v1 import laborcoin_pb2_grpc
from ntb_cli.__main__ import app as cli
from ntb_intangible_bank.bootstrap import MIGRATIONS, intangible_bank, patent_bank
from ntb_intangible_bank.patent_bank_settings import PatentBankSettings
from ntb_intangible_bank.settings import Settings
from ntb_laborcoin import bootstrap as laborcoin_bootstrap
from ntb_laborcoin.settings import LaborCoinSettings
from ntbkit.auth import ROLE_OPERATOR
from ntbkit.errors import FailedPrecondition
from ntbkit.messaging.envelope import new_envelope
from ntbkit.messaging.memory import InMemoryEventBus
from ntbkit.runtime import Builder, Infrastructure, ServiceParts, ServiceRuntime
from ntbkit.testing import error_info

_KEY = Ed25519PrivateKey.generate()
_KEY_ID = "intangible-test-key"


async def _keys() -> Mapping[str, Ed25519PublicKey]:
    return {_KEY_ID: _KEY.public_key()}


def _with_test_keys(build: Builder) -> Builder:
    async def built(infrastructure: Infrastructure) -> ServiceParts:
        parts = await build(infrastructure)
        parts.key_fetcher = _keys
        return parts
    return built


def bearer(subject: str, *roles: str) -> tuple[tuple[str, str], ...]:
    now = int(time.time())
    claims = {"sub": subject, "iss": "ntb-identity", "aud": "ntb", "iat": now,
              "exp": now + 600, "roles": list(roles)}
    token = jwt.encode(claims, _KEY, algorithm="EdDSA", headers={"kid": _KEY_ID})
    return (("authorization", f"Bearer {token}"),)


EXAMINER = bearer("examiner-1", ROLE_OPERATOR)


@dataclass
class FakeLedger:
    """CNY wallets in fen; a transfer id moves money once (as laborcoin's does)."""

    balances: dict[str, int] = field(default_factory=dict)
    transfers: dict[str, tuple[str, str, int, str]] = field(default_factory=dict)

    async def pay(self, *, transfer_id: str, payer_id: str, payee_id: str, amount_fen: int,
                  code: str, reference: str) -> str:
        assert amount_fen > 0
        if transfer_id in self.transfers:
            return transfer_id
        if self.balances.get(payer_id, 0) < amount_fen:
            raise FailedPrecondition("INSUFFICIENT_FUNDS", "the payer's CNY wallet is short")
        self.balances[payer_id] -= amount_fen
        self.balances[payee_id] = self.balances.get(payee_id, 0) + amount_fen
        self.transfers[transfer_id] = (payer_id, payee_id, amount_fen, code)
        return transfer_id

    @property
    def total(self) -> int:
        return sum(self.balances.values())


@dataclass
class Clock:
    now: datetime = field(default_factory=lambda: datetime.now(UTC))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, days: int) -> None:
        self.now += timedelta(days=days)


@dataclass
class Bank:
    bus: InMemoryEventBus
    ledger: FakeLedger
    clock: Clock
    bank: intangible_bank_pb2_grpc.IntangibleBankServiceStub
    patents: intangible_bank_pb2_grpc.PatentBankServiceStub
    runtimes: list[ServiceRuntime]
    log: laborcoin_pb2_grpc.LaborCoinServiceStub | None = None  # laborcoin, when started

    async def prove_offline(self, anchor_id: str, digest: bytes, directory: Path) -> str:
        """laborcoin's inclusion proof of the anchor, checked by `ntb verify inclusion
        --sha256` (the offline verifier a bank runs) against the signed checkpoint."""
        assert self.log is not None, "start the bank with its log (laborcoin)"
        operator = bearer("auditor-1", "auditor")
        proof = None
        for _ in range(400):
            try:
                anchor = await self.log.GetAnchor(lc.GetAnchorRequest(anchor_id=anchor_id),
                                                  metadata=operator)
                if anchor.anchor.leaf_index >= 0:
                    proof = await self.log.GetInclusionProof(lc.GetInclusionProofRequest(
                        anchor_id=anchor_id), metadata=operator)
                    break
            except grpc.aio.AioRpcError as error:
                if error.code() not in (grpc.StatusCode.NOT_FOUND,
                                        grpc.StatusCode.FAILED_PRECONDITION):
                    raise
            await asyncio.sleep(0.05)
        assert proof is not None, f"anchor {anchor_id} was never sealed and checkpointed"
        vkey = (await self.log.GetLogKeys(lc.GetLogKeysRequest())).keys[0].key_id
        (directory / "checkpoint.txt").write_text(proof.signed_tree_head.checkpoint)
        (directory / "proof.json").write_text(MessageToJson(proof.proof))
        result = CliRunner().invoke(cli, [
            "verify", "inclusion", "--checkpoint", str(directory / "checkpoint.txt"),
            "--vkey", vkey, "--proof", str(directory / "proof.json"), "--sha256", digest.hex()])
        assert result.exit_code == 0, result.output
        return result.output

    async def identity_event(self, message: Message) -> None:
        """Publish one of identity's events as identity's relay would."""
        key = message.principal_id
        await self.bus.publisher().publish([new_envelope(
            topic=_IDENTITY_TOPICS[type(message).__name__], key=key, message=message,
            source="identity")])

    async def principal(self, kind: str, *, hourly_value_fen: int | None = None,
                        credit_score: int = 0) -> str:
        principal_id = str(uuid.uuid4())
        await self.identity_event(identity_events.PrincipalRegistered(
            principal_id=principal_id, kind=identity_pb2.PrincipalKind.Value(
                f"PRINCIPAL_KIND_{kind}"), display_name="x", country_code="CN"))
        if hourly_value_fen is not None:
            await self.identity_event(identity_events.ValueUpdated(
                principal_id=principal_id, sequence=1,
                hourly_value=common_pb2.Money(asset="CNY", units=hourly_value_fen)))
        if credit_score:
            await self.identity_event(identity_events.CreditUpdated(
                principal_id=principal_id, score=credit_score, sequence=1,
                reasons=[common_pb2.ReasonCode(code="ON_TIME", description="pays on time")]))
        return principal_id

    async def settled(self, principal_ids: list[str]) -> None:
        """Wait until the projection has every principal (the consumer runs async)."""
        from ntb.intangible_bank.v1 import intangible_bank_pb2 as pb
        for principal_id in principal_ids:
            for _ in range(200):
                try:
                    await self.bank.InvestigateHolderCredit(
                        pb.InvestigateHolderCreditRequest(principal_id=principal_id),
                        metadata=EXAMINER)
                    break
                except grpc.aio.AioRpcError as error:
                    assert error.code() == grpc.StatusCode.NOT_FOUND
                    await asyncio.sleep(0.02)
            else:
                raise AssertionError(f"{principal_id} never reached the projection")

    async def eventually(self, check: Callable[[], bool], timeout_s: float = 10.0) -> None:
        """Wait for the outbox relays (they publish after the commit, asynchronously)."""
        deadline = time.monotonic() + timeout_s
        while not check():
            assert time.monotonic() < deadline, "the awaited events were not published"
            await asyncio.sleep(0.02)

    def anchors(self) -> list[Any]:
        from ntb.events.v1 import anchor_events_pb2
        found = []
        for envelope in self.bus.broker.logs["ntb.intangible_bank.anchor.v1"]:
            message = anchor_events_pb2.AnchorRequested()
            message.ParseFromString(envelope.payload)
            found.append(message)
        return found

    def events(self, topic: str) -> list[tuple[str, bytes]]:
        return [(e.event_type, e.payload) for e in self.bus.broker.logs[topic]]


_IDENTITY_TOPICS = {
    "PrincipalRegistered": "ntb.identity.principal.v1",
    "KycStatusChanged": "ntb.identity.principal.v1",
    "ValueUpdated": "ntb.identity.value.v1",
    "CreditUpdated": "ntb.identity.credit.v1",
    "EnterpriseRatingChanged": "ntb.identity.credit.v1",
}


async def start_log(bus: InMemoryEventBus, database_url: str, schema: str) -> ServiceRuntime:
    """laborcoin, consuming the bank's anchor requests into its verifiable log."""
    runtime = ServiceRuntime(
        LaborCoinSettings(grpc_port=0, database_url=database_url, database_schema=schema,
                          event_bus="memory", log_level="WARNING", log_seal_period_s=0.1),
        build=_with_test_keys(laborcoin_bootstrap.build),
        migrations=laborcoin_bootstrap.MIGRATIONS, bus=bus)
    await runtime.start()
    return runtime


async def start_bank(database_url: str, schema: str, *,
                     log_database: tuple[str, str] | None = None) -> Bank:
    bus, ledger, clock = InMemoryEventBus(), FakeLedger(), Clock()
    log = None if log_database is None else await start_log(bus, *log_database)
    common = {"grpc_port": 0, "database_url": database_url, "database_schema": schema,
              "event_bus": "memory", "log_level": "WARNING"}
    body = ServiceRuntime(Settings(**common), migrations=MIGRATIONS, bus=bus,
                          build=_with_test_keys(intangible_bank(ledger=ledger, clock=clock)))
    wing = ServiceRuntime(PatentBankSettings(**common), migrations=MIGRATIONS, bus=bus,
                          build=_with_test_keys(patent_bank(ledger=ledger, clock=clock)))
    await body.start()
    await wing.start()
    bank_channel = grpc.aio.insecure_channel(f"127.0.0.1:{body.port}")
    patent_channel = grpc.aio.insecure_channel(f"127.0.0.1:{wing.port}")
    started = Bank(bus, ledger, clock,
                   intangible_bank_pb2_grpc.IntangibleBankServiceStub(bank_channel),
                   intangible_bank_pb2_grpc.PatentBankServiceStub(patent_channel),
                   [body, wing])
    if log is not None:
        started.runtimes.insert(0, log)
        started.log = laborcoin_pb2_grpc.LaborCoinServiceStub(
            grpc.aio.insecure_channel(f"127.0.0.1:{log.port}"))
    return started


async def stop_bank(bank: Bank) -> None:
    for runtime in reversed(bank.runtimes):
        await runtime.stop()


@pytest_asyncio.fixture
async def bank(tmp_path: Path) -> AsyncIterator[Bank]:
    started = await start_bank(f"sqlite+aiosqlite:///{tmp_path / 'bank.db'}", "intangible_bank")
    yield started
    await stop_bank(started)


@pytest_asyncio.fixture
async def bank_with_log(tmp_path: Path) -> AsyncIterator[Bank]:
    """The bank and laborcoin, which seals the gene map's anchors into its log."""
    started = await start_bank(
        f"sqlite+aiosqlite:///{tmp_path / 'bank.db'}", "intangible_bank",
        log_database=(f"sqlite+aiosqlite:///{tmp_path / 'laborcoin.db'}", "laborcoin"))
    yield started
    await stop_bank(started)






async def refused(call: Awaitable[Any], reason: str) -> grpc.aio.AioRpcError:
    """The call fails FAILED_PRECONDITION with this machine-readable reason."""
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await call
    error = caught.value
    assert error.code() == grpc.StatusCode.FAILED_PRECONDITION, (error.code(), error.details())
    assert error_info(error).reason == reason, error.details()
    return error


def rid() -> str:
    return str(uuid.uuid4())


Factory = Callable[..., Awaitable[Any]]
