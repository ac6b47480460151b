"""Signed checkpoints follow C2SP tlog-checkpoint / signed-note and cannot be forged.

How:
- known answer: the signed-note example of golang.org/x/mod/sumdb/note (key
  "PeterNeumann", also used by other signed-note implementations): our key ID, vkey
  string and Ed25519 signature reproduce the published note byte for byte (Ed25519 is
  deterministic), and the published note opens with the published vkey;
- the key ID is recomputed from the spec's formula
  SHA-256(name || 0x0A || 0x01 || public key)[:4];
- round trip: a signed checkpoint opens to the same checkpoint; changing any single
  byte of the signed note (text or signature) makes opening fail;
- strict parsing: malformed notes, checkpoints and vkeys, unknown keys, a wrong
  origin and a known key's bad signature are all rejected; unknown extra signatures
  are ignored as the spec requires.
"""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ntb_laborcoin.adapters.log_signer import Ed25519NoteSigner, ed25519_check
from ntb_laborcoin.domain.checkpoint import (
    Checkpoint,
    NoteError,
    NoteSignature,
    VerifierKey,
    ed25519_key_id,
    format_note,
    open_checkpoint,
    open_note,
    parse_note,
    sign_note,
)

# golang.org/x/mod/sumdb/note documentation example (public test key).
GO_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
GO_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
GO_NOTE = (
    GO_TEXT + "\n— PeterNeumann "
    "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
)

ORIGIN = "ntb.example/transfers"
SIGNER = Ed25519NoteSigner.from_seed(ORIGIN, bytes(range(32)))
KEY = SIGNER.verifier_key()
CHECKPOINT = Checkpoint(ORIGIN, 1234, hashlib.sha256(b"root").digest(), ("2026-11-27T11:00:00Z",))


def test_known_answer_from_the_go_note_package() -> None:
    signer = Ed25519NoteSigner.from_skey(GO_SKEY)
    assert signer.verifier_key().encode() == GO_VKEY
    assert signer.key_id.hex() == "c74f20a3"
    assert signer.skey() == GO_SKEY
    assert sign_note(GO_TEXT, [signer]) == GO_NOTE
    assert open_note(GO_NOTE, [VerifierKey.parse(GO_VKEY)], ed25519_check) == GO_TEXT


def test_key_id_is_the_spec_formula() -> None:
    pub = KEY.public_key
    want = hashlib.sha256(ORIGIN.encode() + b"\n\x01" + pub).digest()[:4]
    assert ed25519_key_id(ORIGIN, pub) == want == KEY.key_id
    assert VerifierKey.parse(KEY.encode()) == KEY


def test_round_trip() -> None:
    note = CHECKPOINT.sign([SIGNER])
    assert note.startswith(f"{ORIGIN}\n1234\n")
    assert open_checkpoint(note, ORIGIN, [KEY], ed25519_check) == CHECKPOINT
    assert Checkpoint.parse(CHECKPOINT.text()) == CHECKPOINT


def test_any_changed_byte_fails() -> None:
    raw = CHECKPOINT.sign([SIGNER]).encode()
    for pos in range(len(raw)):
        for bit in (0, 5):
            changed = bytearray(raw)
            changed[pos] ^= 1 << bit
            try:
                text = changed.decode("utf-8")
            except UnicodeDecodeError:
                continue  # rejected before parsing (the CLI decodes strictly)
            with pytest.raises(NoteError):
                open_checkpoint(text, ORIGIN, [KEY], ed25519_check)


@settings(max_examples=50, deadline=None)
@given(
    size=st.integers(0, 2**63 - 1),
    root=st.binary(min_size=32, max_size=32),
    ext=st.lists(st.text("abcXYZ019 :-", min_size=1, max_size=20), max_size=3),
)
def test_any_checkpoint_round_trips(size: int, root: bytes, ext: list[str]) -> None:
    cp = Checkpoint(ORIGIN, size, root, tuple(ext))
    assert open_checkpoint(cp.sign([SIGNER]), ORIGIN, [KEY], ed25519_check) == cp


def test_unknown_keys_and_wrong_origin_are_rejected() -> None:
    note = CHECKPOINT.sign([SIGNER])
    other = Ed25519NoteSigner.from_seed(ORIGIN, bytes(32))
    with pytest.raises(NoteError, match="not signed by a known key"):
        open_checkpoint(note, ORIGIN, [other.verifier_key()], ed25519_check)
    renamed = VerifierKey("ntb.example/other", KEY.public_key)
    with pytest.raises(NoteError, match="not signed by a known key"):
        open_checkpoint(note, ORIGIN, [renamed], ed25519_check)
    with pytest.raises(NoteError, match="origin"):
        open_checkpoint(note, "ntb.example/elsewhere", [KEY], ed25519_check)


def test_unknown_signatures_are_ignored_but_a_bad_known_one_rejects() -> None:
    stranger = Ed25519NoteSigner.from_seed("witness.example", bytes(32))
    note = CHECKPOINT.sign([stranger, SIGNER])
    assert open_checkpoint(note, ORIGIN, [KEY], ed25519_check) == CHECKPOINT
    text, sigs = parse_note(note)
    forged = NoteSignature(KEY.name, KEY.key_id, bytes(64))
    with pytest.raises(NoteError, match="does not verify"):
        open_note(format_note(text, [*sigs, forged]), [KEY], ed25519_check)


MALFORMED_NOTES = [
    "",
    "no newline",
    f"{ORIGIN}\n1\n",  # no signatures
    f"{ORIGIN}\n1\n\n",  # blank line but no signature
    f"{ORIGIN}\n1\n\n- {ORIGIN} AAAAAAA=\n",  # hyphen, not an em dash
    f"{ORIGIN}\n1\n\n— {ORIGIN} AAAA\n",  # 3 bytes: shorter than a key ID
    f"{ORIGIN}\n1\n\n— {ORIGIN} not*base64\n",
    f"{ORIGIN}\n1\n\n— {ORIGIN}  AAAAAAA=\n",  # two spaces
    f"{ORIGIN}\n1\n\n— {ORIGIN} AAAAAAA=",  # no final newline
    f"{ORIGIN}\r\n1\n\n— {ORIGIN} AAAAAAA=\n",  # control character
    f"{ORIGIN}\n1\n\n— a+b AAAAAAA=\n",  # '+' in key name
]


@pytest.mark.parametrize("note", MALFORMED_NOTES)
def test_malformed_notes_are_rejected(note: str) -> None:
    with pytest.raises(NoteError):
        open_note(note, [KEY], ed25519_check)


ROOT64 = "Y3J5cHRvZ3JhcGh5IGlzIG5vdCB0aGUgYW5zd2VyIDop"  # 33 bytes
GOOD_ROOT = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="

MALFORMED_CHECKPOINTS = [
    f"{ORIGIN}\n1\n",  # no root
    f"\n1\n{GOOD_ROOT}\n",  # empty origin
    f"{ORIGIN}\n01\n{GOOD_ROOT}\n",  # leading zero
    f"{ORIGIN}\n-1\n{GOOD_ROOT}\n",
    f"{ORIGIN}\n+1\n{GOOD_ROOT}\n",
    f"{ORIGIN}\n１\n{GOOD_ROOT}\n",  # fullwidth digit
    f"{ORIGIN}\n1\n{ROOT64}\n",  # not 32 bytes
    f"{ORIGIN}\n1\n{GOOD_ROOT[:-1]}\n",  # bad padding
    f"{ORIGIN}\n1\n47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU=\n",  # URL-safe alphabet
    f"{ORIGIN}\n1\n{GOOD_ROOT}\n\n",  # empty extension line
    f"{ORIGIN}\n1\n{GOOD_ROOT}",  # no final newline
]


@pytest.mark.parametrize("text", MALFORMED_CHECKPOINTS)
def test_malformed_checkpoints_are_rejected(text: str) -> None:
    with pytest.raises(NoteError):
        Checkpoint.parse(text)


@pytest.mark.parametrize(
    "vkey",
    [
        GO_VKEY.replace("c74f20a3", "c74f20a4"),  # wrong key ID
        GO_VKEY.replace("c74f20a3", "C74F20A3"),  # uppercase hex
        GO_VKEY.replace("+ARpc", "+AhpC"),  # other type byte / key
        "PeterNeumann+c74f20a3",
        "Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        GO_VKEY + "=",
    ],
)
def test_malformed_vkeys_are_rejected(vkey: str) -> None:
    with pytest.raises(NoteError):
        VerifierKey.parse(vkey)
