"""The e2e runner of deploy/compose: drives the composed suite the way a bank would and
exits 0 only if every step holds (`docker compose up --exit-code-from e2e`).

Steps: every service reports SERVING; the operator gets a token; a person registered at
identity gets an LBC wallet in laborcoin through Kafka within the deadline; a bad
registration is INVALID_ARGUMENT. Targets come from NTB_E2E_<SERVICE>_TARGET.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
import uuid

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from ntb.identity.v1 import identity_pb2 as idpb
from ntb.identity.v1 import identity_pb2_grpc
from ntb.laborcoin.v1 import laborcoin_pb2 as lcpb
from ntb.laborcoin.v1 import laborcoin_pb2_grpc

SERVICES = ("identity", "laborcoin", "matching", "intangible-bank", "scf-exchange", "fx-model")
START_DEADLINE_S = float(os.environ.get("NTB_E2E_START_DEADLINE_S", "180"))
WALLET_DEADLINE_S = float(os.environ.get("NTB_E2E_WALLET_DEADLINE_S", "10"))


def target(service: str) -> str:
    variable = f"NTB_E2E_{service.upper().replace('-', '_')}_TARGET"
    return os.environ.get(variable, f"{service}:50051")


async def wait_serving(service: str) -> None:
    deadline_s = time.monotonic() + START_DEADLINE_S
    async with grpc.aio.insecure_channel(target(service)) as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        while True:
            try:
                reply = await stub.Check(health_pb2.HealthCheckRequest(), timeout=2)
                if reply.status == health_pb2.HealthCheckResponse.SERVING:
                    print(f"e2e: {service} SERVING", flush=True)
                    return
            except grpc.aio.AioRpcError:
                pass
            if time.monotonic() > deadline_s:
                raise TimeoutError(f"{service} not SERVING after {START_DEADLINE_S}s")
            await asyncio.sleep(1)


def person(name: str) -> idpb.RegisterPrincipalRequest:
    return idpb.RegisterPrincipalRequest(
        request_id=str(uuid.uuid4()), kind=idpb.PRINCIPAL_KIND_PERSON, display_name=name,
        country_code="CN", region="CN-GD", industry_code="C26",
        person=idpb.PersonProfile(birth_year=1990, experience_years=8, education="bachelor",
                                  skills=["python"]),
    )


async def scenario() -> None:
    await asyncio.gather(*(wait_serving(service) for service in SERVICES))
    async with grpc.aio.insecure_channel(target("identity")) as channel:
        identity = identity_pb2_grpc.IdentityServiceStub(channel)
        token = (await identity.IssueToken(idpb.IssueTokenRequest(
            grant_type="client_credentials",
            client_id=os.environ.get("NTB_E2E_CLIENT_ID", "ntb-operator"),
            client_secret=os.environ["NTB_E2E_CLIENT_SECRET"]), timeout=10)).access_token
        metadata = (("authorization", f"Bearer {token}"),)
        registered = await identity.RegisterPrincipal(person("Li Wei"), metadata=metadata,
                                                      timeout=10)
        try:
            await identity.RegisterPrincipal(person("   "), metadata=metadata, timeout=10)
            raise AssertionError("a blank name was accepted")
        except grpc.aio.AioRpcError as error:
            assert error.code() == grpc.StatusCode.INVALID_ARGUMENT, error
    owner = lcpb.AccountOwnerKey(owner_id=registered.principal.principal_id, asset="LBC",
                                 kind=lcpb.ACCOUNT_KIND_WALLET)
    deadline_s = time.monotonic() + WALLET_DEADLINE_S
    async with grpc.aio.insecure_channel(target("laborcoin")) as channel:
        laborcoin = laborcoin_pb2_grpc.LaborCoinServiceStub(channel)
        while True:
            try:
                await laborcoin.GetAccount(lcpb.GetAccountRequest(owner=owner),
                                           metadata=metadata, timeout=5)
                print("e2e: wallet opened through Kafka", flush=True)
                return
            except grpc.aio.AioRpcError as error:
                if error.code() != grpc.StatusCode.NOT_FOUND or time.monotonic() > deadline_s:
                    raise
            await asyncio.sleep(0.2)


def main() -> int:
    try:
        asyncio.run(scenario())
    except Exception as error:  # noqa: BLE001 - the exit code is the result
        print(f"e2e: FAILED: {type(error).__name__}: {error}", file=sys.stderr, flush=True)
        return 1
    print("e2e: passed", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
