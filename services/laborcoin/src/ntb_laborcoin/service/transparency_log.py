"""The verifiable log of transfers (RFC 9162 Merkle tree, C2SP signed checkpoints).

One sealer appends committed transfers in commit order behind a watermark - never a
lock in the transfer path - and signs a checkpoint for each new tree size.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from datetime import UTC, datetime

from ntb_laborcoin.domain import merkle
from ntb_laborcoin.domain.checkpoint import Checkpoint, NoteSigner
from ntb_laborcoin.domain.events import CheckpointSigned
from ntb_laborcoin.domain.log_entry import LOG_ORIGIN, canonical_bytes
from ntb_laborcoin.domain.transfers import Transfer
from ntb_laborcoin.service.unit_of_work import LogCheckpoint, NewUnit
from ntbkit.errors import FailedPrecondition, NotFound

SEAL_BATCH_MAX = 5_000


async def seal(new_unit: NewUnit, signer: NoteSigner, key_id: str) -> int:
    """Append what committed since the last seal and sign the new head; leaves added."""
    async with new_unit() as unit:
        if not await unit.log.claim_sealer():
            return 0
        size, last_txid, last_seq = await unit.log.state()
        pending = await unit.log.unsealed(last_txid=last_txid, last_seq=last_seq,
                                          limit=SEAL_BATCH_MAX)
        if not pending:
            return 0
        frontier = merkle.frontier_ids(size)
        stored = await unit.log.nodes(frontier)
        tree = merkle.CompactRange(size, [stored[node] for node in frontier])
        leaves = [(t.transfer_id, merkle.leaf_hash(canonical_bytes(t))) for _, _, t in pending]
        created = tree.extend(leaf for _, leaf in leaves)
        txid, seq, _ = pending[-1]
        await unit.log.append(first_index=size, leaves=leaves, nodes=created, cursor=(txid, seq))
        signed_at = datetime.now(UTC)
        head = Checkpoint(LOG_ORIGIN, tree.size, tree.root(),
                          (f"signed-at {signed_at.isoformat(timespec='seconds')}",))
        checkpoint = LogCheckpoint(tree.size, tree.root(), head.sign([signer]), key_id,
                                   signed_at)
        await unit.log.add_checkpoint(checkpoint)
        unit.record(CheckpointSigned(checkpoint))
        await unit.commit()
        return len(leaves)


async def run_sealer(
    new_unit: NewUnit, signer: NoteSigner, key_id: str, stop: asyncio.Event, *,
    period_s: float = 0.5,
) -> None:
    while not stop.is_set():
        if await seal(new_unit, signer, key_id) < SEAL_BATCH_MAX:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), period_s)


async def signed_head(new_unit: NewUnit, tree_size: int = 0) -> LogCheckpoint:
    async with new_unit() as unit:
        found = await unit.log.checkpoint(tree_size)
    if found is None:
        raise NotFound("signed tree head", str(tree_size or "latest"))
    return found


@dataclass(frozen=True)
class Inclusion:
    leaf_index: int
    leaf_data: bytes
    leaf_hash: bytes
    audit_path: list[bytes]
    head: LogCheckpoint
    transfer: Transfer


async def inclusion(
    new_unit: NewUnit, *, transfer_id: str = "", leaf_index: int = -1, tree_size: int = 0
) -> Inclusion:
    async with new_unit() as unit:
        leaf = await unit.log.leaf(transfer_id=transfer_id, leaf_index=leaf_index)
        if leaf is None:
            raise FailedPrecondition("NOT_YET_LOGGED", "the transfer is not sealed into the "
                                     "log yet; retry in a second",
                                     {"transfer_id": transfer_id})
        index, leaf_hash, transfer = leaf
        head = await unit.log.checkpoint(tree_size)
        if head is None:
            raise NotFound("signed tree head", str(tree_size or "latest"))
        if index >= head.tree_size:
            raise FailedPrecondition("NOT_YET_CHECKPOINTED", "the leaf is newer than the head",
                                     {"leaf_index": str(index)})
        plan = merkle.plan_inclusion(index, head.tree_size)
        path = plan.assemble(await unit.log.nodes(plan.node_ids))
    return Inclusion(index, canonical_bytes(transfer), leaf_hash, path, head, transfer)


async def consistency(
    new_unit: NewUnit, *, first_size: int, second_size: int = 0
) -> tuple[list[bytes], LogCheckpoint]:
    async with new_unit() as unit:
        head = await unit.log.checkpoint(second_size)
        if head is None:
            raise NotFound("signed tree head", str(second_size or "latest"))
        if not 1 <= first_size <= head.tree_size:
            raise FailedPrecondition("TREE_SIZE_OUT_OF_RANGE",
                                     f"first size must be 1..{head.tree_size}")
        plan = merkle.plan_consistency(first_size, head.tree_size)
        proof = plan.assemble(await unit.log.nodes(plan.node_ids))
    return proof, head
