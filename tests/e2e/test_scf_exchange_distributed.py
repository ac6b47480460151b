"""scf-exchange on the distributed suite (six processes, PostgreSQL, Kafka): a core
enterprise's confirmed payable split to a tier-2 supplier, both pieces financed by
different funders through laborcoin's real ledger in CNY at prices computed from
identity's enterprise rating, settled early by the core enterprise; the repayment
reaches identity's credit wave, and every confirmation and split is anchored in
laborcoin's verifiable log with the digest scf-exchange serves - the split's digest,
recomputed from the payables, verified offline with `ntb verify inclusion --sha256`."""

from __future__ import annotations

import asyncio
import hashlib
import json
import uuid
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import grpc
import pytest
from e2e_suite import DistributedSuite
from google.protobuf import json_format
from typer.testing import CliRunner

from ntb.common.v1 import common_pb2
from ntb.identity.v1 import identity_pb2 as idpb
from ntb.identity.v1 import identity_pb2_grpc
from ntb.laborcoin.v1 import laborcoin_pb2 as lpb
from ntb.laborcoin.v1 import laborcoin_pb2_grpc
from ntb.scf_exchange.v1 import scf_exchange_pb2 as pb
from ntb.scf_exchange.v1 import scf_exchange_pb2_grpc
from ntb_cli.__main__ import app as cli
from ntb_scf_exchange.domain import pricing
from ntb_scf_exchange.domain.money import Money

pytestmark = pytest.mark.asyncio(loop_scope="session")
DEADLINE_S = 20.0


def new_id() -> str:
    return str(uuid.uuid4())


def cny(units: int) -> common_pb2.Money:
    return common_pb2.Money(asset="CNY", units=units)


def pdate(day: date) -> common_pb2.Date:
    return common_pb2.Date(year=day.year, month=day.month, day=day.day)


async def eventually(check, timeout_s: float = DEADLINE_S):  # type: ignore[no-untyped-def]
    deadline = asyncio.get_running_loop().time() + timeout_s
    while True:
        try:
            found = await check()
        except grpc.aio.AioRpcError as error:
            if error.code() not in (grpc.StatusCode.NOT_FOUND,
                                    grpc.StatusCode.FAILED_PRECONDITION):
                raise
            found = None
        if found:
            return found
        assert asyncio.get_running_loop().time() < deadline, "not in time"
        await asyncio.sleep(0.2)


async def test_credit_chain_through_the_real_ledger(suite: DistributedSuite,
                                                   tmp_path: Path) -> None:
    token = await suite.operator_token()
    op = (("authorization", f"Bearer {token}"),)
    async with grpc.aio.insecure_channel(suite.target("identity")) as id_ch, \
            grpc.aio.insecure_channel(suite.target("laborcoin")) as lc_ch, \
            grpc.aio.insecure_channel(suite.target("scf-exchange")) as scf_ch:
        identity = identity_pb2_grpc.IdentityServiceStub(id_ch)
        ledger = laborcoin_pb2_grpc.LaborCoinServiceStub(lc_ch)
        scf = scf_exchange_pb2_grpc.ScfExchangeServiceStub(scf_ch)
        ids = {}
        for name in ("core", "tier1", "tier2", "funder1", "funder2"):
            kind = (idpb.PRINCIPAL_KIND_FINANCIAL_INSTITUTION if name.startswith("funder")
                    else idpb.PRINCIPAL_KIND_ENTERPRISE)
            made = await identity.RegisterPrincipal(idpb.RegisterPrincipalRequest(
                request_id=new_id(), kind=kind, display_name=name,
                country_code="CN", region="CN-GD", industry_code="C36",
                enterprise=idpb.EnterpriseProfile(registration_number=new_id()[:18])),
                metadata=op, timeout=10)
            ids[name] = made.principal.principal_id
            await identity.SetKycStatus(idpb.SetKycStatusRequest(
                request_id=new_id(), principal_id=ids[name],
                kyc_status=idpb.KYC_STATUS_VERIFIED, reason="e2e"), metadata=op, timeout=10)
        wallets = {name: new_id() for name in ids}
        bank = new_id()
        flags = lpb.AccountFlags(debits_must_not_exceed_credits=True)
        await ledger.CreateAccounts(lpb.CreateAccountsRequest(request_id=new_id(), accounts=[
            lpb.Account(account_id=bank, owner_id=f"bank-{bank[:8]}", asset="CNY",
                        kind=lpb.ACCOUNT_KIND_EXTERNAL_SETTLEMENT),
            *[lpb.Account(account_id=wallets[n], owner_id=ids[n], asset="CNY",
                          kind=lpb.ACCOUNT_KIND_WALLET, flags=flags) for n in ids]]),
            metadata=op, timeout=10)
        deposits = {"core": 1_000_000_00, "funder1": 1_000_000_00, "funder2": 1_000_000_00}
        await ledger.CreateTransfers(lpb.CreateTransfersRequest(request_id=new_id(), transfers=[
            lpb.Transfer(transfer_id=new_id(), debit_account_id=bank,
                         credit_account_id=wallets[n], amount=cny(units),
                         code=lpb.TRANSFER_CODE_DEPOSIT) for n, units in deposits.items()]),
            metadata=op, timeout=10)

        alliance = (await scf.CreateAlliance(pb.CreateAllianceRequest(
            request_id=new_id(), name=f"Auto {new_id()[:6]}", scope=pb.ALLIANCE_SCOPE_DOMESTIC,
            chain_type=pb.CHAIN_TYPE_INDUSTRIAL, countries=["CN"]), metadata=op)).alliance
        roles = {"core": pb.MEMBER_ROLE_CORE_ENTERPRISE, "tier1": pb.MEMBER_ROLE_SUPPLIER,
                 "tier2": pb.MEMBER_ROLE_SUPPLIER, "funder1": pb.MEMBER_ROLE_FUNDER,
                 "funder2": pb.MEMBER_ROLE_FUNDER}
        for name, role in roles.items():
            await scf.AddAllianceMember(pb.AddAllianceMemberRequest(
                request_id=new_id(), alliance_id=alliance.alliance_id, member_id=ids[name],
                roles=[role]), metadata=op)
        today = date.today()
        order = (await scf.SubmitPurchaseOrder(pb.SubmitPurchaseOrderRequest(
            request_id=new_id(), buyer_id=ids["core"], seller_id=ids["tier1"],
            alliance_id=alliance.alliance_id, number="PO-1", lines=[pb.OrderLine(
                sku="AX", description="axles", quantity=common_pb2.Decimal(value="100"),
                unit="PCE", unit_price=cny(10_000_00))],
            delivery_date=pdate(today + timedelta(days=10)), payment_terms_days=90),
            metadata=op)).purchase_order
        await scf.RespondToPurchaseOrder(pb.RespondToPurchaseOrderRequest(
            request_id=new_id(), purchase_order_id=order.purchase_order_id, accept=True),
            metadata=op)
        invoice = (await scf.IssueInvoice(pb.IssueInvoiceRequest(
            request_id=new_id(), purchase_order_id=order.purchase_order_id, number="INV-1",
            issue_date=pdate(today), amount=cny(1_000_000_00),
            document=common_pb2.DocumentHash(name="inv.pdf", sha256=bytes(32))),
            metadata=op)).invoice
        root = (await scf.ConfirmPayable(pb.ConfirmPayableRequest(
            request_id=new_id(), invoice_id=invoice.invoice_id), metadata=op)).payable
        split = await scf.TransferPayable(pb.TransferPayableRequest(
            request_id=new_id(), payable_id=root.payable_id, splits=[pb.PayableSplit(
                recipient_id=ids["tier2"], amount=cny(400_000_00))]), metadata=op)
        tier2_piece, tier1_piece = split.children

        rating = (await identity.GetEnterpriseRating(idpb.GetEnterpriseRatingRequest(
            principal_id=ids["core"]), metadata=op)).rating.rating
        rating_name = common_pb2.CreditRating.Name(rating).removeprefix("CREDIT_RATING_")
        funded = {}
        for piece, funder, rate in ((tier1_piece, "funder1", "0.0420"),
                                    (tier2_piece, "funder2", "0.0410")):
            financing = (await scf.RequestFinancing(pb.RequestFinancingRequest(
                request_id=new_id(), product=pb.FINANCING_PRODUCT_REVERSE_FACTORING,
                applicant_id=piece.holder_id, collateral=pb.Collateral(
                    payable_id=piece.payable_id), requested_amount=piece.face),
                metadata=op)).financing
            expected = pricing.quote(Money("CNY", piece.face.units), days=90,
                                     rating=rating_name, history=pricing.SellerHistory())
            assert Decimal(financing.indicative_quote.annual_rate.value) == expected.annual_rate
            await scf.PlaceBid(pb.PlaceBidRequest(
                request_id=new_id(), financing_id=financing.financing_id, funder_id=ids[funder],
                annual_rate=common_pb2.Decimal(value=rate)), metadata=op)
            funded[funder] = (await scf.AcceptBid(pb.AcceptBidRequest(
                request_id=new_id(), financing_id=financing.financing_id), metadata=op)
                              ).financing
        # 600,000 x 0.042 x 90/360 = 6,300; 400,000 x 0.041 x 90/360 = 4,100
        assert [f.discount.units for f in funded.values()] == [6_300_00, 4_100_00]

        async def balances() -> dict[str, int]:
            found = await ledger.GetBalances(lpb.GetBalancesRequest(
                account_ids=[wallets[n] for n in ids]), metadata=op, timeout=10)
            return {n: b.posted.units for n, b in zip(ids, found.balances, strict=True)}

        assert await balances() == {"core": 1_000_000_00, "tier1": 593_700_00,
                                    "tier2": 395_900_00, "funder1": 406_300_00,
                                    "funder2": 604_100_00}
        for financing in funded.values():
            await scf.SettleFinancing(pb.SettleFinancingRequest(
                request_id=new_id(), financing_id=financing.financing_id), metadata=op)
        assert await balances() == {"core": 0, "tier1": 593_700_00, "tier2": 395_900_00,
                                    "funder1": 1_006_300_00, "funder2": 1_004_100_00}

        async def repaid_in_wave() -> bool:
            wave = await identity.GetCreditWave(idpb.GetCreditWaveRequest(
                principal_id=ids["core"]), metadata=op)
            return sum(p.cause == idpb.WAVE_CAUSE_LOAN_REPAID for p in wave.points) == 2

        await eventually(repaid_in_wave)

        for anchor_id, digest in ((root.anchor_id, root.anchor_digest_sha256),
                                  (tier2_piece.anchor_id, tier2_piece.anchor_digest_sha256)):
            async def sealed(anchor_id: str = anchor_id) -> lpb.Anchor | None:
                found = (await ledger.GetAnchor(lpb.GetAnchorRequest(anchor_id=anchor_id),
                                                metadata=op)).anchor
                return found if found.leaf_index >= 0 else None

            anchor = await eventually(sealed)
            assert (anchor.source, anchor.digest_sha256) == ("scf-exchange", digest)

        # offline: the split's digest, recomputed from the payables scf-exchange serves,
        # is in laborcoin's log under its signed tree head (ntb verify, public key only)
        children = [{"holder_id": c.holder_id, "payable_id": c.payable_id,
                     "units": c.face.units} for c in split.children]
        record = {"asset": "CNY", "children": children,
                  "maturity_date": (today + timedelta(days=90)).isoformat(),
                  "obligor_id": ids["core"], "operation": "split",
                  "parent_payable_id": root.payable_id, "root_payable_id": root.payable_id}
        recomputed = hashlib.sha256(json.dumps(record, sort_keys=True,
                                               separators=(",", ":")).encode()).hexdigest()
        proof = await ledger.GetInclusionProof(lpb.GetInclusionProofRequest(
            anchor_id=tier2_piece.anchor_id), metadata=op)
        keys = await ledger.GetLogKeys(lpb.GetLogKeysRequest())
    (tmp_path / "checkpoint").write_text(proof.signed_tree_head.checkpoint)
    (tmp_path / "proof.json").write_text(json_format.MessageToJson(proof.proof))
    arguments = ["verify", "inclusion", "--checkpoint", str(tmp_path / "checkpoint"),
                 "--vkey", keys.keys[0].key_id, "--proof", str(tmp_path / "proof.json"),
                 "--sha256", recomputed]
    assert CliRunner().invoke(cli, arguments).exit_code == 0
    arguments[-1] = hashlib.sha256(b"another record").hexdigest()
    assert CliRunner().invoke(cli, arguments).exit_code == 1
