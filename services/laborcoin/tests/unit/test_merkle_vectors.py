"""The RFC 9162 proof verifiers accept and reject exactly as the reference test vectors say.

How: every JSON vector of transparency-dev/merkle's ``testdata`` (inclusion and
consistency, see ``SOURCE.md`` beside them) is read from ``../shared/data/merkle-vectors``
relative to the repository root (never copied into the project), run through
``verify_inclusion`` / ``verify_consistency``, and must raise ``ProofError`` exactly when
``wantErr`` is true. The folder is found by walking up from this file, so the test works
from a checkout or a worktree as long as ``shared/`` sits beside an ancestor.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from ntb_laborcoin.domain.merkle import ProofError, verify_consistency, verify_inclusion

VECTORS_SUBDIR = Path("shared/data/merkle-vectors")


def _repo_root() -> Path:
    for parent in Path(__file__).resolve().parents:
        if (parent / "uv.lock").is_file():
            return parent
    raise RuntimeError("repository root (uv.lock) not found above the test file")


def vectors_dir() -> Path:
    """``../shared/data/merkle-vectors`` from the repo root (or beside a further ancestor)."""
    for base in _repo_root().parents:
        candidate = base / VECTORS_SUBDIR
        if candidate.is_dir():
            return candidate
    raise RuntimeError(f"{VECTORS_SUBDIR} not found beside the repository or its ancestors")


def _files(kind: str) -> list[Path]:
    files = sorted((vectors_dir() / kind).rglob("*.json"))
    assert files, f"no {kind} vectors found"
    return files


def _b64(value: str) -> bytes:
    return base64.b64decode(value)


def _load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text())
    return data


def _rel(path: Path) -> str:
    return str(path.relative_to(vectors_dir()))


INCLUSION = _files("inclusion")
CONSISTENCY = _files("consistency")


def test_the_vector_set_is_complete() -> None:
    assert len(INCLUSION) + len(CONSISTENCY) >= 190
    happy = [p for p in INCLUSION + CONSISTENCY if p.name == "happy-path.json"]
    assert len(happy) == 10


@pytest.mark.parametrize("path", INCLUSION, ids=_rel)
def test_inclusion_vector(path: Path) -> None:
    v = _load(path)
    proof = [_b64(p) for p in v["proof"] or []]
    try:
        verify_inclusion(v["leafIdx"], v["treeSize"], _b64(v["leafHash"]), proof, _b64(v["root"]))
    except ProofError:
        assert v["wantErr"], f"{v['desc']}: rejected a valid proof"
    else:
        assert not v["wantErr"], f"{v['desc']}: accepted an invalid proof"


@pytest.mark.parametrize("path", CONSISTENCY, ids=_rel)
def test_consistency_vector(path: Path) -> None:
    v = _load(path)
    proof = [_b64(p) for p in v["proof"] or []]
    try:
        verify_consistency(v["size1"], v["size2"], proof, _b64(v["root1"]), _b64(v["root2"]))
    except ProofError:
        assert v["wantErr"], f"{v['desc']}: rejected a valid proof"
    else:
        assert not v["wantErr"], f"{v['desc']}: accepted an invalid proof"
