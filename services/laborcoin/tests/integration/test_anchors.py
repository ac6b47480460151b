"""Digests other services anchor (gene maps, payables) become log leaves next to the
transfers: once per anchor id, in commit order, provable from the public key alone.
Real PostgreSQL; the consumer's apply function, the sealer and the proof code the
service runs."""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from ledger_fixtures import OPERATOR, LedgerDatabase, ledger_database

from ntb.events.v1 import anchor_events_pb2
from ntb_laborcoin.adapters.log_signer import Ed25519NoteSigner, ed25519_check
from ntb_laborcoin.domain import merkle
from ntb_laborcoin.domain.checkpoint import open_checkpoint
from ntb_laborcoin.domain.log_entry import LOG_ORIGIN, Anchor, Committed, anchor_bytes
from ntb_laborcoin.domain.model import AccountKind
from ntb_laborcoin.domain.transfers import TransferRequest
from ntb_laborcoin.entrypoints.consumers import anchor_requested
from ntb_laborcoin.service import transparency_log
from ntb_laborcoin.service.ledger import CreateTransfers, create_transfers
from ntbkit.messaging.envelope import EventEnvelope, PoisonEvent, new_envelope
from ntbkit.timestamps import to_timestamp

SIGNER = Ed25519NoteSigner.generate(LOG_ORIGIN)
KEY = SIGNER.verifier_key()
TOPIC = "ntb.intangible_bank.anchor.v1"


def _request(anchor_id: str, record: bytes, subject: str = "asset/a/gene/1") -> EventEnvelope:
    event = anchor_events_pb2.AnchorRequested(
        anchor_id=anchor_id, source="intangible-bank", subject=subject,
        digest_sha256=hashlib.sha256(record).digest(),
        recorded_at=to_timestamp(datetime(2026, 11, 27, 9, 30, 0, 123456, tzinfo=UTC)))
    return new_envelope(topic=TOPIC, key=subject, message=event, source="ntb-intangible-bank")


async def _consume(db: LedgerDatabase, envelope: EventEnvelope) -> None:
    async with db.new_unit() as unit:
        await anchor_requested(unit, envelope)
        await unit.commit()


async def _seal_all(db: LedgerDatabase, tree_size: int) -> None:
    for _ in range(200):
        await transparency_log.seal(db.new_unit, SIGNER, KEY.encode())
        async with db.new_unit() as unit:
            if (await unit.log.state())[0] >= tree_size:
                return
        await asyncio.sleep(0.05)
    raise AssertionError(f"the log never reached {tree_size} leaves")


async def _pay(db: LedgerDatabase, debit: str, credit: str) -> str:
    transfer_id = str(uuid.uuid4())
    await create_transfers(db.new_unit, CreateTransfers(str(uuid.uuid4()), (
        TransferRequest(transfer_id, debit, credit, "CNY", 100, "PAYMENT"),)), OPERATOR)
    return transfer_id


async def test_anchors_and_transfers_share_the_log_and_prove_offline() -> None:
    async with ledger_database() as db:
        bank = await db.open("bank", "CNY", kind=AccountKind.EXTERNAL_SETTLEMENT,
                             no_overdraft=False)
        wallet = await db.open("alice", "CNY")
        first = await _pay(db, bank, wallet)
        anchor_ids = [str(uuid.uuid4()) for _ in range(3)]
        records = [f"gene entry {n}".encode() for n in range(3)]
        await _consume(db, _request(anchor_ids[0], records[0]))
        second = await _pay(db, bank, wallet)
        for anchor_id, record in zip(anchor_ids[1:], records[1:], strict=True):
            await _consume(db, _request(anchor_id, record))
        await _seal_all(db, 5)

        order = []
        for index in range(5):
            proof = await transparency_log.inclusion(db.new_unit, leaf_index=index)
            leaf = proof.leaf
            order.append(leaf.anchor_id if isinstance(leaf, Anchor) else leaf.transfer_id)
        assert order == [first, anchor_ids[0], second, *anchor_ids[1:]]  # commit order

        for anchor_id, record in zip(anchor_ids, records, strict=True):
            proof = await transparency_log.inclusion(db.new_unit, anchor_id=anchor_id)
            anchored = proof.leaf
            assert isinstance(anchored, Anchor)
            # A verifier recomputes the leaf from the source's record and the anchor fields.
            assert anchored.digest == hashlib.sha256(record).digest()
            assert proof.leaf_data == anchor_bytes(anchored)
            head = open_checkpoint(proof.head.note, LOG_ORIGIN, [KEY], ed25519_check)
            merkle.verify_inclusion(proof.leaf_index, head.tree_size,
                                    merkle.leaf_hash(proof.leaf_data), proof.audit_path,
                                    head.root_hash)
            found = await transparency_log.anchor(db.new_unit, anchor_id)
            assert found.leaf_index == proof.leaf_index


async def test_a_redelivered_anchor_has_one_leaf_and_a_reused_id_is_poison() -> None:
    async with ledger_database() as db:
        anchor_id = str(uuid.uuid4())
        await _consume(db, _request(anchor_id, b"record"))
        await _consume(db, _request(anchor_id, b"record"))  # same request again: no effect
        with pytest.raises(PoisonEvent, match="ANCHOR_ID_REUSED|different digest"):
            await _consume(db, _request(anchor_id, b"another record"))
        await _seal_all(db, 1)
        async with db.new_unit() as unit:
            assert (await unit.log.state())[0] == 1
        unsealed = await transparency_log.anchor(db.new_unit, anchor_id)
        assert unsealed.leaf_index == 0


async def test_an_invalid_anchor_request_is_poison() -> None:
    async with ledger_database() as db:
        event = anchor_events_pb2.AnchorRequested(anchor_id="not-a-uuid", source="x",
                                                  subject="s", digest_sha256=b"short")
        envelope = new_envelope(topic=TOPIC, key="s", message=event, source="test")
        with pytest.raises(PoisonEvent, match="anchor_id.*digest_sha256.*recorded_at"):
            await _consume(db, envelope)


async def test_stored_anchors_are_immutable() -> None:
    async with ledger_database() as db:
        await _consume(db, _request(str(uuid.uuid4()), b"record"))
        async with db.engine.begin() as connection:
            with pytest.raises(sa.exc.DBAPIError, match="immutable"):
                await connection.execute(sa.text("UPDATE anchors SET subject = 'forged'"))


def _entry(txid: int, seq: int, anchor: bool) -> Committed:
    leaf = Anchor(str(seq), "s", "x", b"0" * 32, datetime.now(UTC)) if anchor else None
    return Committed(txid, seq, leaf)  # type: ignore[arg-type]


def test_merging_never_passes_a_stream_cut_at_the_limit() -> None:
    transfers = [_entry(10, 1, False), _entry(12, 2, False)]  # full: more may follow 12
    anchors = [_entry(11, 1, True), _entry(13, 2, True)]
    merged = transparency_log.in_commit_order(transfers, anchors, limit=2)
    assert [(e.txid, e.seq) for e in merged] == [(10, 1), (11, 1)]
    merged = transparency_log.in_commit_order(transfers, anchors, limit=10)
    assert [e.txid for e in merged] == [10, 11, 12, 13]
