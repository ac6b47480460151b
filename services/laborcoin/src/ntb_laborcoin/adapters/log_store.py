"""The verifiable log in SQL: leaves, complete-subtree nodes, the sealer's cursor
and the signed checkpoints. Only the sealer writes; one at a time."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from ntb_laborcoin.adapters.ledger_store import transfer_from_row
from ntb_laborcoin.adapters.tables import (
    anchors,
    checkpoints,
    log_leaves,
    log_nodes,
    log_state,
    transfers,
)
from ntb_laborcoin.domain.log_entry import Anchor, Committed, LogCheckpoint, LogLeaf
from ntb_laborcoin.domain.merkle import NodeId
from ntb_laborcoin.domain.transfers import Transfer
from ntbkit.storage import driver
from ntbkit.timestamps import as_utc

Cursor = tuple[int, int]

# Rows whose transaction id is below the oldest running transaction's are final:
# none can commit later with a smaller id, so the cursor never skips one.
_WATERMARK = sa.text("pg_snapshot_xmin(pg_current_snapshot())::text::bigint")

# PostgreSQL: the sealer reads and writes thousands of rows a pass; fixed SQL on
# asyncpg, fed by arrays, instead of Core statements with per-row parameters.
_UNSEALED_TRANSFERS = """
SELECT * FROM transfers
WHERE (txid, seq) > ($1, $2) AND txid < pg_snapshot_xmin(pg_current_snapshot())::text::bigint
ORDER BY txid, seq LIMIT $3"""
_APPEND_LEAVES = """
INSERT INTO log_leaves (leaf_index, transfer_id, anchor_id, leaf_hash)
SELECT $1 + n - 1, t, a, h FROM unnest($2::varchar[], $3::varchar[], $4::bytea[])
  WITH ORDINALITY AS l(t, a, h, n)"""
_APPEND_NODES = """
INSERT INTO log_nodes (level, idx, hash)
SELECT * FROM unnest($1::integer[], $2::bigint[], $3::bytea[])"""


def _checkpoint(row: Any) -> LogCheckpoint:
    signed_at: datetime = row["signed_at"]
    return LogCheckpoint(row["tree_size"], bytes(row["root_hash"]), row["note"],
                            row["key_id"], signed_at if signed_at.tzinfo else
                            signed_at.replace(tzinfo=UTC))


class LogStore:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._postgres = session.sync_session.get_bind().dialect.name == "postgresql"

    async def claim_sealer(self) -> bool:
        if not self._postgres:
            return True
        return bool(await self._session.scalar(
            sa.text("SELECT pg_try_advisory_xact_lock(hashtext('laborcoin-log-sealer'))")))

    async def state(self) -> tuple[int, Cursor, Cursor]:
        row = (await self._session.execute(sa.select(log_state).where(log_state.c.id == 1)
                                           )).mappings().one()
        return (row["tree_size"], (row["last_txid"], row["last_seq"]),
                (row["anchor_txid"], row["anchor_seq"]))

    async def unsealed(self, *, after: Cursor, limit: int) -> list[Committed]:
        if self._postgres:
            rows = await driver.fetch(await driver.driver_of(self._session),
                                      _UNSEALED_TRANSFERS, *after, limit)
        else:
            rows = await self._after(transfers, after, limit)
        return [Committed(row["txid"] or 0, row["seq"], transfer_from_row(row)) for row in rows]

    async def unsealed_anchors(self, *, after: Cursor, limit: int) -> list[Committed]:
        rows = await self._after(anchors, after, limit)
        return [Committed(row["txid"] or 0, row["seq"], _anchor(row)) for row in rows]

    async def _after(self, table: sa.Table, after: Cursor, limit: int) -> list[Any]:
        """Committed rows after the cursor, in (txid, seq) order, below the watermark."""
        query = sa.select(table)
        if self._postgres:
            query = query.where(
                sa.tuple_(table.c.txid, table.c.seq) > sa.tuple_(*after),
                table.c.txid < _WATERMARK,
            ).order_by(table.c.txid, table.c.seq)
        else:
            query = query.where(table.c.seq > after[1]).order_by(table.c.seq)
        return list((await self._session.execute(query.limit(limit))).mappings())

    async def nodes(self, ids: Sequence[NodeId]) -> dict[NodeId, bytes]:
        if not ids:
            return {}
        wanted = sa.tuple_(log_nodes.c.level, log_nodes.c.idx).in_(
            [(node.level, node.index) for node in ids])
        rows = await self._session.execute(sa.select(log_nodes).where(wanted))
        return {NodeId(row.level, row.idx): bytes(row.hash) for row in rows}

    async def append(
        self, *, first_index: int, leaves: Sequence[tuple[LogLeaf, bytes]],
        nodes: Sequence[tuple[NodeId, bytes]], transfer_cursor: Cursor, anchor_cursor: Cursor,
    ) -> None:
        if self._postgres:
            await self._append_arrays(first_index, leaves, nodes)
        else:
            await self._session.execute(log_leaves.insert(), [
                {"leaf_index": first_index + i, "leaf_hash": leaf_hash,
                 "transfer_id": leaf.transfer_id if isinstance(leaf, Transfer) else None,
                 "anchor_id": leaf.anchor_id if isinstance(leaf, Anchor) else None}
                for i, (leaf, leaf_hash) in enumerate(leaves)])
            if nodes:
                await self._session.execute(log_nodes.insert(), [
                    {"level": node.level, "idx": node.index, "hash": value}
                    for node, value in nodes])
        await self._session.execute(log_state.update().where(log_state.c.id == 1).values(
            tree_size=first_index + len(leaves),
            last_txid=transfer_cursor[0], last_seq=transfer_cursor[1],
            anchor_txid=anchor_cursor[0], anchor_seq=anchor_cursor[1]))

    async def _append_arrays(
        self, first_index: int, leaves: Sequence[tuple[LogLeaf, bytes]],
        nodes: Sequence[tuple[NodeId, bytes]],
    ) -> None:
        pg = await driver.driver_of(self._session)
        await driver.fetch(
            pg, _APPEND_LEAVES, first_index,
            [leaf.transfer_id if isinstance(leaf, Transfer) else None for leaf, _ in leaves],
            [leaf.anchor_id if isinstance(leaf, Anchor) else None for leaf, _ in leaves],
            [leaf_hash for _, leaf_hash in leaves])
        if nodes:
            await driver.fetch(pg, _APPEND_NODES, [node.level for node, _ in nodes],
                               [node.index for node, _ in nodes], [value for _, value in nodes])

    async def add_checkpoint(self, checkpoint: LogCheckpoint) -> None:
        await self._session.execute(checkpoints.insert().values(
            tree_size=checkpoint.tree_size, root_hash=checkpoint.root_hash,
            note=checkpoint.note, key_id=checkpoint.key_id, signed_at=checkpoint.signed_at))

    async def checkpoint(self, tree_size: int = 0) -> LogCheckpoint | None:
        query = sa.select(checkpoints)
        query = (query.where(checkpoints.c.tree_size == tree_size) if tree_size
                 else query.order_by(checkpoints.c.tree_size.desc()).limit(1))
        row = (await self._session.execute(query)).mappings().first()
        return None if row is None else _checkpoint(row)

    async def leaf(
        self, *, transfer_id: str = "", anchor_id: str = "", leaf_index: int = -1
    ) -> tuple[int, bytes, LogLeaf] | None:
        if transfer_id:
            condition = log_leaves.c.transfer_id == transfer_id
        elif anchor_id:
            condition = log_leaves.c.anchor_id == anchor_id
        else:
            condition = log_leaves.c.leaf_index == leaf_index
        found = (await self._session.execute(
            sa.select(log_leaves).where(condition))).mappings().first()
        if found is None:
            return None
        index, leaf_hash = found["leaf_index"], bytes(found["leaf_hash"])
        if found["transfer_id"] is not None:
            row = (await self._session.execute(sa.select(transfers).where(
                transfers.c.transfer_id == found["transfer_id"]))).mappings().one()
            return index, leaf_hash, transfer_from_row(row)
        anchor = await self.anchor(found["anchor_id"])
        assert anchor is not None  # a leaf's anchor row is never deleted
        return index, leaf_hash, anchor

    async def add_anchor(self, anchor: Anchor) -> Anchor | None:
        existing = await self.anchor(anchor.anchor_id)
        if existing is not None:
            return existing
        await self._session.execute(anchors.insert().values(
            anchor_id=anchor.anchor_id, source=anchor.source, subject=anchor.subject,
            digest=anchor.digest, recorded_at=anchor.recorded_at))
        return None

    async def anchor(self, anchor_id: str) -> Anchor | None:
        row = (await self._session.execute(
            sa.select(anchors, log_leaves.c.leaf_index)
            .outerjoin(log_leaves, log_leaves.c.anchor_id == anchors.c.anchor_id)
            .where(anchors.c.anchor_id == anchor_id))).mappings().first()
        return None if row is None else _anchor(row)


def _anchor(row: Any) -> Anchor:
    return Anchor(
        anchor_id=row["anchor_id"], source=row["source"], subject=row["subject"],
        digest=bytes(row["digest"]), recorded_at=as_utc(row["recorded_at"]),
        leaf_index=row.get("leaf_index"),
    )
