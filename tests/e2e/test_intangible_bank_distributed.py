"""intangible-bank and the Internet Patent Bank as two processes of the distributed suite
(PostgreSQL, Kafka): identity's registrations reach intangible-bank's projection over
Kafka, a holder registers a patent and has its ownership confirmed by an operator on the
intangible-bank process, lists it for licence on the patent-bank process (same schema),
and every gene map entry is sealed by laborcoin from the anchor topic and proven offline
with `ntb verify inclusion --sha256`."""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import grpc
import pytest
from e2e_suite import DistributedSuite
from google.protobuf import json_format
from google.protobuf.timestamp_pb2 import Timestamp
from typer.testing import CliRunner

from ntb.common.v1 import common_pb2
from ntb.identity.v1 import identity_pb2 as idpb
from ntb.identity.v1 import identity_pb2_grpc
from ntb.intangible_bank.v1 import intangible_bank_pb2 as pb
from ntb.intangible_bank.v1 import intangible_bank_pb2_grpc
from ntb.laborcoin.v1 import laborcoin_pb2 as lcpb
from ntb.laborcoin.v1 import laborcoin_pb2_grpc
from ntb_cli.__main__ import app as cli

pytestmark = pytest.mark.asyncio(loop_scope="session")


def auth(token: str) -> tuple[tuple[str, str], ...]:
    return (("authorization", f"Bearer {token}"),)


def stamp(at: datetime) -> Timestamp:
    out = Timestamp()
    out.FromDatetime(at)
    return out


async def enterprise_with_token(suite: DistributedSuite, operator: str) -> tuple[str, str]:
    async with grpc.aio.insecure_channel(suite.target("identity")) as channel:
        stub = identity_pb2_grpc.IdentityServiceStub(channel)
        registered = await stub.RegisterPrincipal(idpb.RegisterPrincipalRequest(
            request_id=str(uuid.uuid4()), kind=idpb.PRINCIPAL_KIND_ENTERPRISE,
            display_name="Cell Works", country_code="CN", region="CN-SH", industry_code="C27",
            enterprise=idpb.EnterpriseProfile(registration_number="91310000CELL27")),
            metadata=auth(operator), timeout=10)
        principal_id = registered.principal.principal_id
        client = await stub.CreateApiClient(idpb.CreateApiClientRequest(
            request_id=str(uuid.uuid4()), principal_id=principal_id, display_name="ip desk",
            scopes=["intangible_bank.write"]),
            metadata=auth(operator), timeout=10)
        token = await stub.IssueToken(idpb.IssueTokenRequest(
            grant_type="client_credentials", client_id=client.api_client.client_id,
            client_secret=client.client_secret), timeout=10)
    return principal_id, token.access_token


async def test_patent_registered_confirmed_listed_and_its_history_proven(
    suite: DistributedSuite, tmp_path: Path
) -> None:
    operator = await suite.operator_token()
    holder, token = await enterprise_with_token(suite, operator)
    today = datetime.now(UTC).date()
    filing = today - timedelta(days=400)
    async with grpc.aio.insecure_channel(suite.target("intangible-bank")) as channel, \
            grpc.aio.insecure_channel(suite.target("patent-bank")) as wing_channel:
        bank = intangible_bank_pb2_grpc.IntangibleBankServiceStub(channel)
        patents = intangible_bank_pb2_grpc.PatentBankServiceStub(wing_channel)
        # identity's PrincipalRegistered arrives through Kafka; a fresh consumer group reads
        # the shared broker's topics from the start, which may take a while.
        for _ in range(1200):
            try:
                await bank.InvestigateHolderCredit(pb.InvestigateHolderCreditRequest(
                    principal_id=holder), metadata=auth(operator), timeout=10)
                break
            except grpc.aio.AioRpcError as error:
                assert error.code() == grpc.StatusCode.NOT_FOUND
                await asyncio.sleep(0.1)
        asset = (await bank.RegisterAsset(pb.RegisterAssetRequest(
            request_id=str(uuid.uuid4()), kind=pb.ASSET_KIND_PATENT_INVENTION,
            title="Sulfide electrolyte", jurisdiction="CN",
            registration_number=f"CN{uuid.uuid4().hex[:10]}",
            holders=[pb.AssetHolder(principal_id=holder, share=common_pb2.Decimal(value="1"))],
            filing_date=common_pb2.Date(year=filing.year, month=filing.month, day=filing.day),
            grant_date=common_pb2.Date(year=today.year, month=today.month, day=today.day),
            expiry_date=common_pb2.Date(year=filing.year + 20, month=filing.month,
                                        day=min(filing.day, 28)),
            legal_status=pb.LEGAL_STATUS_IN_FORCE), metadata=auth(token), timeout=10)).asset
        submitted = (await bank.SubmitRightsConfirmation(pb.SubmitRightsConfirmationRequest(
            request_id=str(uuid.uuid4()), asset_id=asset.asset_id,
            right_kind=pb.RIGHT_KIND_OWNERSHIP, holder_id=holder, scope="all",
            evidence=[common_pb2.DocumentHash(sha256=hashlib.sha256(b"deed").digest())]),
            metadata=auth(token), timeout=10)).confirmation
        await bank.ExamineRightsConfirmation(pb.ExamineRightsConfirmationRequest(
            request_id=str(uuid.uuid4()), confirmation_id=submitted.confirmation_id,
            examination_notes="registry extract matches"), metadata=auth(operator), timeout=10)
        await bank.DecideRightsConfirmation(pb.DecideRightsConfirmationRequest(
            request_id=str(uuid.uuid4()), confirmation_id=submitted.confirmation_id,
            confirm=True), metadata=auth(operator), timeout=10)
        now = datetime.now(UTC)
        listed = (await patents.CreateListing(pb.CreateListingRequest(
            request_id=str(uuid.uuid4()), asset_id=asset.asset_id, seller_id=holder,
            kind=pb.LISTING_KIND_NON_EXCLUSIVE_LICENSE, asking_terms=pb.DealTerms(
                upfront_amount=common_pb2.Money(asset="CNY", units=100_000),
                royalty_rate=common_pb2.Decimal(value="0.03"),
                term=common_pb2.TimeRange(start_time=stamp(now),
                                          end_time=stamp(now + timedelta(days=365))))),
            metadata=auth(token), timeout=10)).listing
        assert listed.status == pb.LISTING_STATUS_OPEN
        entries = (await bank.GetGeneMap(pb.GetGeneMapRequest(asset_id=asset.asset_id),
                                         metadata=auth(token), timeout=10)).entries
    assert [pb.GeneEventKind.Name(e.kind) for e in entries] == [
        "GENE_EVENT_KIND_CREATED", "GENE_EVENT_KIND_RIGHTS_SUBMITTED",
        "GENE_EVENT_KIND_RIGHTS_CONFIRMED", "GENE_EVENT_KIND_LISTED"]
    async with grpc.aio.insecure_channel(suite.target("laborcoin")) as channel:
        log = laborcoin_pb2_grpc.LaborCoinServiceStub(channel)
        vkey = (await log.GetLogKeys(lcpb.GetLogKeysRequest(), timeout=10)).keys[0].key_id
        for entry in entries:
            proof = None
            for _ in range(300):  # anchor topic -> laborcoin's inbox -> sealed, checkpointed
                try:
                    anchor = await log.GetAnchor(lcpb.GetAnchorRequest(
                        anchor_id=entry.anchor_id), metadata=auth(operator), timeout=10)
                    if anchor.anchor.leaf_index >= 0:
                        proof = await log.GetInclusionProof(lcpb.GetInclusionProofRequest(
                            anchor_id=entry.anchor_id), metadata=auth(operator), timeout=10)
                        break
                except grpc.aio.AioRpcError as error:
                    assert error.code() in (grpc.StatusCode.NOT_FOUND,
                                            grpc.StatusCode.FAILED_PRECONDITION)
                await asyncio.sleep(0.1)
            assert proof is not None, f"gene entry {entry.sequence} was never sealed"
            (tmp_path / "checkpoint.txt").write_text(proof.signed_tree_head.checkpoint)
            (tmp_path / "proof.json").write_text(json_format.MessageToJson(proof.proof))
            verified = CliRunner().invoke(cli, [
                "verify", "inclusion", "--checkpoint", str(tmp_path / "checkpoint.txt"),
                "--vkey", vkey, "--proof", str(tmp_path / "proof.json"),
                "--sha256", entry.entry_sha256.hex()])
            assert verified.exit_code == 0, verified.output
