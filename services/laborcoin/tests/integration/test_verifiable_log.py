"""Every committed transfer is provable with nothing but the log's public key: after
sealing, each transfer's inclusion proof verifies against the signed checkpoint, a
consistency proof links every older checkpoint to the newest, and a changed byte in
a stored transfer (forced past the immutability trigger) fails verification.
Real PostgreSQL; the sealer and proof code the service runs."""

from __future__ import annotations

import asyncio
import uuid

import pytest
import sqlalchemy as sa
from ledger_fixtures import OPERATOR, LedgerDatabase, ledger_database

from ntb_laborcoin.adapters.log_signer import Ed25519NoteSigner, ed25519_check
from ntb_laborcoin.domain import merkle
from ntb_laborcoin.domain.checkpoint import open_checkpoint
from ntb_laborcoin.domain.log_entry import LOG_ORIGIN, canonical_bytes
from ntb_laborcoin.domain.model import AccountKind
from ntb_laborcoin.domain.transfers import TransferRequest
from ntb_laborcoin.service import transparency_log
from ntb_laborcoin.service.ledger import CreateTransfers, create_transfers
from ntbkit.errors import FailedPrecondition

SIGNER = Ed25519NoteSigner.generate(LOG_ORIGIN)
KEY = SIGNER.verifier_key()


async def _pay(db: LedgerDatabase, debit: str, credit: str, count: int) -> list[str]:
    ids = [str(uuid.uuid4()) for _ in range(count)]
    await create_transfers(db.new_unit, CreateTransfers(str(uuid.uuid4()), tuple(
        TransferRequest(i, debit, credit, "CNY", 1 + n, "PAYMENT") for n, i in enumerate(ids)
    )), OPERATOR)
    return ids


async def _seal_all(db: LedgerDatabase, tree_size: int) -> None:
    """The watermark waits for every older transaction in the cluster (other tests'
    too) to end, so one pass may seal less; a few passes reach the size."""
    for _ in range(200):
        await transparency_log.seal(db.new_unit, SIGNER, KEY.encode())
        async with db.new_unit() as unit:
            if (await unit.log.state())[0] >= tree_size:
                return
        await asyncio.sleep(0.05)
    raise AssertionError(f"the log never reached {tree_size} leaves")


def _verify(note: str, proof: transparency_log.Inclusion) -> None:
    head = open_checkpoint(note, LOG_ORIGIN, [KEY], ed25519_check)
    merkle.verify_inclusion(proof.leaf_index, head.tree_size, merkle.leaf_hash(proof.leaf_data),
                            proof.audit_path, head.root_hash)


async def test_every_transfer_is_provable_from_the_public_key_alone() -> None:
    async with ledger_database() as db:
        bank = await db.open("bank", "CNY", kind=AccountKind.EXTERNAL_SETTLEMENT,
                             no_overdraft=False)
        wallet = await db.open("alice", "CNY", no_overdraft=False)
        transfer_ids, heads = [], []
        for batch in (1, 2, 5, 13, 30):
            transfer_ids += await _pay(db, bank, wallet, batch)
            await _seal_all(db, len(transfer_ids))
            heads.append(await transparency_log.signed_head(db.new_unit))
        newest = heads[-1]
        assert newest.tree_size == len(transfer_ids) == 51
        for transfer_id in transfer_ids:
            proof = await transparency_log.inclusion(db.new_unit, transfer_id=transfer_id)
            assert proof.leaf.transfer_id == transfer_id  # type: ignore[union-attr]
            _verify(proof.head.note, proof)
        for older in heads[:-1]:
            path, head = await transparency_log.consistency(db.new_unit,
                                                            first_size=older.tree_size)
            merkle.verify_consistency(older.tree_size, head.tree_size, path, older.root_hash,
                                      head.root_hash)

        tampered = transfer_ids[7]
        async with db.engine.begin() as connection:  # an attacker with database access
            await connection.execute(sa.text("ALTER TABLE transfers DISABLE TRIGGER USER"))
            await connection.execute(sa.text(
                "UPDATE transfers SET amount = amount + 1 WHERE transfer_id = :id"),
                {"id": tampered})
            await connection.execute(sa.text("ALTER TABLE transfers ENABLE TRIGGER USER"))
        proof = await transparency_log.inclusion(db.new_unit, transfer_id=tampered)
        assert proof.leaf_data == canonical_bytes(proof.leaf)  # type: ignore[arg-type]  # re-derived from the row
        with pytest.raises(merkle.ProofError):
            _verify(proof.head.note, proof)


async def test_unsealed_transfer_is_reported_not_yet_logged() -> None:
    async with ledger_database() as db:
        bank = await db.open("bank", "CNY", kind=AccountKind.EXTERNAL_SETTLEMENT,
                             no_overdraft=False)
        wallet = await db.open("bob", "CNY")
        [transfer_id] = await _pay(db, bank, wallet, 1)
        with pytest.raises(FailedPrecondition) as raised:
            await transparency_log.inclusion(db.new_unit, transfer_id=transfer_id)
        assert raised.value.reason == "NOT_YET_LOGGED"
