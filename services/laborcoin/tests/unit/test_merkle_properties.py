"""The Merkle log code agrees with RFC 9162's definitions, and every proof is tamper-evident.

How:
- an independent, literal transcription of RFC 9162 section 2.1 (recursive MTH, PATH and
  SUBPROOF over a list of leaf data) is the oracle;
- exhaustively for every tree size 1..300: the incremental root (``CompactRange``), the
  stored-node root and ``root_of`` equal the oracle's MTH; every inclusion proof and every
  consistency proof between every pair of sizes equals the oracle's and verifies;
- exhaustively for sizes up to 150 (and by hypothesis for random trees up to 600 leaves):
  flipping a bit of any proof element, dropping / adding / swapping elements, changing
  the leaf, the root(s), the index or the sizes makes verification fail;
- proofs computed from leaf hashes alone (``LeafNodeSource``) and from a frontier resumed
  midway equal those of the in-memory tree.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ntb_laborcoin.domain import merkle as m

MAX_SIZE = 300
TAMPER_MAX_SIZE = 150


# ------------------------------------------------------------ RFC 9162 oracle


def _k(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def rfc_mth(d: Sequence[bytes]) -> bytes:
    if not d:
        return hashlib.sha256(b"").digest()
    if len(d) == 1:
        return hashlib.sha256(b"\x00" + d[0]).digest()
    k = _k(len(d))
    return hashlib.sha256(b"\x01" + rfc_mth(d[:k]) + rfc_mth(d[k:])).digest()


def rfc_path(mi: int, d: Sequence[bytes]) -> list[bytes]:
    if len(d) == 1:
        return []
    k = _k(len(d))
    if mi < k:
        return rfc_path(mi, d[:k]) + [rfc_mth(d[k:])]
    return rfc_path(mi - k, d[k:]) + [rfc_mth(d[:k])]


def rfc_subproof(mi: int, d: Sequence[bytes], b: bool) -> list[bytes]:
    n = len(d)
    if mi == n:
        return [] if b else [rfc_mth(d)]
    k = _k(n)
    if mi <= k:
        return rfc_subproof(mi, d[:k], b) + [rfc_mth(d[k:])]
    return rfc_subproof(mi - k, d[k:], False) + [rfc_mth(d[:k])]


# ------------------------------------------------------------ fixtures


def leaf_data(i: int) -> bytes:
    return f"transfer-{i}".encode()


DATA = [leaf_data(i) for i in range(MAX_SIZE)]


@pytest.fixture(scope="module")
def tree() -> m.MemoryTree:
    t = m.MemoryTree()
    for d in DATA:
        t.append(d)
    return t


def flip(h: bytes, bit: int = 0) -> bytes:
    return bytes([h[0] ^ (1 << bit)]) + h[1:]


def fails(check: Callable[..., None], *args: object) -> bool:
    try:
        check(*args)
    except m.ProofError:
        return True
    return False


# ------------------------------------------------------------ exhaustive


def test_roots_match_rfc_for_every_size(tree: m.MemoryTree) -> None:
    compact = m.CompactRange()
    assert compact.root() == m.EMPTY_ROOT == rfc_mth([])
    for n in range(1, MAX_SIZE + 1):
        compact.append(m.leaf_hash(DATA[n - 1]))
        want = rfc_mth(DATA[:n])
        assert compact.root() == want
        assert tree.root(n) == want
    assert m.root_of(m.leaf_hash(d) for d in DATA[:37]) == rfc_mth(DATA[:37])


def test_every_inclusion_proof_verifies(tree: m.MemoryTree) -> None:
    for n in range(1, MAX_SIZE + 1):
        root = tree.root(n)
        for i in range(n):
            proof = tree.inclusion_proof(i, n)
            m.verify_inclusion(i, n, m.leaf_hash(DATA[i]), proof, root)
            if n <= 64:
                assert proof == rfc_path(i, DATA[:n])


def test_every_consistency_proof_verifies(tree: m.MemoryTree) -> None:
    roots = [m.EMPTY_ROOT] + [tree.root(n) for n in range(1, MAX_SIZE + 1)]
    for n in range(1, MAX_SIZE + 1):
        for old in range(1, n + 1):
            proof = tree.consistency_proof(old, n)
            m.verify_consistency(old, n, proof, roots[old], roots[n])
            if n <= 64:
                assert proof == rfc_subproof(old, DATA[:n], True)


RootOf = Callable[[int], bytes]


def assert_inclusion_tamper_fails(
    i: int, n: int, leaf: bytes, proof: list[bytes], root_of: RootOf, known: int
) -> None:
    """Every single change to an inclusion proof's inputs is detected.

    A proof says nothing about the tree size by itself (the signed checkpoint binds size
    and root), so a changed size is checked against the real root of that size (for
    sizes up to ``known``).
    Leaves must be distinct (equal siblings would make an index change harmless).
    """
    verify = m.verify_inclusion
    root = root_of(n)
    for j in range(len(proof)):
        bad = list(proof)
        bad[j] = flip(bad[j], j % 8)
        assert fails(verify, i, n, leaf, bad, root), (i, n, j)
    assert fails(lambda: verify(i, n, flip(leaf), proof, root))
    assert fails(lambda: verify(i, n, leaf, proof, flip(root)))
    assert fails(lambda: verify(i, n, leaf, [*proof, leaf], root))
    if proof:
        assert fails(lambda: verify(i, n, leaf, proof[:-1], root))
        assert fails(lambda: verify(i, n, leaf, proof[1:], root))
    if len(proof) > 1:
        assert fails(lambda: verify(i, n, leaf, [proof[1], proof[0], *proof[2:]], root))
    for i2 in {i - 1, i + 1, i ^ 2}:
        if i2 != i and i2 >= 0:
            assert fails(verify, i2, n, leaf, proof, root), (i, i2, n)
    for n2 in {n - 1, n + 1, n * 2, n // 2}:
        if n2 != n and i < n2 <= known:
            assert fails(verify, i, n2, leaf, proof, root_of(n2)), (i, n, n2)


def assert_consistency_tamper_fails(
    old: int, n: int, proof: list[bytes], root_of: RootOf, known: int
) -> None:
    """Every single change to a consistency proof's inputs is detected (changed sizes are
    checked against the real roots of those sizes, as a signed checkpoint binds them)."""
    verify = m.verify_consistency
    r1, r2 = root_of(old), root_of(n)
    for j in range(len(proof)):
        bad = list(proof)
        bad[j] = flip(bad[j], j % 8)
        assert fails(verify, old, n, bad, r1, r2), (old, n, j)
    assert fails(lambda: verify(old, n, proof, flip(r1), r2))
    assert fails(lambda: verify(old, n, proof, r1, flip(r2)))
    if old != n:
        assert fails(lambda: verify(old, n, proof, r2, r1))
    assert fails(lambda: verify(old, n, [*proof, r1], r1, r2))
    if proof:
        assert fails(lambda: verify(old, n, proof[:-1], r1, r2))
        assert fails(lambda: verify(old, n, proof[1:], r1, r2))
    for o2, n2 in {(old - 1, n), (old + 1, n), (old, n + 1), (old, n - 1), (old, n * 2)}:
        if (o2, n2) != (old, n) and 0 <= o2 <= n2 <= known:
            tampered = (o2, n2, proof, root_of(o2), root_of(n2))
            assert fails(verify, *tampered), (old, n, o2, n2)


def _roots(tree: m.MemoryTree) -> RootOf:
    table = [tree.root(n) for n in range(tree.size + 1)]
    return table.__getitem__


def test_tampering_with_any_inclusion_input_fails(tree: m.MemoryTree) -> None:
    roots = _roots(tree)
    for n in range(1, TAMPER_MAX_SIZE + 1):
        for i in range(n):
            proof = tree.inclusion_proof(i, n)
            assert_inclusion_tamper_fails(i, n, m.leaf_hash(DATA[i]), proof, roots, MAX_SIZE)


def test_tampering_with_any_consistency_input_fails(tree: m.MemoryTree) -> None:
    roots = _roots(tree)
    for n in range(1, TAMPER_MAX_SIZE + 1):
        for old in range(1, n + 1):
            proof = tree.consistency_proof(old, n)
            assert_consistency_tamper_fails(old, n, proof, roots, MAX_SIZE)


# ------------------------------------------------------------ other sources


class ListLeaves:
    def __init__(self, hashes: list[bytes]) -> None:
        self.hashes = hashes
        self.reads = 0

    def leaf_hashes(self, start: int, end: int) -> Sequence[bytes]:
        self.reads += end - start
        return self.hashes[start:end]


@pytest.mark.parametrize(("batch_level", "cache_min_level"), [(8, 0), (2, 3), (0, 0)])
def test_leaf_node_source_matches_memory_tree(
    tree: m.MemoryTree, batch_level: int, cache_min_level: int
) -> None:
    leaves = ListLeaves([m.leaf_hash(d) for d in DATA])
    cache: dict[m.NodeId, bytes] = {}
    source = m.LeafNodeSource(
        leaves, cache, batch_level=batch_level, cache_min_level=cache_min_level
    )
    for n in (1, 2, 7, 64, 65, 299, 300):
        assert m.tree_root(n, source) == tree.root(n)
        for i in (0, n // 3, n - 1):
            assert m.inclusion_proof(i, n, source) == tree.inclusion_proof(i, n)
        for old in (1, n // 2 or 1, n):
            assert m.consistency_proof(old, n, source) == tree.consistency_proof(old, n)
    assert all(node.level >= cache_min_level for node in cache)
    reads = leaves.reads
    m.inclusion_proof(150, 300, m.LeafNodeSource(leaves, cache))
    if cache_min_level == 0:
        assert leaves.reads == reads  # every node came from the cache


def test_frontier_resume_gives_the_same_tree(tree: m.MemoryTree) -> None:
    for cut in (0, 1, 5, 64, 100, 255):
        first = m.CompactRange()
        created = first.extend(m.leaf_hash(d) for d in DATA[:cut])
        nodes = dict(created)
        hashes = [nodes[node] for node in m.frontier_ids(cut)]
        resumed = m.CompactRange(cut, hashes)
        assert resumed.frontier() == first.frontier()
        nodes.update(resumed.extend(m.leaf_hash(d) for d in DATA[cut:]))
        assert resumed.root() == tree.root()
        assert nodes == dict(tree.node_hashes(list(nodes)))


def test_plans_need_logarithmically_many_nodes() -> None:
    n = 1_000_003
    for i in (0, 1, n // 2, n - 1):
        assert len(m.plan_inclusion(i, n).node_ids) <= 2 * n.bit_length()
    for old in (1, 999, n // 2, n - 1):
        assert len(m.plan_consistency(old, n).node_ids) <= 2 * n.bit_length()


def test_out_of_range_requests_are_refused() -> None:
    with pytest.raises(ValueError):
        m.plan_inclusion(3, 3)
    with pytest.raises(ValueError):
        m.plan_consistency(0, 3)
    with pytest.raises(ValueError):
        m.plan_consistency(4, 3)
    with pytest.raises(ValueError):
        m.CompactRange(3, [m.EMPTY_ROOT])
    with pytest.raises(LookupError):
        m.plan_inclusion(0, 2).assemble({})


# ------------------------------------------------------------ hypothesis


leaf_lists = st.lists(st.binary(max_size=40), min_size=1, max_size=600, unique=True)


@settings(max_examples=60, deadline=None)
@given(data=leaf_lists, pick=st.data())
def test_random_trees_prove_and_detect_tampering(data: list[bytes], pick: st.DataObject) -> None:
    t = m.MemoryTree()
    for d in data:
        t.append(d)
    n = len(data)
    assert t.root() == rfc_mth(data)
    i = pick.draw(st.integers(0, n - 1), label="leaf")
    proof = t.inclusion_proof(i)
    m.verify_inclusion(i, n, m.leaf_hash(data[i]), proof, t.root())
    assert_inclusion_tamper_fails(i, n, m.leaf_hash(data[i]), proof, t.root, n)
    old = pick.draw(st.integers(1, n), label="old size")
    link = t.consistency_proof(old)
    m.verify_consistency(old, n, link, t.root(old), t.root())
    assert_consistency_tamper_fails(old, n, link, t.root, n)


@settings(max_examples=40, deadline=None)
@given(data=leaf_lists, other=st.binary(max_size=40), pick=st.data())
def test_a_changed_leaf_changes_the_root_and_fails_its_proof(
    data: list[bytes], other: bytes, pick: st.DataObject
) -> None:
    i = pick.draw(st.integers(0, len(data) - 1), label="leaf")
    if other == data[i]:
        return
    t = m.MemoryTree()
    for d in data:
        t.append(d)
    changed = [*data[:i], other, *data[i + 1 :]]
    assert m.root_of(m.leaf_hash(d) for d in changed) != t.root()
    assert fails(
        lambda: m.verify_inclusion(i, len(data), m.leaf_hash(other), t.inclusion_proof(i), t.root())
    )
