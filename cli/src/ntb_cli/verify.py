"""`ntb verify`: check laborcoin's log offline, with nothing but the log's public key.

Inputs
------
- ``--checkpoint`` / ``--old`` / ``--new``: a signed checkpoint, i.e. a C2SP signed note
  (c2sp.org/tlog-checkpoint) as UTF-8 text::

      ntb.laborcoin/transfers
      1234
      <base64 root hash>
      <optional extension lines, e.g. the signing time>

      — ntb.laborcoin/transfers <base64(4-byte key ID || Ed25519 signature)>

- ``--vkey``: the verifier key ``<name>+<hex key ID>+<base64(0x01 || public key)>``
  (or the path of a file holding it). ``--origin`` is the log's name; by default the
  key's name.
- ``--proof``: a JSON file, the export of ``GetInclusionProof`` / ``GetConsistencyProof``.
  Bytes are standard base64; sizes are integers or decimal strings; field names may be
  snake_case or the proto JSON lowerCamelCase, so ``MessageToJson`` of the proto
  ``InclusionProof`` / ``ConsistencyProof`` (or of the whole response, which has it under
  ``"proof"``) is accepted as is.

  Inclusion proof (``ntb.common.v1.InclusionProof``)::

      {"leaf_index": 5, "tree_size": 8,
       "leaf_data": "<base64 canonical transfer bytes>",   # and/or
       "leaf_hash": "<base64 SHA-256(0x00 || leaf_data)>",
       "audit_path": ["<base64 32 bytes>", ...]}

  At least one of ``leaf_data`` and ``leaf_hash``; with both they must agree.

  Consistency proof (``ntb.common.v1.ConsistencyProof``)::

      {"first_tree_size": 3, "second_tree_size": 8, "proof": ["<base64 32 bytes>", ...]}

- ``--sha256``: with an inclusion proof, the leaf must also be an anchor (a digest another
  service sealed into the log, e.g. a gene-map entry) of this SHA-256 (hex); the proof then
  needs ``leaf_data``, which is ``ntb-anchor-v1\n`` + the anchor's JSON.

Exit status 0 when everything verifies, 1 with a message on stderr otherwise.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from ntb_laborcoin.adapters.log_signer import ed25519_check
from ntb_laborcoin.domain.checkpoint import (
    Checkpoint,
    NoteError,
    VerifierKey,
    b64decode_strict,
    b64encode,
    open_checkpoint,
)
from ntb_laborcoin.domain.merkle import ProofError, leaf_hash, verify_consistency, verify_inclusion

app = typer.Typer(help="Verify laborcoin's transparency log offline.", no_args_is_help=True)

CheckpointOpt = Annotated[Path, typer.Option(help="Signed checkpoint (C2SP signed note).")]
VkeyOpt = Annotated[str, typer.Option(help="Verifier key string, or a file holding it.")]
OriginOpt = Annotated[
    str | None, typer.Option(help="Expected log origin (default: the key's name).")
]
InclusionProofOpt = Annotated[
    Path,
    typer.Option(
        "--proof",
        help="Proof JSON: leaf_index, tree_size, leaf_data and/or leaf_hash, audit_path (base64).",
    ),
]
ConsistencyProofOpt = Annotated[
    Path,
    typer.Option(
        "--proof", help="Proof JSON: first_tree_size, second_tree_size, proof (base64 list)."
    ),
]


class InputError(ValueError):
    """An input file is missing or malformed."""


def _fail(message: str) -> NoReturn:
    typer.echo(f"verification FAILED: {message}", err=True)
    raise typer.Exit(1)


def _field(obj: dict[str, Any], snake: str) -> Any:
    head, *rest = snake.split("_")
    camel = head + "".join(word.title() for word in rest)
    if snake in obj:
        return obj[snake]
    if camel in obj:
        return obj[camel]
    return None


def _int(obj: dict[str, Any], name: str, *, zero_if_absent: bool = False) -> int:
    value = _field(obj, name)
    if value is None and zero_if_absent:
        value = 0  # proto JSON omits zero values: leaf 0's index
    if isinstance(value, str) and value.isdecimal():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise InputError(f"{name} must be a non-negative integer")
    return value


def _hashes(obj: dict[str, Any], name: str) -> list[bytes]:
    value = _field(obj, name)
    value = [] if value is None else value  # proto JSON omits empty lists
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InputError(f"{name} must be a list of base64 strings")
    try:
        return [b64decode_strict(v, name) for v in value]
    except NoteError as exc:
        raise InputError(str(exc)) from None


def _bytes(obj: dict[str, Any], name: str) -> bytes | None:
    value = _field(obj, name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise InputError(f"{name} must be a base64 string")
    try:
        return b64decode_strict(value, name)
    except NoteError as exc:
        raise InputError(str(exc)) from None


def _read_text(path: Path, what: str) -> str:
    try:
        return path.read_bytes().decode("utf-8", errors="strict")
    except OSError as exc:
        raise InputError(f"cannot read {what} {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise InputError(f"{what} {path} is not UTF-8") from None


def _read_proof(path: Path) -> dict[str, Any]:
    try:
        obj = json.loads(_read_text(path, "proof file"))
    except json.JSONDecodeError as exc:
        raise InputError(f"proof file {path} is not JSON: {exc.msg}") from None
    if isinstance(obj, dict) and isinstance(obj.get("proof"), dict):
        obj = obj["proof"]
    if not isinstance(obj, dict):
        raise InputError("proof file must hold a JSON object")
    return obj


@dataclass(frozen=True)
class InclusionFile:
    """A parsed inclusion proof file."""

    leaf_index: int
    tree_size: int
    leaf_hash: bytes
    audit_path: list[bytes]
    leaf_data: bytes | None = None

    @classmethod
    def load(cls, path: Path) -> InclusionFile:
        obj = _read_proof(path)
        data, given_hash = _bytes(obj, "leaf_data"), _bytes(obj, "leaf_hash")
        if data is None and given_hash is None:
            raise InputError("the proof needs leaf_data or leaf_hash")
        computed = leaf_hash(data) if data is not None else given_hash
        if computed is None or (given_hash is not None and given_hash != computed):
            raise InputError("leaf_hash is not the hash of leaf_data")
        return cls(
            _int(obj, "leaf_index", zero_if_absent=True), _int(obj, "tree_size"), computed,
            _hashes(obj, "audit_path"),
            data,
        )


ANCHOR_LEAF_PREFIX = b"ntb-anchor-v1\n"


def anchored_digest(leaf_data: bytes) -> dict[str, str]:
    """The anchor a leaf stands for (its JSON fields); InputError if it is no anchor."""
    if not leaf_data.startswith(ANCHOR_LEAF_PREFIX):
        raise InputError("the leaf is not an anchor (leaf_data lacks ntb-anchor-v1)")
    try:
        fields = json.loads(leaf_data[len(ANCHOR_LEAF_PREFIX):].decode())
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"anchor leaf is not JSON: {exc}") from None
    if not isinstance(fields, dict) or not isinstance(fields.get("digest_sha256"), str):
        raise InputError("anchor leaf lacks digest_sha256")
    return fields


@dataclass(frozen=True)
class ConsistencyFile:
    """A parsed consistency proof file."""

    first_tree_size: int
    second_tree_size: int
    proof: list[bytes]

    @classmethod
    def load(cls, path: Path) -> ConsistencyFile:
        obj = _read_proof(path)
        return cls(
            _int(obj, "first_tree_size"), _int(obj, "second_tree_size"), _hashes(obj, "proof")
        )


def _load_key(vkey: str) -> VerifierKey:
    text = vkey
    try:
        is_file = Path(vkey).is_file()
    except OSError:  # e.g. a key string too long for a file name
        is_file = False
    if is_file:
        text = _read_text(Path(vkey), "key file").strip()
    try:
        return VerifierKey.parse(text)
    except NoteError as exc:
        raise InputError(f"bad verifier key: {exc}") from None


def _open(path: Path, key: VerifierKey, origin: str | None) -> Checkpoint:
    note = _read_text(path, "checkpoint")
    try:
        return open_checkpoint(note, origin or key.name, [key], ed25519_check)
    except NoteError as exc:
        raise NoteError(f"checkpoint {path}: {exc}") from None


def _summary(cp: Checkpoint) -> str:
    return f"{cp.origin} size {cp.tree_size} root {b64encode(cp.root_hash)}"


@app.command()
def inclusion(
    checkpoint: CheckpointOpt,
    vkey: VkeyOpt,
    proof: InclusionProofOpt,
    origin: OriginOpt = None,
    sha256: Annotated[
        str | None, typer.Option(help="The leaf must anchor this SHA-256 (hex) of a record.")
    ] = None,
) -> None:
    """Check that a leaf (a transfer or an anchor) is in the log, against a signed
    checkpoint."""
    try:
        key = _load_key(vkey)
        head = _open(checkpoint, key, origin)
        leaf = InclusionFile.load(proof)
        if leaf.tree_size != head.tree_size:
            raise ProofError(
                f"proof is for tree size {leaf.tree_size}, checkpoint has {head.tree_size}"
            )
        verify_inclusion(
            leaf.leaf_index, leaf.tree_size, leaf.leaf_hash, leaf.audit_path, head.root_hash
        )
        if sha256 is not None:
            if leaf.leaf_data is None:
                raise InputError("--sha256 needs leaf_data in the proof")
            anchored = anchored_digest(leaf.leaf_data)["digest_sha256"]
            if anchored != sha256.strip().lower():
                raise ProofError(f"the leaf anchors {anchored}, not {sha256}")
    except (InputError, NoteError, ProofError) as exc:
        _fail(str(exc))
    typer.echo(
        f"OK: leaf {leaf.leaf_index} (hash {b64encode(leaf.leaf_hash)}) is in "
        f"{_summary(head)}, signed by {key.encode()}"
    )


@app.command()
def consistency(
    old: Annotated[Path, typer.Option(help="Older signed checkpoint.")],
    new: Annotated[Path, typer.Option(help="Newer signed checkpoint.")],
    vkey: VkeyOpt,
    proof: ConsistencyProofOpt,
    origin: OriginOpt = None,
) -> None:
    """Check that the newer signed checkpoint extends the older one (append-only)."""
    try:
        key = _load_key(vkey)
        first, second = _open(old, key, origin), _open(new, key, origin)
        link = ConsistencyFile.load(proof)
        if (link.first_tree_size, link.second_tree_size) != (first.tree_size, second.tree_size):
            raise ProofError(
                f"proof links sizes {link.first_tree_size} -> {link.second_tree_size}, "
                f"checkpoints have {first.tree_size} -> {second.tree_size}"
            )
        verify_consistency(
            first.tree_size, second.tree_size, link.proof, first.root_hash, second.root_hash
        )
    except (InputError, NoteError, ProofError) as exc:
        _fail(str(exc))
    typer.echo(f"OK: {_summary(second)} extends {_summary(first)}, signed by {key.encode()}")
