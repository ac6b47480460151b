"""The API's contract: every bad field reported at once (INVALID_ARGUMENT), a retried
request id returns the first result and changes nothing, the same id with another
body is ALREADY_EXISTS, broken rules are FAILED_PRECONDITION with a reason, and
principals reach only what is theirs."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path

import grpc
import pytest
from scf_api_support import OPERATOR, ScfServer, as_, error_reason, new_id, stub
from scf_fakes import MovableClock
from scf_world import World, cny

from ntb.common.v1 import common_pb2
from ntb.scf_exchange.v1 import scf_exchange_pb2 as pb
from ntb_scf_exchange.service.ports import PrincipalInfo
from ntbkit.testing import violations

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
CORE, SUPPLIER, OTHER = (str(uuid.uuid4()) for _ in range(3))


async def test_contract(tmp_path: Path) -> None:
    scf = ScfServer(f"sqlite+aiosqlite:///{tmp_path / 'scf.db'}", MovableClock(START))
    await scf.start()
    try:
        async with grpc.aio.insecure_channel(scf.target) as channel:
            api = stub(channel)
            with pytest.raises(grpc.aio.AioRpcError) as raised:
                await api.CreateAlliance(pb.CreateAllianceRequest(
                    request_id="nope", name=" ", countries=["XX"]), metadata=OPERATOR)
            assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
            assert set(violations(raised.value)) == {
                "request_id", "name", "scope", "chain_type", "countries[0]"}

            request = pb.CreateAllianceRequest(
                request_id=new_id(), name="Steel", scope=pb.ALLIANCE_SCOPE_DOMESTIC,
                chain_type=pb.CHAIN_TYPE_SECTOR, countries=["CN"])
            first = await api.CreateAlliance(request, metadata=OPERATOR)
            again = await api.CreateAlliance(request, metadata=OPERATOR)
            assert again == first
            listed = await api.ListAlliances(pb.ListAlliancesRequest(), metadata=OPERATOR)
            assert len(listed.alliances) == 1  # the retry made nothing new
            request.name = "Iron"
            with pytest.raises(grpc.aio.AioRpcError) as raised:
                await api.CreateAlliance(request, metadata=OPERATOR)
            assert raised.value.code() == grpc.StatusCode.ALREADY_EXISTS

            with pytest.raises(grpc.aio.AioRpcError) as raised:  # two countries: not domestic
                await api.CreateAlliance(pb.CreateAllianceRequest(
                    request_id=new_id(), name="X", scope=pb.ALLIANCE_SCOPE_DOMESTIC,
                    chain_type=pb.CHAIN_TYPE_SECTOR, countries=["CN", "JP"]), metadata=OPERATOR)
            assert error_reason(raised.value) == "DOMESTIC_NEEDS_ONE_COUNTRY"
            alliance = first.alliance.alliance_id
            with pytest.raises(grpc.aio.AioRpcError) as raised:  # a sub-alliance stays inside
                await api.CreateAlliance(pb.CreateAllianceRequest(
                    request_id=new_id(), name="Kyushu", scope=pb.ALLIANCE_SCOPE_DOMESTIC,
                    chain_type=pb.CHAIN_TYPE_REGIONAL, parent_alliance_id=alliance,
                    countries=["JP"]), metadata=OPERATOR)
            assert error_reason(raised.value) == "OUTSIDE_PARENT_COUNTRIES"
            sub = await api.CreateAlliance(pb.CreateAllianceRequest(
                request_id=new_id(), name="Hebei", scope=pb.ALLIANCE_SCOPE_DOMESTIC,
                chain_type=pb.CHAIN_TYPE_REGIONAL, parent_alliance_id=alliance,
                countries=["CN"]), metadata=OPERATOR)
            children = await api.ListAlliances(pb.ListAlliancesRequest(
                parent_alliance_id=alliance), metadata=OPERATOR)
            assert [a.alliance_id for a in children.alliances] == [sub.alliance.alliance_id]

            world = World(api, START.date())
            person, pending, company = (str(uuid.uuid4()) for _ in range(3))
            scf.directory.principals.update({
                person: PrincipalInfo("PERSON", True), pending: PrincipalInfo("ENTERPRISE", False),
                company: PrincipalInfo("ENTERPRISE", True), OTHER: None})
            for who, role, reason in (
                    (person, pb.MEMBER_ROLE_SUPPLIER, "NOT_AN_ORGANISATION"),
                    (pending, pb.MEMBER_ROLE_SUPPLIER, "KYC_NOT_VERIFIED"),
                    (company, pb.MEMBER_ROLE_FUNDER, "FUNDER_NOT_FINANCIAL_INSTITUTION"),
                    (OTHER, pb.MEMBER_ROLE_SUPPLIER, "PRINCIPAL_UNKNOWN")):
                with pytest.raises(grpc.aio.AioRpcError) as raised:
                    await world.join(alliance, who, role)
                assert error_reason(raised.value) == reason, who
            await world.join(alliance, company, pb.MEMBER_ROLE_SUPPLIER)
            await world.join(alliance, CORE, pb.MEMBER_ROLE_CORE_ENTERPRISE)
            await world.join(alliance, SUPPLIER, pb.MEMBER_ROLE_SUPPLIER)
            invoice = await world.invoice(buyer=CORE, seller=SUPPLIER, alliance_id=alliance,
                                          units=10_000_00)
            with pytest.raises(grpc.aio.AioRpcError) as raised:  # only the buyer confirms
                await api.ConfirmPayable(pb.ConfirmPayableRequest(
                    request_id=new_id(), invoice_id=invoice.invoice_id), metadata=as_(OTHER))
            assert raised.value.code() == grpc.StatusCode.PERMISSION_DENIED
            with pytest.raises(grpc.aio.AioRpcError) as raised:
                await api.GetInvoice(pb.GetInvoiceRequest(invoice_id=invoice.invoice_id),
                                     metadata=as_(OTHER))
            assert raised.value.code() == grpc.StatusCode.PERMISSION_DENIED
            payable = await world.confirm(invoice)
            with pytest.raises(grpc.aio.AioRpcError) as raised:  # confirmed once only
                await world.confirm(invoice)
            assert error_reason(raised.value) == "INVOICE_NOT_ISSUED"
            with pytest.raises(grpc.aio.AioRpcError) as raised:
                await api.TransferPayable(pb.TransferPayableRequest(
                    request_id=new_id(), payable_id=payable.payable_id, splits=[
                        pb.PayableSplit(recipient_id=OTHER, amount=cny(10_000_01))]),
                    metadata=as_(SUPPLIER))
            assert error_reason(raised.value) == "SPLITS_EXCEED_FACE"
            with pytest.raises(grpc.aio.AioRpcError) as raised:
                await api.TransferPayable(pb.TransferPayableRequest(
                    request_id=new_id(), payable_id=payable.payable_id, splits=[
                        pb.PayableSplit(recipient_id=OTHER, amount=cny(0))]),
                    metadata=as_(SUPPLIER))
            assert set(violations(raised.value)) == {"splits[0].amount.units"}
            with pytest.raises(grpc.aio.AioRpcError) as raised:
                await api.PlaceBid(pb.PlaceBidRequest(
                    request_id=new_id(), financing_id=new_id(), funder_id=OTHER,
                    annual_rate=common_pb2.Decimal(value="1e-2")), metadata=as_(OTHER))
            assert set(violations(raised.value)) == {"annual_rate"}
            with pytest.raises(grpc.aio.AioRpcError) as raised:
                await api.GetShipment(pb.GetShipmentRequest(shipment_id=new_id()),
                                      metadata=OPERATOR)
            assert raised.value.code() == grpc.StatusCode.NOT_FOUND
            with pytest.raises(grpc.aio.AioRpcError) as raised:
                await api.GetAlliance(pb.GetAllianceRequest(alliance_id=alliance))
            assert raised.value.code() == grpc.StatusCode.UNAUTHENTICATED
    finally:
        await scf.stop()
