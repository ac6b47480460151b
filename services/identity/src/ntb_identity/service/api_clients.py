"""Client credentials: create, list, rotate with a grace period, revoke.

Secrets are returned once and stored only as scrypt hashes. A retried create or
rotate returns the same secret: the idempotency record keeps the response sealed
(Fernet, the key-encryption key) and never in clear.
"""

from __future__ import annotations

import asyncio
import base64
import json
import secrets as random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from ntb_identity.domain import secrets
from ntb_identity.domain.commands import CreateApiClient, RevokeApiClient, RotateApiClientSecret
from ntb_identity.domain.errors import ApiClientNotFound, ApiClientRevoked, PrincipalNotFound
from ntb_identity.domain.model import ApiClient
from ntb_identity.service.unit_of_work import IdentityUnitOfWork, NewUnit
from ntbkit.auth import ROLE_OPERATOR, Caller
from ntbkit.storage.idempotency import run_idempotent

Seal = Callable[[bytes], bytes]


@dataclass(frozen=True)
class Sealer:
    seal: Seal
    unseal: Seal


@dataclass(frozen=True)
class ClientWithSecret:
    client: ApiClient
    secret: str  # "" when the response carries no secret


def new_client_id() -> str:
    return "ntbc_" + base64.b32encode(random.token_bytes(16)).decode().rstrip("=").lower()


def _to_json(result: ClientWithSecret) -> bytes:
    c = result.client
    moments = {name: None if getattr(c, name) is None else getattr(c, name).isoformat()
               for name in ("created_at", "revoked_at", "secret_issued_at",
                            "previous_secret_expires_at")}
    return json.dumps({
        "client_id": c.client_id, "principal_id": c.principal_id,
        "display_name": c.display_name, "roles": sorted(c.roles), "scopes": sorted(c.scopes),
        "secret": result.secret, **moments,
    }).encode()


def _from_json(stored: bytes) -> ClientWithSecret:
    data = json.loads(stored)

    def moment(name: str) -> datetime | None:
        return None if data[name] is None else datetime.fromisoformat(data[name])

    created_at = moment("created_at")
    assert created_at is not None
    client = ApiClient(
        client_id=data["client_id"], principal_id=data["principal_id"], secret_hash="",
        roles=frozenset(data["roles"]), scopes=frozenset(data["scopes"]),
        created_at=created_at, revoked_at=moment("revoked_at"),
        display_name=data["display_name"], secret_issued_at=moment("secret_issued_at"),
        previous_secret_expires_at=moment("previous_secret_expires_at"),
    )
    return ClientWithSecret(client, data["secret"])


async def _idempotent(
    new_unit: NewUnit, sealer: Sealer, operation: str, request_id: str, command: object,
    perform: Callable[[IdentityUnitOfWork], Awaitable[ClientWithSecret]],
) -> ClientWithSecret:
    return await run_idempotent(
        new_unit, operation=operation, request_id=request_id, command=command,
        perform=perform,
        encode=lambda result: sealer.seal(_to_json(result)),
        decode=lambda stored: _from_json(sealer.unseal(stored)),
    )


async def create_api_client(
    new_unit: NewUnit, sealer: Sealer, command: CreateApiClient, caller: Caller
) -> ClientWithSecret:
    caller.require_may_act_for(command.principal_id)
    if command.roles or caller.subject != command.principal_id:
        caller.require_role(ROLE_OPERATOR)
    secret = secrets.new_secret()
    secret_hash = await asyncio.to_thread(secrets.hash_secret, secret)

    async def perform(unit: IdentityUnitOfWork) -> ClientWithSecret:
        if await unit.principals.get(command.principal_id) is None:
            raise PrincipalNotFound(command.principal_id)
        now = datetime.now(UTC)
        client = ApiClient(
            client_id=new_client_id(), principal_id=command.principal_id,
            secret_hash=secret_hash, roles=command.roles, scopes=command.scopes,
            created_at=now, display_name=command.display_name, secret_issued_at=now,
        )
        await unit.clients.save(client)
        return ClientWithSecret(client, secret)

    return await _idempotent(new_unit, sealer, "CreateApiClient", command.request_id, command,
                             perform)


async def _client_of(unit: IdentityUnitOfWork, client_id: str, caller: Caller) -> ApiClient:
    client = await unit.clients.get(client_id)
    if client is None:
        raise ApiClientNotFound(client_id)
    caller.require_may_act_for(client.principal_id)
    if caller.subject != client.principal_id:
        caller.require_role(ROLE_OPERATOR)
    return client


async def rotate_secret(
    new_unit: NewUnit, sealer: Sealer, command: RotateApiClientSecret, caller: Caller
) -> ClientWithSecret:
    secret = secrets.new_secret()
    secret_hash = await asyncio.to_thread(secrets.hash_secret, secret)

    async def perform(unit: IdentityUnitOfWork) -> ClientWithSecret:
        client = await _client_of(unit, command.client_id, caller)
        if not client.active:
            raise ApiClientRevoked(client.client_id)
        now = datetime.now(UTC)
        grace = command.grace_period_s
        rotated = replace(
            client, secret_hash=secret_hash, secret_issued_at=now,
            previous_secret_hash=client.secret_hash if grace > 0 else None,
            previous_secret_expires_at=now + timedelta(seconds=grace) if grace > 0 else None,
        )
        await unit.clients.save(rotated)
        return ClientWithSecret(rotated, secret)

    return await _idempotent(new_unit, sealer, "RotateApiClientSecret", command.request_id,
                             command, perform)


async def revoke(
    new_unit: NewUnit, sealer: Sealer, command: RevokeApiClient, caller: Caller
) -> ClientWithSecret:
    async def perform(unit: IdentityUnitOfWork) -> ClientWithSecret:
        client = await _client_of(unit, command.client_id, caller)
        if client.active:
            client = replace(client, revoked_at=datetime.now(UTC), previous_secret_hash=None,
                             previous_secret_expires_at=None)
            await unit.clients.save(client)
        return ClientWithSecret(client, "")

    return await _idempotent(new_unit, sealer, "RevokeApiClient", command.request_id, command,
                             perform)


@dataclass(frozen=True)
class ClientListing:
    principal_id: str
    include_revoked: bool
    after: tuple[datetime, str] | None  # (created_at, client_id) of the last one seen
    page_size: int


async def list_clients(
    new_unit: NewUnit, listing: ClientListing, caller: Caller
) -> tuple[list[ApiClient], bool]:
    """A page of a principal's clients (never their secrets) and whether more follow."""
    caller.require_access_to(listing.principal_id)
    async with new_unit() as unit:
        found = await unit.clients.of(listing.principal_id,
                                      include_revoked=listing.include_revoked,
                                      after=listing.after, limit=listing.page_size + 1)
    return found[: listing.page_size], len(found) > listing.page_size
