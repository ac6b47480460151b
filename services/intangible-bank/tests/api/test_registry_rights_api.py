"""The registry and rights confirmation over gRPC: registration with holders and
inventors, the duplicate-number rule per jurisdiction, paging, legal status changes,
and the submitted -> examined -> confirmed | rejected workflow with exclusivity and
expiry. Each rule is broken once and must answer with its reason."""

from __future__ import annotations

from datetime import timedelta

import grpc
import pytest
from bank_flows import confirm_right, day, dec, document, patent_request, register, stamp
from bank_support import EXAMINER, Bank, bearer, refused, rid

from ntb.common.v1 import common_pb2
from ntb.intangible_bank.v1 import intangible_bank_pb2 as pb
from ntbkit.testing import violations

pytestmark = pytest.mark.asyncio


async def test_registration_keeps_holders_inventors_dates_and_is_idempotent(bank: Bank) -> None:
    holder, partner = await bank.principal("ENTERPRISE"), await bank.principal("ENTERPRISE")
    request = patent_request([(holder, "0.6"), (partner, "0.4")], today=bank.clock().date(),
                             number="CN202310000001.X", creators=[
                                 pb.Creator(name="Alice", labor_hours=dec("1200.5"))])
    first = (await bank.bank.RegisterAsset(request, metadata=bearer(holder))).asset
    again = (await bank.bank.RegisterAsset(request, metadata=bearer(holder))).asset
    assert first == again and first.version == 1
    assert [(h.principal_id, h.share.value) for h in first.holders] == [
        (holder, "0.6"), (partner, "0.4")]
    assert first.creators[0].labor_hours.value == "1200.5"
    assert first.legal_status == pb.LEGAL_STATUS_IN_FORCE and first.expiry_date.year > 2040
    request.title = "another body, same request id"
    with pytest.raises(grpc.aio.AioRpcError) as reused:
        await bank.bank.RegisterAsset(request, metadata=bearer(holder))
    assert reused.value.code() == grpc.StatusCode.ALREADY_EXISTS


async def test_a_registration_number_is_unique_per_jurisdiction(bank: Bank) -> None:
    holder = await bank.principal("ENTERPRISE")
    await register(bank, holder, "2023/0042")
    with pytest.raises(grpc.aio.AioRpcError) as taken:
        await register(bank, holder, "2023/0042")
    assert taken.value.code() == grpc.StatusCode.ALREADY_EXISTS
    assert "already registered" in (taken.value.details() or "")
    other = await register(bank, holder, "2023/0042", jurisdiction="EP")
    assert other.jurisdiction == "EP"


async def test_bad_registration_lists_every_bad_field(bank: Bank) -> None:
    holder = await bank.principal("ENTERPRISE")
    request = patent_request([(holder, "0.5")], today=bank.clock().date(), number="")
    request.jurisdiction, request.kind = "XX", 0
    with pytest.raises(grpc.aio.AioRpcError) as bad:
        await bank.bank.RegisterAsset(request, metadata=bearer(holder))
    assert bad.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert {"holders", "jurisdiction", "kind", "registration_number"} <= set(
        violations(bad.value))


async def test_registration_rules(bank: Bank) -> None:
    holder = await bank.principal("ENTERPRISE")
    today = bank.clock().date()
    lapsed = patent_request([(holder, "1")], today=today, number="R-1")
    lapsed.legal_status = pb.LEGAL_STATUS_LAPSED
    await refused(bank.bank.RegisterAsset(lapsed, metadata=bearer(holder)),
                  "INITIAL_STATUS_INVALID")
    ungranted = patent_request([(holder, "1")], today=today, number="R-2")
    ungranted.ClearField("grant_date")
    await refused(bank.bank.RegisterAsset(ungranted, metadata=bearer(holder)),
                  "GRANT_DATE_MISSING")
    stranger = patent_request([(holder, "1")], today=today, number="R-3")
    with pytest.raises(grpc.aio.AioRpcError) as denied:
        await bank.bank.RegisterAsset(stranger, metadata=bearer("someone-else"))
    assert denied.value.code() == grpc.StatusCode.PERMISSION_DENIED


async def test_list_assets_pages_and_filters(bank: Bank) -> None:
    holder, other = await bank.principal("ENTERPRISE"), await bank.principal("ENTERPRISE")
    for number in range(5):
        await register(bank, holder, f"P-{number}")
    await register(bank, other, "P-other", kind=pb.ASSET_KIND_TRADEMARK, codes=("9",))
    seen, token = [], ""
    while True:
        page = await bank.bank.ListAssets(pb.ListAssetsRequest(
            holder_id=holder, page=common_pb2.PageRequest(page_size=2, page_token=token)),
            metadata=bearer(holder))
        seen += [a.registration_number for a in page.assets]
        token = page.page.next_page_token
        if not token:
            break
    assert sorted(seen) == [f"P-{n}" for n in range(5)]
    marks = await bank.bank.ListAssets(pb.ListAssetsRequest(kind=pb.ASSET_KIND_TRADEMARK),
                                       metadata=bearer(holder))
    assert [a.registration_number for a in marks.assets] == ["P-other"]
    by_class = await bank.bank.ListAssets(pb.ListAssetsRequest(
        classification_prefix="H01M"), metadata=bearer(holder))
    assert len(by_class.assets) == 5
    with pytest.raises(grpc.aio.AioRpcError) as replayed:
        await bank.bank.ListAssets(pb.ListAssetsRequest(holder_id=other, page=common_pb2.
                                   PageRequest(page_size=2, page_token=page_token_of(seen))),
                                   metadata=bearer(holder))
    assert replayed.value.code() == grpc.StatusCode.INVALID_ARGUMENT


def page_token_of(_: object) -> str:
    from ntbkit.paging import encode_token
    return encode_token(2, "filters of another query")


async def test_legal_status_changes_and_its_rules(bank: Bank) -> None:
    holder = await bank.principal("ENTERPRISE")
    asset = await register(bank, holder, "S-1")
    change = pb.UpdateLegalStatusRequest(request_id=rid(), asset_id=asset.asset_id,
                                         legal_status=pb.LEGAL_STATUS_IN_FORCE, reason="x")
    await refused(bank.bank.UpdateLegalStatus(change, metadata=bearer(holder)),
                  "LEGAL_STATUS_UNCHANGED")
    change.request_id, change.legal_status = rid(), pb.LEGAL_STATUS_LAPSED
    change.expiry_date.CopyFrom(day(bank.clock().date() - timedelta(days=3000)))
    await refused(bank.bank.UpdateLegalStatus(change, metadata=bearer(holder)),
                  "EXPIRY_BEFORE_FILING")
    change.request_id = rid()
    change.ClearField("expiry_date")
    lapsed = (await bank.bank.UpdateLegalStatus(change, metadata=bearer(holder))).asset
    assert lapsed.legal_status == pb.LEGAL_STATUS_LAPSED and lapsed.version == 2


async def test_only_operators_transfer_and_never_a_pledged_asset(bank: Bank) -> None:
    holder, heir = await bank.principal("ENTERPRISE"), await bank.principal("ENTERPRISE")
    asset = await register(bank, holder, "T-1")
    transfer = pb.TransferAssetRequest(
        request_id=rid(), asset_id=asset.asset_id, reason="merger",
        holders=[pb.AssetHolder(principal_id=heir, share=dec("1"))])
    with pytest.raises(grpc.aio.AioRpcError) as denied:
        await bank.bank.TransferAsset(transfer, metadata=bearer(holder))
    assert denied.value.code() == grpc.StatusCode.PERMISSION_DENIED
    moved = (await bank.bank.TransferAsset(transfer, metadata=EXAMINER)).asset
    assert [h.principal_id for h in moved.holders] == [heir]


def submit(asset_id: str, holder: str, kind: int, *, exclusive: bool = False,
           territories: tuple[str, ...] = (), end_days: int | None = None,
           now: object = None) -> pb.SubmitRightsConfirmationRequest:
    request = pb.SubmitRightsConfirmationRequest(
        request_id=rid(), asset_id=asset_id, right_kind=kind, holder_id=holder,
        scope="use in vehicles", territories=list(territories), exclusive=exclusive,
        evidence=[document("licence deed")])
    if end_days is not None:
        from datetime import datetime
        assert isinstance(now, datetime)
        request.term.start_time.CopyFrom(stamp(now))
        request.term.end_time.CopyFrom(stamp(now + timedelta(days=end_days)))
    return request


async def test_workflow_order_and_examiner_role(bank: Bank) -> None:
    holder = await bank.principal("ENTERPRISE")
    asset = await register(bank, holder, "W-1")
    submitted = (await bank.bank.SubmitRightsConfirmation(
        submit(asset.asset_id, holder, pb.RIGHT_KIND_OWNERSHIP), metadata=bearer(holder))
    ).confirmation
    assert submitted.status == pb.CONFIRMATION_STATUS_SUBMITTED
    assert len(submitted.evidence[0].sha256) == 32
    decide = pb.DecideRightsConfirmationRequest(
        request_id=rid(), confirmation_id=submitted.confirmation_id, confirm=True)
    await refused(bank.bank.DecideRightsConfirmation(decide, metadata=EXAMINER),
                  "CONFIRMATION_NOT_EXAMINED")
    examine = pb.ExamineRightsConfirmationRequest(
        request_id=rid(), confirmation_id=submitted.confirmation_id, examination_notes="ok")
    with pytest.raises(grpc.aio.AioRpcError) as denied:
        await bank.bank.ExamineRightsConfirmation(examine, metadata=bearer(holder))
    assert denied.value.code() == grpc.StatusCode.PERMISSION_DENIED
    await bank.bank.ExamineRightsConfirmation(examine, metadata=EXAMINER)
    examine.request_id = rid()
    await refused(bank.bank.ExamineRightsConfirmation(examine, metadata=EXAMINER),
                  "CONFIRMATION_NOT_SUBMITTED")
    reject = pb.DecideRightsConfirmationRequest(
        request_id=rid(), confirmation_id=submitted.confirmation_id, confirm=False)
    with pytest.raises(grpc.aio.AioRpcError) as no_reason:
        await bank.bank.DecideRightsConfirmation(reject, metadata=EXAMINER)
    assert set(violations(no_reason.value)) == {"reason"}
    reject.reason = "the deed is not signed"
    rejected = (await bank.bank.DecideRightsConfirmation(reject, metadata=EXAMINER)
                ).confirmation
    assert rejected.status == pb.CONFIRMATION_STATUS_REJECTED
    assert rejected.examiner_id == "examiner-1"


async def test_submission_rules(bank: Bank) -> None:
    holder, stranger = await bank.principal("ENTERPRISE"), await bank.principal("ENTERPRISE")
    asset = await register(bank, holder, "W-2", years=3)
    await refused(bank.bank.SubmitRightsConfirmation(
        submit(asset.asset_id, stranger, pb.RIGHT_KIND_OWNERSHIP), metadata=bearer(holder)),
        "OWNERSHIP_HOLDER_NOT_A_HOLDER")
    await refused(bank.bank.SubmitRightsConfirmation(
        submit(asset.asset_id, stranger, pb.RIGHT_KIND_USAGE, end_days=3650,
               now=bank.clock()), metadata=bearer(holder)), "TERM_OUTSIDE_PROTECTION")
    dead = pb.UpdateLegalStatusRequest(request_id=rid(), asset_id=asset.asset_id,
                                       legal_status=pb.LEGAL_STATUS_INVALIDATED,
                                       reason="prior art")
    await bank.bank.UpdateLegalStatus(dead, metadata=bearer(holder))
    await refused(bank.bank.SubmitRightsConfirmation(
        submit(asset.asset_id, holder, pb.RIGHT_KIND_USAGE), metadata=bearer(holder)),
        "ASSET_NOT_PROTECTED")


async def test_no_right_is_granted_twice_beyond_its_exclusivity(bank: Bank) -> None:
    holder, a, b = [await bank.principal("ENTERPRISE") for _ in range(3)]
    asset = await register(bank, holder, "X-1")
    await confirm_right(bank, asset.asset_id, a, pb.RIGHT_KIND_USAGE, exclusive=True,
                        caller=holder)
    await refused(bank.bank.SubmitRightsConfirmation(submit(
        asset.asset_id, b, pb.RIGHT_KIND_USAGE), metadata=bearer(holder)),
        "RIGHT_ALREADY_GRANTED")
    # Ownership: one confirmed right per holder.
    await confirm_right(bank, asset.asset_id, holder, pb.RIGHT_KIND_OWNERSHIP)
    await refused(bank.bank.SubmitRightsConfirmation(submit(
        asset.asset_id, holder, pb.RIGHT_KIND_OWNERSHIP), metadata=bearer(holder)),
        "RIGHT_ALREADY_GRANTED")
    # Two non-exclusive collection rights coexist; an exclusive one then cannot be added.
    await confirm_right(bank, asset.asset_id, a, pb.RIGHT_KIND_COLLECTION, caller=holder)
    await confirm_right(bank, asset.asset_id, b, pb.RIGHT_KIND_COLLECTION, caller=holder)
    await refused(bank.bank.SubmitRightsConfirmation(submit(
        asset.asset_id, b, pb.RIGHT_KIND_COLLECTION, exclusive=True),
        metadata=bearer(holder)), "RIGHT_ALREADY_GRANTED")


async def test_exclusivity_is_checked_again_at_the_decision(bank: Bank) -> None:
    holder, a, b = [await bank.principal("ENTERPRISE") for _ in range(3)]
    asset = await register(bank, holder, "X-2")
    ids = []
    for licensee in (a, b):
        submitted = await bank.bank.SubmitRightsConfirmation(submit(
            asset.asset_id, licensee, pb.RIGHT_KIND_OPERATION, exclusive=True,
            territories=("CN",)), metadata=bearer(holder))
        ids.append(submitted.confirmation.confirmation_id)
        await bank.bank.ExamineRightsConfirmation(pb.ExamineRightsConfirmationRequest(
            request_id=rid(), confirmation_id=ids[-1], examination_notes="ok"),
            metadata=EXAMINER)
    await bank.bank.DecideRightsConfirmation(pb.DecideRightsConfirmationRequest(
        request_id=rid(), confirmation_id=ids[0], confirm=True), metadata=EXAMINER)
    await refused(bank.bank.DecideRightsConfirmation(pb.DecideRightsConfirmationRequest(
        request_id=rid(), confirmation_id=ids[1], confirm=True), metadata=EXAMINER),
        "RIGHT_ALREADY_GRANTED")


async def test_a_right_expires_with_its_term_and_frees_its_exclusivity(bank: Bank) -> None:
    holder, a, b = [await bank.principal("ENTERPRISE") for _ in range(3)]
    asset = await register(bank, holder, "E-1")
    request = submit(asset.asset_id, a, pb.RIGHT_KIND_USAGE, exclusive=True, end_days=30,
                     now=bank.clock())
    submitted = (await bank.bank.SubmitRightsConfirmation(request, metadata=bearer(holder))
                 ).confirmation
    await bank.bank.ExamineRightsConfirmation(pb.ExamineRightsConfirmationRequest(
        request_id=rid(), confirmation_id=submitted.confirmation_id, examination_notes="ok"),
        metadata=EXAMINER)
    await bank.bank.DecideRightsConfirmation(pb.DecideRightsConfirmationRequest(
        request_id=rid(), confirmation_id=submitted.confirmation_id, confirm=True),
        metadata=EXAMINER)
    bank.clock.advance(31)
    read = (await bank.bank.GetRightsConfirmation(pb.GetRightsConfirmationRequest(
        confirmation_id=submitted.confirmation_id), metadata=bearer(holder))).confirmation
    assert read.status == pb.CONFIRMATION_STATUS_EXPIRED
    again = await confirm_right(bank, asset.asset_id, b, pb.RIGHT_KIND_USAGE, exclusive=True,
                                caller=holder)
    assert again.status == pb.CONFIRMATION_STATUS_CONFIRMED
    listed = await bank.bank.ListRightsConfirmations(pb.ListRightsConfirmationsRequest(
        asset_id=asset.asset_id, status=pb.CONFIRMATION_STATUS_EXPIRED), metadata=EXAMINER)
    assert [c.confirmation_id for c in listed.confirmations] == [submitted.confirmation_id]
