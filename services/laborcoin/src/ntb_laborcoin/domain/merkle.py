"""RFC 9162 Merkle tree: hashing, incremental roots, inclusion and consistency proofs.

Pure code (stdlib only). Terms:

- A *leaf hash* is SHA-256(0x00 || data); a *node hash* is SHA-256(0x01 || left || right);
  MTH (RFC 9162 section 2.1.1) of the empty tree is SHA-256 of the empty string.
- A *node* ``NodeId(level, index)`` is the complete, aligned subtree over the leaves
  ``[index * 2**level, (index + 1) * 2**level)``; level 0 is a leaf. Every hash that a
  proof needs is either one such node or the MTH of a right-edge range made of a few
  of them (its "compact range"), so a store that keeps the hash of every complete node
  answers any proof with O(log n) reads.

How the ledger uses it:

- The sealer keeps a :class:`CompactRange` (the *frontier*: the hashes of
  ``frontier_ids(size)``). ``append`` returns the complete nodes it creates; store them
  (level, index, hash). ``root()`` is the new MTH in O(log n).
- Proofs are planned, fetched, assembled: ``plan_inclusion(index, size)`` /
  ``plan_consistency(old, new)`` return a :class:`ProofPlan` whose ``node_ids`` are
  fetched in one batch (sync or async, any storage) and passed to ``assemble``. The
  sync helpers ``inclusion_proof`` / ``consistency_proof`` do all three from a
  :class:`NodeSource`; :class:`LeafNodeSource` is a ``NodeSource`` that computes nodes
  from a :class:`LeafHashSource` (stored leaf hashes) with an optional node cache.
- ``verify_inclusion`` / ``verify_consistency`` (RFC 9162 sections 2.1.3.2 and 2.1.4.2)
  raise :class:`ProofError` on any mismatch.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass
from typing import Protocol

HASH_SIZE = 32
LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"
EMPTY_ROOT = hashlib.sha256(b"").digest()


class ProofError(ValueError):
    """A proof does not verify (or its arguments are out of range)."""


def leaf_hash(data: bytes) -> bytes:
    """SHA-256(0x00 || data)."""
    return hashlib.sha256(LEAF_PREFIX + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """SHA-256(0x01 || left || right)."""
    return hashlib.sha256(NODE_PREFIX + left + right).digest()


def split_point(n: int) -> int:
    """The largest power of two strictly less than ``n`` (``n >= 2``)."""
    if n < 2:
        raise ValueError(f"split point needs n >= 2, got {n}")
    return 1 << ((n - 1).bit_length() - 1)


@dataclass(frozen=True, order=True, slots=True)
class NodeId:
    """The complete subtree over leaves [index << level, (index + 1) << level)."""

    level: int
    index: int

    @property
    def start(self) -> int:
        return self.index << self.level

    @property
    def size(self) -> int:
        return 1 << self.level


def range_nodes(start: int, size: int) -> list[NodeId]:
    """Complete nodes whose hashes fold (right to left) into MTH(leaves[start:start+size]).

    Valid for the ranges that occur in RFC 9162 trees and proofs: ``start`` is a multiple
    of the largest power of two <= ``size`` (every prefix ``[0, n)`` qualifies).
    """
    if size < 1 or start < 0:
        raise ValueError(f"bad range start={start} size={size}")
    nodes: list[NodeId] = []
    while size > 0:
        part = size if size & (size - 1) == 0 else split_point(size)
        if start % part:
            raise ValueError(f"range [{start}, +{size}) is not aligned")
        nodes.append(NodeId(part.bit_length() - 1, start // part))
        start += part
        size -= part
    return nodes


def fold_nodes(hashes: Sequence[bytes]) -> bytes:
    """MTH of a range from the hashes of its ``range_nodes`` (largest first)."""
    if not hashes:
        return EMPTY_ROOT
    acc = hashes[-1]
    for h in reversed(hashes[:-1]):
        acc = node_hash(h, acc)
    return acc


def frontier_ids(size: int) -> list[NodeId]:
    """The nodes a :class:`CompactRange` of ``size`` leaves keeps (empty for 0)."""
    return range_nodes(0, size) if size else []


class CompactRange:
    """The right edge of a growing tree: append leaf hashes, get the root in O(log n)."""

    def __init__(self, size: int = 0, hashes: Sequence[bytes] = ()) -> None:
        """Resume at ``size`` leaves from the hashes of ``frontier_ids(size)``, in order."""
        ids = frontier_ids(size)
        if len(hashes) != len(ids) or any(len(h) != HASH_SIZE for h in hashes):
            raise ValueError(f"a frontier of size {size} needs {len(ids)} hashes of 32 bytes")
        self._size = size
        self._nodes: list[tuple[NodeId, bytes]] = list(zip(ids, hashes, strict=True))

    @property
    def size(self) -> int:
        return self._size

    def frontier(self) -> list[tuple[NodeId, bytes]]:
        """The stored frontier, largest subtree first."""
        return list(self._nodes)

    def append(self, leaf: bytes) -> list[tuple[NodeId, bytes]]:
        """Add one leaf hash; return every complete node it creates (the leaf first)."""
        if len(leaf) != HASH_SIZE:
            raise ValueError("a leaf hash has 32 bytes")
        node, h = NodeId(0, self._size), leaf
        created = [(node, h)]
        while self._nodes and self._nodes[-1][0].level == node.level:
            _, left = self._nodes.pop()
            node, h = NodeId(node.level + 1, node.index >> 1), node_hash(left, h)
            created.append((node, h))
        self._nodes.append((node, h))
        self._size += 1
        return created

    def extend(self, leaves: Iterable[bytes]) -> list[tuple[NodeId, bytes]]:
        """Append several leaf hashes; return all the complete nodes created."""
        created: list[tuple[NodeId, bytes]] = []
        for leaf in leaves:
            created.extend(self.append(leaf))
        return created

    def root(self) -> bytes:
        """MTH of the leaves appended so far."""
        return fold_nodes([h for _, h in self._nodes])


def root_of(leaf_hashes: Iterable[bytes]) -> bytes:
    """MTH of a list of leaf hashes (RFC 9162 section 2.1.1), in O(n) time, O(log n) space."""
    compact = CompactRange()
    compact.extend(leaf_hashes)
    return compact.root()


# ---------------------------------------------------------------- proof planning


def _inclusion_ranges(index: int, size: int) -> list[tuple[int, int]]:
    """RFC 9162 PATH(m, D[n]) as (start, size) ranges, leaf side first."""
    ranges: list[tuple[int, int]] = []
    start, n, m = 0, size, index
    while n > 1:
        k = split_point(n)
        if m < k:
            ranges.append((start + k, n - k))
            n = k
        else:
            ranges.append((start, k))
            start, n, m = start + k, n - k, m - k
    ranges.reverse()
    return ranges


def _consistency_ranges(old: int, new: int) -> list[tuple[int, int]]:
    """RFC 9162 SUBPROOF(m, D[n], true) as (start, size) ranges, in proof order."""
    ranges: list[tuple[int, int]] = []
    start, n, m, complete = 0, new, old, True
    while m != n:
        k = split_point(n)
        if m <= k:
            ranges.append((start + k, n - k))
            n = k
        else:
            ranges.append((start, k))
            start, n, m, complete = start + k, n - k, m - k, False
    if not complete:
        ranges.append((start, n))
    ranges.reverse()
    return ranges


@dataclass(frozen=True)
class ProofPlan:
    """The ranges a proof consists of and the complete nodes they need."""

    ranges: tuple[tuple[int, int], ...]

    @property
    def node_ids(self) -> list[NodeId]:
        """Every node to fetch (deduplicated, in first-use order)."""
        seen: dict[NodeId, None] = {}
        for start, size in self.ranges:
            for node in range_nodes(start, size):
                seen.setdefault(node, None)
        return list(seen)

    def assemble(self, hashes: Mapping[NodeId, bytes]) -> list[bytes]:
        """The proof's hashes, given the hash of every node in ``node_ids``."""
        try:
            return [fold_nodes([hashes[n] for n in range_nodes(s, z)]) for s, z in self.ranges]
        except KeyError as exc:
            raise LookupError(f"node {exc.args[0]} was not supplied") from None


def plan_inclusion(index: int, size: int) -> ProofPlan:
    """Plan the audit path of leaf ``index`` in the tree of ``size`` leaves."""
    if not 0 <= index < size:
        raise ValueError(f"leaf index {index} is not in a tree of size {size}")
    return ProofPlan(tuple(_inclusion_ranges(index, size)))


def plan_consistency(old_size: int, new_size: int) -> ProofPlan:
    """Plan the consistency proof from ``old_size`` to ``new_size`` (1 <= old <= new)."""
    if not 1 <= old_size <= new_size:
        raise ValueError(f"no consistency proof from size {old_size} to {new_size}")
    return ProofPlan(tuple(_consistency_ranges(old_size, new_size)))


class NodeSource(Protocol):
    """Anything that returns the hashes of complete nodes (a table, a cache, a tree)."""

    def node_hashes(self, ids: Sequence[NodeId]) -> Mapping[NodeId, bytes]: ...


class LeafHashSource(Protocol):
    """Stored leaf hashes by index."""

    def leaf_hashes(self, start: int, end: int) -> Sequence[bytes]:
        """The leaf hashes of indexes [start, end)."""
        ...


class LeafNodeSource:
    """A :class:`NodeSource` that computes nodes from leaf hashes, caching what it computes.

    A node of at most ``2**batch_level`` leaves is computed from one ``leaf_hashes`` call;
    a larger one from its two children (cached or computed). Nodes of level >=
    ``cache_min_level`` are kept in ``cache`` (any mutable mapping, e.g. a persistent
    one). Without cached inner nodes a proof reads O(n) leaves: for large logs store the
    nodes that :class:`CompactRange` creates and serve proofs from them instead.
    """

    def __init__(
        self,
        leaves: LeafHashSource,
        cache: MutableMapping[NodeId, bytes] | None = None,
        *,
        batch_level: int = 8,
        cache_min_level: int = 0,
    ) -> None:
        self._leaves = leaves
        self._cache: MutableMapping[NodeId, bytes] = {} if cache is None else cache
        self._batch_level = batch_level
        self._cache_min_level = cache_min_level

    def node_hashes(self, ids: Sequence[NodeId]) -> Mapping[NodeId, bytes]:
        return {node: self.node_hash(node) for node in ids}

    def node_hash(self, node: NodeId) -> bytes:
        cached = self._cache.get(node)
        if cached is not None:
            return cached
        if node.level <= self._batch_level:
            return self._from_leaves(node)
        left = self.node_hash(NodeId(node.level - 1, node.index * 2))
        right = self.node_hash(NodeId(node.level - 1, node.index * 2 + 1))
        result = node_hash(left, right)
        self._remember(node, result)
        return result

    def _from_leaves(self, node: NodeId) -> bytes:
        hashes = list(self._leaves.leaf_hashes(node.start, node.start + node.size))
        if len(hashes) != node.size:
            raise LookupError(f"leaves [{node.start}, +{node.size}) are not all stored")
        level, first = 0, node.start
        while True:
            for i, h in enumerate(hashes):
                self._remember(NodeId(level, first + i), h)
            if len(hashes) == 1:
                return hashes[0]
            hashes = [node_hash(hashes[i], hashes[i + 1]) for i in range(0, len(hashes), 2)]
            level, first = level + 1, first >> 1

    def _remember(self, node: NodeId, value: bytes) -> None:
        if node.level >= self._cache_min_level:
            self._cache[node] = value


def inclusion_proof(index: int, size: int, source: NodeSource) -> list[bytes]:
    """The audit path of leaf ``index`` in the tree of ``size`` leaves."""
    plan = plan_inclusion(index, size)
    return plan.assemble(source.node_hashes(plan.node_ids))


def consistency_proof(old_size: int, new_size: int, source: NodeSource) -> list[bytes]:
    """The consistency proof from ``old_size`` to ``new_size`` leaves."""
    plan = plan_consistency(old_size, new_size)
    return plan.assemble(source.node_hashes(plan.node_ids))


def tree_root(size: int, source: NodeSource) -> bytes:
    """MTH of the first ``size`` leaves, from O(log n) stored nodes."""
    ids = frontier_ids(size)
    hashes = source.node_hashes(ids)
    return fold_nodes([hashes[n] for n in ids])


class MemoryTree:
    """An in-memory log (tests, small logs, offline tools): every node is kept."""

    def __init__(self) -> None:
        self._nodes: dict[NodeId, bytes] = {}
        self._compact = CompactRange()

    @property
    def size(self) -> int:
        return self._compact.size

    def append(self, data: bytes) -> int:
        """Add a leaf from its data; return its index."""
        return self.append_hash(leaf_hash(data))

    def append_hash(self, leaf: bytes) -> int:
        index = self._compact.size
        self._nodes.update(self._compact.append(leaf))
        return index

    def node_hashes(self, ids: Sequence[NodeId]) -> Mapping[NodeId, bytes]:
        return {node: self._nodes[node] for node in ids}

    def root(self, size: int | None = None) -> bytes:
        size = self.size if size is None else size
        if not 0 <= size <= self.size:
            raise ValueError(f"the tree has {self.size} leaves, not {size}")
        return tree_root(size, self)

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        return inclusion_proof(index, self._size_at_most(size), self)

    def consistency_proof(self, old_size: int, new_size: int | None = None) -> list[bytes]:
        return consistency_proof(old_size, self._size_at_most(new_size), self)

    def _size_at_most(self, size: int | None) -> int:
        if size is None:
            return self.size
        if size > self.size:
            raise ValueError(f"the tree has {self.size} leaves, not {size}")
        return size


# ---------------------------------------------------------------- verification


def _check_hashes(proof: Sequence[bytes]) -> None:
    for i, h in enumerate(proof):
        if len(h) != HASH_SIZE:
            raise ProofError(f"proof element {i} has {len(h)} bytes, not 32")


def _equal(a: bytes, b: bytes) -> bool:
    return hmac.compare_digest(a, b)


def root_from_inclusion(index: int, size: int, leaf: bytes, proof: Sequence[bytes]) -> bytes:
    """The root an audit path leads to (RFC 9162 section 2.1.3.2); ProofError if malformed."""
    if not 0 <= index < size:
        raise ProofError(f"leaf index {index} is not in a tree of size {size}")
    if len(leaf) != HASH_SIZE:
        raise ProofError(f"leaf hash has {len(leaf)} bytes, not 32")
    _check_hashes(proof)
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            raise ProofError("audit path is too long")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ProofError("audit path is too short")
    return r


def verify_inclusion(
    index: int, size: int, leaf: bytes, proof: Sequence[bytes], root: bytes
) -> None:
    """Check that ``leaf`` (a leaf hash) is at ``index`` in the tree ``(size, root)``."""
    if not _equal(root_from_inclusion(index, size, leaf, proof), root):
        raise ProofError("audit path does not lead to the root")


def _consistency_roots(
    old: int, new: int, proof: Sequence[bytes], old_root: bytes
) -> tuple[bytes, bytes]:
    """Both roots a consistency proof leads to (RFC 9162 section 2.1.4.2, steps 2 to 6)."""
    path = list(proof)
    if old & (old - 1) == 0:
        path.insert(0, old_root)
    fn, sn = old - 1, new - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofError("consistency proof is too long")
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ProofError("consistency proof is too short")
    return fr, sr


def verify_consistency(
    old_size: int, new_size: int, proof: Sequence[bytes], old_root: bytes, new_root: bytes
) -> None:
    """Check that the tree ``(new_size, new_root)`` extends ``(old_size, old_root)``.

    Equal sizes need an empty proof and equal roots (the empty tree's root must be
    SHA-256("")); a proof from the empty tree is refused as meaningless.
    """
    if old_size < 0 or new_size < old_size:
        raise ProofError(f"sizes {old_size} -> {new_size} do not grow")
    if old_size == new_size:
        if proof:
            raise ProofError("equal sizes need an empty proof")
        if old_size == 0 and not _equal(old_root, EMPTY_ROOT):
            raise ProofError("the empty tree's root is SHA-256 of nothing")
        if not _equal(old_root, new_root):
            raise ProofError("equal sizes but different roots")
        return
    if old_size == 0:
        raise ProofError("a consistency proof from the empty tree is meaningless")
    if not proof:
        raise ProofError("empty consistency proof")
    _check_hashes(proof)
    fr, sr = _consistency_roots(old_size, new_size, proof, old_root)
    if not _equal(fr, old_root):
        raise ProofError("proof does not lead to the old root")
    if not _equal(sr, new_root):
        raise ProofError("proof does not lead to the new root")
