"""TokenVerifier accepts only EdDSA tokens signed by a published key, unexpired, with
our issuer and audience; every other token is UNAUTHENTICATED and yields no caller.
Keys and tokens are real Ed25519/JWT; the key source is an in-memory mapping."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ntbkit.auth import Caller, TokenVerifier
from ntbkit.errors import PermissionDenied, Unauthenticated

KEY = Ed25519PrivateKey.generate()
OTHER_KEY = Ed25519PrivateKey.generate()


async def _keys() -> dict[str, Any]:
    return {"k1": KEY.public_key()}


def _token(key: Ed25519PrivateKey = KEY, kid: str = "k1", **overrides: Any) -> str:
    now = datetime.now(UTC)
    claims = {"iss": "ntb-identity", "aud": "ntb", "sub": "p-1", "roles": ["bank"],
              "scope": "principals:write", "iat": now, "exp": now + timedelta(minutes=5)}
    claims.update(overrides)
    return jwt.encode(claims, key, algorithm="EdDSA", headers={"kid": kid})


def verifier() -> TokenVerifier:
    return TokenVerifier(_keys, issuer="ntb-identity", audience="ntb")


async def test_valid_token_gives_the_caller() -> None:
    caller = await verifier().verify(_token())
    assert caller == Caller("p-1", frozenset({"bank"}), frozenset({"principals:write"}))


@pytest.mark.parametrize(
    "token",
    [
        _token(exp=datetime.now(UTC) - timedelta(minutes=5)),  # expired
        _token(key=OTHER_KEY),  # signed by a key identity never published
        _token(kid="k-unknown"),  # unknown key id
        _token(aud="someone-else"),
        _token(iss="mallory"),
        "not-a-jwt",
    ],
    ids=["expired", "other-key", "unknown-kid", "audience", "issuer", "garbage"],
)
async def test_bad_tokens_are_unauthenticated(token: str) -> None:
    with pytest.raises(Unauthenticated):
        await verifier().verify(token)


async def test_tampered_claims_are_unauthenticated() -> None:
    header, payload, signature = _token().split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["roles"] = ["operator"]
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    with pytest.raises(Unauthenticated):
        await verifier().verify(f"{header}.{forged}.{signature}")


def test_callers_reach_only_their_own_resources_unless_privileged() -> None:
    bank = Caller("p-1", frozenset({"bank"}), frozenset())
    bank.require_access_to("p-1")
    with pytest.raises(PermissionDenied):
        bank.require_access_to("p-2")
    Caller("op", frozenset({"operator"}), frozenset()).require_access_to("p-2")
    Caller("au", frozenset({"auditor"}), frozenset()).require_access_to("p-2")


async def test_a_verified_token_is_remembered_until_it_expires(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    checker = verifier()
    token = _token(exp=datetime.now(UTC) + timedelta(seconds=60))
    first = await checker.verify(token)
    decoded: list[str] = []

    def decode(*args: Any, **kwargs: Any) -> Any:
        decoded.append(args[0])
        raise jwt.ExpiredSignatureError("expired")  # what the real clock will say by then

    monkeypatch.setattr("ntbkit.auth.jwt.decode", decode)
    assert await checker.verify(token) == first  # from the cache: no second decode
    assert decoded == []
    later = datetime.now(UTC).timestamp() + 60 + 31  # past exp and the clock-skew leeway
    monkeypatch.setattr("ntbkit.auth.time.time", lambda: later)
    with pytest.raises(Unauthenticated):
        await checker.verify(token)  # an expired entry is checked again, never served
    assert decoded == [token]
