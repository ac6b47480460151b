"""`ntb verify` accepts genuine proofs and checkpoints and rejects anything tampered with.

How: an in-memory log of 21 leaves is signed at sizes 13 and 21 with a test Ed25519 key;
its proofs are written in the documented JSON format (snake_case and proto-JSON
lowerCamelCase with string sizes). Typer's CliRunner runs ``ntb verify inclusion`` and
``ntb verify consistency`` with only the vkey: genuine files exit 0; a changed leaf,
proof element, size, checkpoint byte, signature, origin or key exits 1 with a message.
"""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from ntb_cli.__main__ import app
from ntb_laborcoin.adapters.log_signer import Ed25519NoteSigner
from ntb_laborcoin.domain.checkpoint import Checkpoint
from ntb_laborcoin.domain.log_entry import Anchor, anchor_bytes
from ntb_laborcoin.domain.merkle import MemoryTree, leaf_hash

ORIGIN = "ntb.laborcoin/transfers"
SIGNER = Ed25519NoteSigner.from_seed(ORIGIN, bytes(range(1, 33)))
VKEY = SIGNER.verifier_key().encode()
DATA = [f"transfer {i}".encode() for i in range(21)]
runner = CliRunner()


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


@pytest.fixture(scope="module")
def tree() -> MemoryTree:
    t = MemoryTree()
    for d in DATA:
        t.append(d)
    return t


def write(path: Path, content: str) -> Path:
    path.write_text(content, encoding="utf-8")
    return path


def checkpoint_file(tmp_path: Path, tree: MemoryTree, size: int) -> Path:
    note = Checkpoint(ORIGIN, size, tree.root(size), ("2026-11-27T11:00:00Z",)).sign([SIGNER])
    return write(tmp_path / f"checkpoint-{size}.txt", note)


def inclusion_json(tree: MemoryTree, index: int, size: int) -> dict[str, Any]:
    return {
        "leaf_index": index,
        "tree_size": size,
        "leaf_data": b64(DATA[index]),
        "leaf_hash": b64(leaf_hash(DATA[index])),
        "audit_path": [b64(h) for h in tree.inclusion_proof(index, size)],
    }


def run_inclusion(cp: Path, proof: dict[str, Any], tmp_path: Path, *extra: str) -> Any:
    pf = write(tmp_path / "inclusion.json", json.dumps(proof))
    args = ["verify", "inclusion", "--checkpoint", str(cp), "--vkey", VKEY, "--proof", str(pf)]
    return runner.invoke(app, [*args, *extra])


def run_consistency(old: Path, new: Path, proof: dict[str, Any], tmp_path: Path) -> Any:
    pf = write(tmp_path / "consistency.json", json.dumps(proof))
    args = ["--old", str(old), "--new", str(new), "--vkey", VKEY, "--proof", str(pf)]
    return runner.invoke(app, ["verify", "consistency", *args])


def test_every_leaf_verifies(tree: MemoryTree, tmp_path: Path) -> None:
    cp = checkpoint_file(tmp_path, tree, 21)
    for i in range(21):
        result = run_inclusion(cp, inclusion_json(tree, i, 21), tmp_path)
        assert result.exit_code == 0, result.output
        assert "OK" in result.output


def test_proto_json_export_is_accepted(tree: MemoryTree, tmp_path: Path) -> None:
    cp = checkpoint_file(tmp_path, tree, 13)
    proof = {
        "proof": {
            "leafIndex": "4",
            "treeSize": "13",
            "leafHash": b64(leaf_hash(DATA[4])),
            "auditPath": [b64(h) for h in tree.inclusion_proof(4, 13)],
        }
    }
    result = run_inclusion(cp, proof, tmp_path)
    assert result.exit_code == 0, result.output


def test_key_file_is_accepted(tree: MemoryTree, tmp_path: Path) -> None:
    cp = checkpoint_file(tmp_path, tree, 21)
    key_file = write(tmp_path / "log.vkey", VKEY + "\n")
    pf = write(tmp_path / "p.json", json.dumps(inclusion_json(tree, 3, 21)))
    args = ["--checkpoint", str(cp), "--vkey", str(key_file), "--proof", str(pf)]
    result = runner.invoke(app, ["verify", "inclusion", *args])
    assert result.exit_code == 0, result.output


def _tampered_inclusions(tree: MemoryTree) -> dict[str, dict[str, Any]]:
    good = inclusion_json(tree, 5, 21)
    cases = {
        "other leaf data": {**good, "leaf_data": b64(b"transfer 6"), "leaf_hash": None},
        "data and hash disagree": {**good, "leaf_data": b64(b"transfer 5!")},
        "other index": {**good, "leaf_index": 6},
        "other size": {**good, "tree_size": 13},
        "short path": {**good, "audit_path": good["audit_path"][:-1]},
        "no leaf": {k: v for k, v in good.items() if k not in ("leaf_data", "leaf_hash")},
        "bad base64": {**good, "audit_path": ["%%%", *good["audit_path"][1:]]},
        "negative index": {**good, "leaf_index": -1},
    }
    for j, h in enumerate(good["audit_path"]):
        raw = bytearray(base64.b64decode(h))
        raw[j] ^= 0x40
        path = list(good["audit_path"])
        path[j] = b64(bytes(raw))
        cases[f"path[{j}] changed"] = {**good, "audit_path": path}
    return cases


def test_tampered_inclusion_proofs_fail(tree: MemoryTree, tmp_path: Path) -> None:
    cp = checkpoint_file(tmp_path, tree, 21)
    for name, proof in _tampered_inclusions(tree).items():
        result = run_inclusion(cp, {k: v for k, v in proof.items() if v is not None}, tmp_path)
        assert result.exit_code == 1, name
        assert "verification FAILED" in result.output, name


def test_tampered_checkpoints_fail(tree: MemoryTree, tmp_path: Path) -> None:
    cp = checkpoint_file(tmp_path, tree, 21)
    proof = inclusion_json(tree, 5, 21)
    note = cp.read_text()
    lines = note.split("\n")
    other_root = b64(tree.root(20))
    bad_notes = {
        "changed root": note.replace(lines[2], other_root),
        "changed size": note.replace("\n21\n", "\n22\n", 1),
        "changed extension": note.replace("11:00:00Z", "11:00:01Z"),
        "changed signature": note[:-6] + ("A" if note[-6] != "A" else "B") + note[-5:],
        "no signature": "\n".join(lines[:4]) + "\n",
        "other origin": note.replace(ORIGIN, "ntb.laborcoin/other"),
    }
    for name, text in bad_notes.items():
        result = run_inclusion(write(tmp_path / "bad.txt", text), proof, tmp_path)
        assert result.exit_code == 1, name
    result = run_inclusion(cp, proof, tmp_path, "--origin", "ntb.laborcoin/other")
    assert result.exit_code == 1
    stranger = Ed25519NoteSigner.from_seed(ORIGIN, bytes(32)).verifier_key().encode()
    pf = write(tmp_path / "p.json", json.dumps(proof))
    args = ["--checkpoint", str(cp), "--vkey", stranger, "--proof", str(pf)]
    result = runner.invoke(app, ["verify", "inclusion", *args])
    assert result.exit_code == 1
    assert "not signed by a known key" in result.output


def test_missing_and_garbage_files_fail(tree: MemoryTree, tmp_path: Path) -> None:
    cp = checkpoint_file(tmp_path, tree, 21)
    pf = write(tmp_path / "garbage.json", "{not json")
    for cp_path, proof_path in ((cp, pf), (tmp_path / "missing.txt", pf)):
        args = ["--checkpoint", str(cp_path), "--vkey", VKEY, "--proof", str(proof_path)]
        result = runner.invoke(app, ["verify", "inclusion", *args])
        assert result.exit_code == 1
        assert "verification FAILED" in result.output
    args = ["--checkpoint", str(cp), "--vkey", "not-a-key", "--proof", str(pf)]
    assert runner.invoke(app, ["verify", "inclusion", *args]).exit_code == 1


def test_consistency_verifies_and_rejects_tampering(tree: MemoryTree, tmp_path: Path) -> None:
    old, new = checkpoint_file(tmp_path, tree, 13), checkpoint_file(tmp_path, tree, 21)
    proof = [b64(h) for h in tree.consistency_proof(13, 21)]
    good = {"first_tree_size": 13, "second_tree_size": 21, "proof": proof}
    result = run_consistency(old, new, good, tmp_path)
    assert result.exit_code == 0, result.output
    camel = {"firstTreeSize": "13", "secondTreeSize": "21", "proof": proof}
    assert run_consistency(old, new, camel, tmp_path).exit_code == 0
    same = {"first_tree_size": 21, "second_tree_size": 21}
    assert run_consistency(new, new, same, tmp_path).exit_code == 0
    bad = {
        "swapped checkpoints": (new, old, good),
        "sizes differ from checkpoints": (old, new, {**good, "first_tree_size": 12}),
        "short proof": (old, new, {**good, "proof": proof[:-1]}),
        "no proof": (old, new, {**good, "proof": []}),
    }
    for j in range(len(proof)):
        changed = list(proof)
        changed[j] = b64(bytes([base64.b64decode(proof[j])[0] ^ 1]) + bytes(31))
        bad[f"proof[{j}] changed"] = (old, new, {**good, "proof": changed})
    other = Checkpoint(ORIGIN, 21, leaf_hash(b"forked"), ()).sign([SIGNER])
    bad["forked new head"] = (old, write(tmp_path / "fork.txt", other), good)
    for name, (o, n, p) in bad.items():
        result = run_consistency(o, n, p, tmp_path)
        assert result.exit_code == 1, name
        assert "verification FAILED" in result.output, name


def test_an_anchor_leaf_verifies_against_the_record_digest(tmp_path: Path) -> None:
    record = b"gene map entry 3 of asset a"
    digest = hashlib.sha256(record).digest()
    anchor = Anchor("6f1f6a55-7c52-4d53-9f43-0d0f4e2b8c11", "intangible-bank", "asset/a/3",
                    digest, datetime(2026, 11, 27, 9, 0, tzinfo=UTC))
    t = MemoryTree()
    leaves = [b"transfer 0", anchor_bytes(anchor), b"transfer 2"]
    for leaf in leaves:
        t.append(leaf)
    note = Checkpoint(ORIGIN, 3, t.root(3), ("2026-11-27T11:00:00Z",)).sign([SIGNER])
    cp = write(tmp_path / "checkpoint-3.txt", note)
    proof = {"leaf_index": 1, "tree_size": 3, "leaf_data": b64(leaves[1]),
             "audit_path": [b64(h) for h in t.inclusion_proof(1, 3)]}
    assert run_inclusion(cp, proof, tmp_path, "--sha256", digest.hex()).exit_code == 0
    other = hashlib.sha256(b"a changed record").hexdigest()
    refused = run_inclusion(cp, proof, tmp_path, "--sha256", other)
    assert refused.exit_code == 1 and "anchors" in refused.output
    transfer = {"leaf_index": 0, "tree_size": 3, "leaf_data": b64(leaves[0]),
                "audit_path": [b64(h) for h in t.inclusion_proof(0, 3)]}
    not_anchor = run_inclusion(cp, transfer, tmp_path, "--sha256", digest.hex())
    assert not_anchor.exit_code == 1 and "not an anchor" in not_anchor.output


def test_leaf_zero_exported_by_message_to_json_verifies(tree: MemoryTree, tmp_path: Path) -> None:
    cp = checkpoint_file(tmp_path, tree, 13)
    proof = {"proof": {"treeSize": "13", "leafHash": b64(leaf_hash(DATA[0])),  # no leafIndex
                       "auditPath": [b64(h) for h in tree.inclusion_proof(0, 13)]}}
    result = run_inclusion(cp, proof, tmp_path)
    assert result.exit_code == 0, result.output
