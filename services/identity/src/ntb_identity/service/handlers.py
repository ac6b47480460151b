"""identity's use cases: one function per command, each its own transaction."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from typing import Protocol

from ntb_identity.domain import secrets
from ntb_identity.domain.commands import IssueToken, RegisterPrincipal
from ntb_identity.domain.errors import (
    InvalidClientCredentials,
    PrincipalNotFound,
    ScopeNotAllowed,
)
from ntb_identity.domain.events import PrincipalRegistered
from ntb_identity.domain.model import (
    SCOPES,
    ApiClient,
    IssuedToken,
    KycStatus,
    Principal,
    PrincipalKind,
)
from ntb_identity.domain.snapshots import principal_from_bytes, principal_to_bytes
from ntb_identity.service import unit_of_work
from ntb_identity.service.principals import start_waves
from ntb_identity.service.unit_of_work import IdentityUnitOfWork
from ntbkit.auth import ROLE_OPERATOR, ROLE_SERVICE, Caller
from ntbkit.storage.idempotency import run_idempotent

ROLE_BANK = "bank"
NewUnit = unit_of_work.NewUnit


class TokenSigner(Protocol):
    def sign(
        self, client: ApiClient, scopes: frozenset[str], *, issuer: str, audience: str
    ) -> IssuedToken: ...


async def register_principal(
    new_unit: NewUnit, command: RegisterPrincipal, caller: Caller
) -> Principal:
    """Banks and operators register principals; only operators register operators."""
    caller.require_role(ROLE_OPERATOR, ROLE_BANK)
    if command.kind is PrincipalKind.OPERATOR:
        caller.require_role(ROLE_OPERATOR)

    async def perform(unit: IdentityUnitOfWork) -> Principal:
        now = datetime.now(UTC)
        principal = Principal(
            principal_id=str(uuid.uuid4()),
            kind=command.kind,
            display_name=command.display_name,
            country_code=command.country_code,
            region=command.region,
            industry_code=command.industry_code,
            kyc_status=KycStatus.PENDING,
            person=command.person,
            enterprise=command.enterprise,
            created_at=now,
            updated_at=now,
        )
        await unit.principals.add(principal)
        unit.record(
            PrincipalRegistered(
                principal_id=principal.principal_id,
                kind=principal.kind,
                display_name=principal.display_name,
                country_code=principal.country_code,
                region=principal.region,
                industry_code=principal.industry_code,
                registered_at=now,
                person=principal.person,
            )
        )
        await start_waves(unit, principal, command.request_id)
        return principal

    return await run_idempotent(
        new_unit,
        operation="RegisterPrincipal",
        request_id=command.request_id,
        command=command,
        perform=perform,
        encode=principal_to_bytes,
        decode=principal_from_bytes,
    )


async def get_principal(new_unit: NewUnit, principal_id: str, caller: Caller) -> Principal:
    caller.require_access_to(principal_id)
    async with new_unit() as unit:
        principal = await unit.principals.get(principal_id)
    if principal is None:
        raise PrincipalNotFound(principal_id)
    return principal


async def issue_token(
    new_unit: NewUnit, command: IssueToken, signer: TokenSigner, *, issuer: str, audience: str
) -> IssuedToken:
    async with new_unit() as unit:
        client = await unit.clients.get(command.client_id)
    if client is None or not client.active:
        # Spend the hashing time anyway: response time must not reveal unknown ids.
        await asyncio.to_thread(secrets.hash_secret, command.client_secret)
        raise InvalidClientCredentials()
    matches = [
        await asyncio.to_thread(secrets.secret_matches, command.client_secret, stored)
        for stored in client.hashes_accepted(datetime.now(UTC))
    ]
    if not any(matches):
        raise InvalidClientCredentials()
    not_allowed = command.scopes - client.scopes
    if not_allowed:
        raise ScopeNotAllowed(not_allowed)
    return signer.sign(
        client, client.grantable(command.scopes), issuer=issuer, audience=audience
    )


async def ensure_bootstrap_operator(
    new_unit: NewUnit, *, client_id: str, client_secret: str
) -> str:
    """The first operator and its client credentials, from settings (idempotent).

    Operators bootstrap everything else (bank clients, KYC); without this no one
    could obtain the first token.
    """
    return await _ensure_platform_client(new_unit, client_id, client_secret, ROLE_OPERATOR)


async def ensure_service_client(new_unit: NewUnit, *, client_id: str, client_secret: str) -> str:
    """A platform service's own credentials (role service), from settings (idempotent)."""
    return await _ensure_platform_client(new_unit, client_id, client_secret, ROLE_SERVICE)


async def _ensure_platform_client(
    new_unit: NewUnit, client_id: str, client_secret: str, role: str
) -> str:
    principal_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"ntb:{role}:{client_id}"))
    async with new_unit() as unit:
        if await unit.principals.get(principal_id) is None:
            now = datetime.now(UTC)
            platform_principal = Principal(
                principal_id=principal_id, kind=PrincipalKind.OPERATOR,
                display_name=f"{role} {client_id}", country_code="CN", region="CN-BJ",
                industry_code="K64", kyc_status=KycStatus.VERIFIED,
                created_at=now, updated_at=now,
            )
            await unit.principals.add(platform_principal)
        existing = await unit.clients.get(client_id)
        if existing is None or not secrets.secret_matches(client_secret, existing.secret_hash):
            await unit.clients.save(
                ApiClient(
                    client_id=client_id, principal_id=principal_id,
                    secret_hash=secrets.hash_secret(client_secret),
                    roles=frozenset({role}),
                    scopes=SCOPES,
                    created_at=datetime.now(UTC),
                )
            )
        await unit.commit()
    return principal_id


__all__ = [
    "ensure_bootstrap_operator",
    "ensure_service_client",
    "get_principal",
    "issue_token",
    "register_principal",
]
