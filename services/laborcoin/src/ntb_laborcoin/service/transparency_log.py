"""The verifiable log of transfers and anchored digests (RFC 9162 Merkle tree, C2SP
signed checkpoints).

One sealer appends committed transfers and anchors in commit order behind a watermark -
never a lock in the transfer path - and signs a checkpoint for each new tree size.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from datetime import UTC, datetime

from ntb_laborcoin.domain import merkle
from ntb_laborcoin.domain.checkpoint import Checkpoint, NoteSigner
from ntb_laborcoin.domain.events import CheckpointSigned
from ntb_laborcoin.domain.log_entry import (
    LOG_ORIGIN,
    Anchor,
    Committed,
    LogCheckpoint,
    LogLeaf,
    leaf_bytes,
)
from ntb_laborcoin.service.unit_of_work import Cursor, NewUnit
from ntbkit.errors import FailedPrecondition, NotFound

SEAL_BATCH_MAX = 5_000


async def seal(new_unit: NewUnit, signer: NoteSigner, key_id: str) -> int:
    """Append what committed since the last seal and sign the new head; leaves added."""
    async with new_unit() as unit:
        if not await unit.log.claim_sealer():
            return 0
        size, transfer_cursor, anchor_cursor = await unit.log.state()
        pending = in_commit_order(
            await unit.log.unsealed(after=transfer_cursor, limit=SEAL_BATCH_MAX),
            await unit.log.unsealed_anchors(after=anchor_cursor, limit=SEAL_BATCH_MAX),
            limit=SEAL_BATCH_MAX,
        )
        if not pending:
            return 0
        frontier = merkle.frontier_ids(size)
        stored = await unit.log.nodes(frontier)
        tree = merkle.CompactRange(size, [stored[node] for node in frontier])
        leaves = [(entry.leaf, merkle.leaf_hash(leaf_bytes(entry.leaf))) for entry in pending]
        created = tree.extend(leaf_hash for _, leaf_hash in leaves)
        await unit.log.append(
            first_index=size, leaves=leaves, nodes=created,
            transfer_cursor=_cursor_after(
                [entry for entry in pending if not isinstance(entry.leaf, Anchor)],
                transfer_cursor),
            anchor_cursor=_cursor_after(
                [entry for entry in pending if isinstance(entry.leaf, Anchor)], anchor_cursor),
        )
        signed_at = datetime.now(UTC)
        head = Checkpoint(LOG_ORIGIN, tree.size, tree.root(),
                          (f"signed-at {signed_at.isoformat(timespec='seconds')}",))
        checkpoint = LogCheckpoint(tree.size, tree.root(), head.sign([signer]), key_id,
                                   signed_at)
        await unit.log.add_checkpoint(checkpoint)
        unit.record(CheckpointSigned(checkpoint))
        await unit.commit()
        return len(leaves)


def in_commit_order(
    transfers: list[Committed], anchors: list[Committed], *, limit: int
) -> list[Committed]:
    """Both streams merged in commit order, never past the end of a stream cut at `limit`
    (an unread row of that stream could come before what the other stream read)."""
    merged = sorted(transfers + anchors, key=lambda entry: entry.order)
    horizons = [stream[-1].order for stream in (transfers, anchors) if len(stream) >= limit]
    if horizons:
        merged = [entry for entry in merged if entry.order <= min(horizons)]
    return merged[:limit]


def _cursor_after(sealed: list[Committed], unchanged: Cursor) -> Cursor:
    return (sealed[-1].txid, sealed[-1].seq) if sealed else unchanged


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
    leaf: LogLeaf


async def inclusion(
    new_unit: NewUnit, *, transfer_id: str = "", anchor_id: str = "", leaf_index: int = -1,
    tree_size: int = 0,
) -> Inclusion:
    async with new_unit() as unit:
        found = await unit.log.leaf(transfer_id=transfer_id, anchor_id=anchor_id,
                                    leaf_index=leaf_index)
        if found is None:
            subject = {"transfer_id": transfer_id} if transfer_id else (
                {"anchor_id": anchor_id} if anchor_id else {"leaf_index": str(leaf_index)})
            raise FailedPrecondition("NOT_YET_LOGGED", "not sealed into the log yet; retry "
                                     "in a second", subject)
        index, leaf_hash, leaf = found
        head = await unit.log.checkpoint(tree_size)
        if head is None:
            raise NotFound("signed tree head", str(tree_size or "latest"))
        if index >= head.tree_size:
            raise FailedPrecondition("NOT_YET_CHECKPOINTED", "the leaf is newer than the head",
                                     {"leaf_index": str(index)})
        plan = merkle.plan_inclusion(index, head.tree_size)
        path = plan.assemble(await unit.log.nodes(plan.node_ids))
    return Inclusion(index, leaf_bytes(leaf), leaf_hash, path, head, leaf)


async def anchor(new_unit: NewUnit, anchor_id: str) -> Anchor:
    async with new_unit() as unit:
        found = await unit.log.anchor(anchor_id)
    if found is None:
        raise NotFound("anchor", anchor_id)
    return found


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
