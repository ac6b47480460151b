"""The verifiable log in SQL: leaves, complete-subtree nodes, the sealer's cursor
and the signed checkpoints. Only the sealer writes; one at a time."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from ntb_laborcoin.adapters.ledger_store import transfer_from_row
from ntb_laborcoin.adapters.tables import checkpoints, log_leaves, log_nodes, log_state, transfers
from ntb_laborcoin.domain.merkle import NodeId
from ntb_laborcoin.domain.transfers import Transfer
from ntb_laborcoin.service.unit_of_work import LogCheckpoint

# Rows whose transaction id is below the oldest running transaction's are final:
# none can commit later with a smaller id, so the cursor never skips one.
_WATERMARK = sa.text("pg_snapshot_xmin(pg_current_snapshot())::text::bigint")


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

    async def state(self) -> tuple[int, int, int]:
        row = (await self._session.execute(sa.select(log_state).where(log_state.c.id == 1)
                                           )).mappings().one()
        return row["tree_size"], row["last_txid"], row["last_seq"]

    async def unsealed(self, *, last_txid: int, last_seq: int, limit: int
                       ) -> list[tuple[int, int, Transfer]]:
        """Committed transfers after the cursor, in (txid, seq) order, below the watermark."""
        query = sa.select(transfers)
        if self._postgres:
            query = query.where(
                sa.tuple_(transfers.c.txid, transfers.c.seq) > sa.tuple_(last_txid, last_seq),
                transfers.c.txid < _WATERMARK,
            ).order_by(transfers.c.txid, transfers.c.seq)
        else:
            query = query.where(transfers.c.seq > last_seq).order_by(transfers.c.seq)
        rows = (await self._session.execute(query.limit(limit))).mappings()
        return [(row["txid"] or 0, row["seq"], transfer_from_row(row)) for row in rows]

    async def nodes(self, ids: Sequence[NodeId]) -> dict[NodeId, bytes]:
        if not ids:
            return {}
        wanted = sa.tuple_(log_nodes.c.level, log_nodes.c.idx).in_(
            [(node.level, node.index) for node in ids])
        rows = await self._session.execute(sa.select(log_nodes).where(wanted))
        return {NodeId(row.level, row.idx): bytes(row.hash) for row in rows}

    async def append(
        self, *, first_index: int, leaves: Sequence[tuple[str, bytes]],
        nodes: Sequence[tuple[NodeId, bytes]], cursor: tuple[int, int],
    ) -> None:
        await self._session.execute(log_leaves.insert(), [
            {"leaf_index": first_index + i, "transfer_id": transfer_id, "leaf_hash": leaf}
            for i, (transfer_id, leaf) in enumerate(leaves)])
        if nodes:
            await self._session.execute(log_nodes.insert(), [
                {"level": node.level, "idx": node.index, "hash": value} for node, value in nodes])
        await self._session.execute(log_state.update().where(log_state.c.id == 1).values(
            tree_size=first_index + len(leaves), last_txid=cursor[0], last_seq=cursor[1]))

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

    async def leaf(self, *, transfer_id: str = "", leaf_index: int = -1
                   ) -> tuple[int, bytes, Transfer] | None:
        condition = (log_leaves.c.transfer_id == transfer_id if transfer_id
                     else log_leaves.c.leaf_index == leaf_index)
        row = (await self._session.execute(
            sa.select(log_leaves.c.leaf_index, log_leaves.c.leaf_hash, transfers)
            .join(transfers, transfers.c.transfer_id == log_leaves.c.transfer_id)
            .where(condition))).mappings().first()
        if row is None:
            return None
        return row["leaf_index"], bytes(row["leaf_hash"]), transfer_from_row(row)
