"""C2SP tlog-checkpoint bodies and C2SP signed notes (Ed25519), stdlib only.

Checkpoint (c2sp.org/tlog-checkpoint) note text::

    <origin>\\n<tree size, decimal, no leading zeros>\\n<base64 root hash>\\n[<extension>\\n...]

Signed note (c2sp.org/signed-note): the text, a blank line, then one or more lines
``— <key name> <base64(4-byte key ID || signature)>\\n``. For Ed25519 the signature is
RFC 8032 over the UTF-8 note text and::

    key ID = SHA-256(key name || 0x0A || 0x01 || 32-byte public key)[:4]

A verifier key ("vkey") is ``<name>+<hex key ID>+<base64(0x01 || public key)>``.

The cryptography is behind :class:`NoteSigner` and :data:`SignatureCheck` so this module
stays stdlib-only; ``ntb_laborcoin.adapters.log_signer`` implements both with
``cryptography``. Parsing is strict: anything malformed raises :class:`NoteError`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

ED25519_TYPE = 0x01
ED25519_PUBLIC_KEY_SIZE = 32
ED25519_SIGNATURE_SIZE = 64
KEY_ID_SIZE = 4
ROOT_HASH_SIZE = 32
MAX_SIGNATURES = 100
SIGNATURE_PREFIX = "\u2014 "  # em dash, space

_DECIMAL = re.compile(r"0|[1-9][0-9]*")
_SPACE = re.compile(r"\s")


class NoteError(ValueError):
    """A malformed, unsigned, wrongly signed or unexpected note or key."""


def b64decode_strict(text: str, what: str) -> bytes:
    """Standard base64 (RFC 4648 section 4) with padding, canonical, or NoteError."""
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        raise NoteError(f"{what} is not valid base64") from None
    if base64.b64encode(raw).decode("ascii") != text:
        raise NoteError(f"{what} is not canonical base64")
    return raw


def b64encode(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def check_key_name(name: str) -> None:
    """Key names are non-empty, without Unicode spaces or '+' (signed-note)."""
    if not name or "+" in name or _SPACE.search(name) or _has_controls(name):
        raise NoteError(f"invalid key name {name!r}")


def _has_controls(text: str) -> bool:
    return any(ord(c) < 0x20 and c != "\n" for c in text)


def ed25519_key_id(name: str, public_key: bytes) -> bytes:
    """The 4-byte key ID of an Ed25519 key (signed-note)."""
    if len(public_key) != ED25519_PUBLIC_KEY_SIZE:
        raise NoteError("an Ed25519 public key has 32 bytes")
    material = name.encode("utf-8") + b"\n" + bytes([ED25519_TYPE]) + public_key
    return hashlib.sha256(material).digest()[:KEY_ID_SIZE]


@dataclass(frozen=True)
class VerifierKey:
    """A named Ed25519 public key that verifies note signatures."""

    name: str
    public_key: bytes

    def __post_init__(self) -> None:
        check_key_name(self.name)
        if len(self.public_key) != ED25519_PUBLIC_KEY_SIZE:
            raise NoteError("an Ed25519 public key has 32 bytes")

    @property
    def key_id(self) -> bytes:
        return ed25519_key_id(self.name, self.public_key)

    def encode(self) -> str:
        """``<name>+<hex key ID>+<base64(0x01 || public key)>``."""
        material = b64encode(bytes([ED25519_TYPE]) + self.public_key)
        return f"{self.name}+{self.key_id.hex()}+{material}"

    @classmethod
    def parse(cls, vkey: str) -> VerifierKey:
        """Parse a vkey string; the key ID must match the name and key."""
        parts = vkey.split("+", 2)
        if len(parts) != 3:
            raise NoteError("a verifier key is <name>+<hex key id>+<base64 key>")
        name, hex_id, material = parts
        if not re.fullmatch(r"[0-9a-f]{8}", hex_id):
            raise NoteError("the key id of a verifier key is 8 lowercase hex digits")
        raw = b64decode_strict(material, "verifier key")
        if len(raw) != 1 + ED25519_PUBLIC_KEY_SIZE or raw[0] != ED25519_TYPE:
            raise NoteError("only Ed25519 verifier keys (type 0x01, 32 bytes) are supported")
        key = cls(name, raw[1:])
        if key.key_id.hex() != hex_id:
            raise NoteError("verifier key id does not match its name and key")
        return key


class NoteSigner(Protocol):
    """Signs note text with an Ed25519 key (see ``adapters.log_signer``)."""

    @property
    def name(self) -> str: ...

    @property
    def public_key(self) -> bytes: ...

    def sign(self, message: bytes) -> bytes:
        """The 64-byte Ed25519 signature of ``message``."""
        ...


SignatureCheck = Callable[[bytes, bytes, bytes], bool]
"""``check(public_key, message, signature)`` is True when the Ed25519 signature is valid."""


@dataclass(frozen=True)
class NoteSignature:
    """One signature line of a signed note."""

    name: str
    key_id: bytes
    signature: bytes

    def line(self) -> str:
        return f"{SIGNATURE_PREFIX}{self.name} {b64encode(self.key_id + self.signature)}\n"


def _check_text(text: str) -> None:
    if not text.endswith("\n"):
        raise NoteError("note text must end with a newline")
    if _has_controls(text):
        raise NoteError("note contains control characters")


def format_note(text: str, signatures: Sequence[NoteSignature]) -> str:
    """The signed note: text, blank line, signature lines."""
    _check_text(text)
    if not signatures:
        raise NoteError("a signed note needs a signature")
    return text + "\n" + "".join(s.line() for s in signatures)


def sign_note(text: str, signers: Sequence[NoteSigner]) -> str:
    """Sign ``text`` (which must end in a newline) with every signer."""
    message = text.encode("utf-8")
    sigs = []
    for signer in signers:
        check_key_name(signer.name)
        sigs.append(
            NoteSignature(
                signer.name, ed25519_key_id(signer.name, signer.public_key), signer.sign(message)
            )
        )
    return format_note(text, sigs)


def _parse_signature_line(line: str) -> NoteSignature:
    if not line.startswith(SIGNATURE_PREFIX):
        raise NoteError("a signature line starts with an em dash and a space")
    fields = line[len(SIGNATURE_PREFIX) :].split(" ")
    if len(fields) != 2:
        raise NoteError("a signature line is '— <name> <base64>'")
    name, blob = fields
    check_key_name(name)
    raw = b64decode_strict(blob, "signature")
    if len(raw) <= KEY_ID_SIZE:
        raise NoteError("signature is too short")
    return NoteSignature(name, raw[:KEY_ID_SIZE], raw[KEY_ID_SIZE:])


def parse_note(note: str) -> tuple[str, list[NoteSignature]]:
    """Split a signed note into its text and signatures (no verification)."""
    if _has_controls(note) or not note.endswith("\n"):
        raise NoteError("a note ends with a newline and has no control characters")
    split = note.rfind("\n\n")
    if split < 0:
        raise NoteError("a signed note has a blank line before its signatures")
    text, block = note[: split + 1], note[split + 2 :]
    lines = block[:-1].split("\n") if block else []
    if not lines:
        raise NoteError("note has no signatures")
    if len(lines) > MAX_SIGNATURES:
        raise NoteError("note has too many signatures")
    return text, [_parse_signature_line(line) for line in lines]


def open_note(note: str, keys: Sequence[VerifierKey], check: SignatureCheck) -> str:
    """The text of ``note`` once a known key's signature verifies.

    Signatures of unknown keys (name and key ID not both matching) are ignored; a known
    key's signature that fails rejects the note; a note no known key signed is rejected.
    """
    text, signatures = parse_note(note)
    known = {(k.name, k.key_id): k for k in keys}
    message = text.encode("utf-8")
    verified = 0
    for sig in signatures:
        key = known.get((sig.name, sig.key_id))
        if key is None:
            continue
        if len(sig.signature) != ED25519_SIGNATURE_SIZE or not check(
            key.public_key, message, sig.signature
        ):
            raise NoteError(f"signature of {sig.name} does not verify")
        verified += 1
    if not verified:
        raise NoteError("note is not signed by a known key")
    return text


@dataclass(frozen=True)
class Checkpoint:
    """A tree head: origin, size, root hash and optional extension lines."""

    origin: str
    tree_size: int
    root_hash: bytes
    extensions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.origin or "\n" in self.origin or _has_controls(self.origin):
            raise NoteError("origin must be one non-empty line")
        if self.tree_size < 0:
            raise NoteError("tree size must be >= 0")
        if len(self.root_hash) != ROOT_HASH_SIZE:
            raise NoteError("root hash must have 32 bytes")
        for ext in self.extensions:
            if not ext or "\n" in ext or _has_controls(ext):
                raise NoteError("extension lines are non-empty single lines")

    def text(self) -> str:
        """The note text (what is signed)."""
        lines = [self.origin, str(self.tree_size), b64encode(self.root_hash), *self.extensions]
        return "".join(line + "\n" for line in lines)

    @classmethod
    def parse(cls, text: str) -> Checkpoint:
        """Parse checkpoint note text strictly."""
        _check_text(text)
        lines = text[:-1].split("\n")
        if len(lines) < 3:
            raise NoteError("a checkpoint has origin, size and root hash lines")
        origin, size, root = lines[:3]
        if not _DECIMAL.fullmatch(size):
            raise NoteError("tree size is not a decimal without leading zeros")
        root_hash = b64decode_strict(root, "root hash")
        return cls(origin, int(size), root_hash, tuple(lines[3:]))

    def sign(self, signers: Sequence[NoteSigner]) -> str:
        """The signed note of this checkpoint."""
        return sign_note(self.text(), signers)


def open_checkpoint(
    note: str, origin: str, keys: Sequence[VerifierKey], check: SignatureCheck
) -> Checkpoint:
    """Verify a signed checkpoint and check that it is from log ``origin``."""
    checkpoint = Checkpoint.parse(open_note(note, keys, check))
    if checkpoint.origin != origin:
        raise NoteError(f"checkpoint origin {checkpoint.origin!r} is not {origin!r}")
    return checkpoint
