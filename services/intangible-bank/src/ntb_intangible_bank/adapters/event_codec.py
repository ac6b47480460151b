"""Domain events -> ntb.events.v1 payloads and their topics (keyed by aggregate id)."""

from __future__ import annotations

from collections.abc import Callable

from google.protobuf.message import Message

from ntb.common.v1 import common_pb2
from ntb.events.v1 import anchor_events_pb2 as anchors
from ntb.events.v1 import intangible_bank_events_pb2 as ev
from ntb.intangible_bank.v1 import intangible_bank_pb2 as pb
from ntb_intangible_bank.adapters import messages as m
from ntb_intangible_bank.domain import events as domain
from ntb_intangible_bank.domain.loans import Loan
from ntb_intangible_bank.domain.patent_bank import Agreement
from ntbkit.timestamps import to_timestamp

ASSET_TOPIC = "ntb.intangible_bank.asset.v1"
LOAN_TOPIC = "ntb.intangible_bank.loan.v1"
ANCHOR_TOPIC = "ntb.intangible_bank.anchor.v1"

Encoded = list[tuple[str, str, Message]]


def _status(value: str) -> pb.LegalStatus.ValueType:
    return pb.LegalStatus.Value(f"LEGAL_STATUS_{value}")


def _loan(what: str, loan: Loan, event: domain.LoanChanged) -> Message:
    at = to_timestamp(event.at)
    parties = {"loan_id": loan.loan_id, "borrower_id": loan.borrower_id,
               "lender_id": loan.lender_id}
    pledge = {"pledge_id": loan.pledge_id, "loan_id": loan.loan_id, "asset_id": loan.asset_id,
              "pledgor_id": loan.borrower_id, "pledgee_id": loan.lender_id}
    accrued = m.money(loan.accrued_interest_fen(event.at))
    builders: dict[str, Callable[[], Message]] = {
        "LoanRequested": lambda: ev.LoanRequested(
            **parties, asset_id=loan.asset_id, principal=m.money(loan.principal_fen),
            requested_at=at),
        "LoanApproved": lambda: ev.LoanApproved(
            **parties, asset_id=loan.asset_id, principal=m.money(loan.principal_fen),
            annual_rate=m.decimal(loan.annual_rate),
            loan_to_value=m.decimal(loan.loan_to_value), approved_at=at),
        "LoanRejected": lambda: ev.LoanRejected(**parties, reason=event.reason,
                                                rejected_at=at),
        "LoanDisbursed": lambda: ev.LoanDisbursed(
            **parties, principal=m.money(loan.principal_fen),
            transfer_id=loan.disbursement_transfer_id,
            maturity_date=m.day(loan.maturity_date) if loan.maturity_date else None,
            disbursed_at=at),
        "LoanRepaid": lambda: ev.LoanRepaid(
            **parties, principal=m.money(loan.principal_fen),
            interest_paid=m.money(loan.interest_paid_fen), on_time=not loan.late,
            maturity_date=m.day(loan.maturity_date) if loan.maturity_date else None,
            repaid_at=at),
        "LoanDefaulted": lambda: ev.LoanDefaulted(
            **parties, outstanding_principal=m.money(loan.outstanding_principal_fen),
            accrued_interest=accrued, reason=event.reason, defaulted_at=at),
        "PledgeCreated": lambda: ev.PledgeCreated(
            **pledge, confirmation_ids=list(loan.confirmation_ids), created_at=at),
        "PledgeReleased": lambda: ev.PledgeReleased(**pledge, reason=event.reason,
                                                    released_at=at),
        "PledgeEnforced": lambda: ev.PledgeEnforced(**pledge, enforced_at=at),
    }
    return builders[what]()


def _agreement(what: str, x: Agreement, event: domain.AgreementChanged) -> Message:
    at = to_timestamp(event.at)
    if what == "LicenseGranted":
        return ev.LicenseGranted(
            agreement_id=x.agreement_id, listing_id=x.listing_id, asset_id=x.asset_id,
            licensor_id=x.licensor_id, licensee_id=x.licensee_id, kind=m.listing_kind(x.kind),
            terms=m.terms(x.terms), upfront_transfer_id=x.upfront_transfer_id, granted_at=at)
    if what == "LicenseTerminated":
        return ev.LicenseTerminated(agreement_id=x.agreement_id, asset_id=x.asset_id,
                                    terminated_by=event.by, reason=event.reason,
                                    terminated_at=at)
    return ev.AssetSold(agreement_id=x.agreement_id, asset_id=x.asset_id,
                        seller_id=x.licensor_id, buyer_id=x.licensee_id,
                        price=m.money(x.terms.upfront_fen), transfer_id=x.upfront_transfer_id,
                        sold_at=at)


def encode(event: domain.DomainEvent) -> Encoded:
    match event:
        case domain.AssetRegistered(asset=a):
            return [(ASSET_TOPIC, a.asset_id, ev.AssetRegistered(
                asset_id=a.asset_id, kind=m.asset(a).kind, title=a.title,
                jurisdiction=a.jurisdiction, registration_number=a.registration_number,
                holders=m.holders(a.holders), legal_status=_status(a.legal_status.value),
                registered_at=to_timestamp(a.created_at)))]
        case domain.AssetLegalStatusChanged(asset=a, previous=previous, reason=reason):
            return [(ASSET_TOPIC, a.asset_id, ev.AssetLegalStatusChanged(
                asset_id=a.asset_id, legal_status=_status(a.legal_status.value),
                previous_legal_status=_status(previous.value), reason=reason,
                changed_at=to_timestamp(a.updated_at)))]
        case domain.AssetTransferred(asset=a, previous_holders=before, cause=cause):
            return [(ASSET_TOPIC, a.asset_id, ev.AssetTransferred(
                asset_id=a.asset_id, holders=m.holders(a.holders),
                previous_holders=m.holders(before), cause=cause,
                transferred_at=to_timestamp(a.updated_at)))]
        case domain.RightsDecided(confirmation=c):
            kind = pb.RightKind.Value(f"RIGHT_KIND_{c.right_kind.value}")
            assert c.decided_at is not None
            message: Message = (
                ev.RightsConfirmed(confirmation_id=c.confirmation_id, asset_id=c.asset_id,
                                   right_kind=kind, holder_id=c.holder_id,
                                   confirmed_at=to_timestamp(c.decided_at))
                if c.status.value == "CONFIRMED" else
                ev.RightsRejected(confirmation_id=c.confirmation_id, asset_id=c.asset_id,
                                  right_kind=kind, holder_id=c.holder_id,
                                  reason=c.decision_reason,
                                  rejected_at=to_timestamp(c.decided_at)))
            return [(ASSET_TOPIC, c.asset_id, message)]
        case domain.AssetValued(valuation=v):
            shown = m.valuation(v)
            message = ev.AssetValued(valuation_id=v.valuation_id, asset_id=v.asset_id,
                                     reconciled_value=m.money(v.reconciled_value_fen),
                                     valued_at=to_timestamp(v.valued_at))
            for name in ("cost", "income", "market"):
                result = getattr(shown, name)
                if result.applicable:
                    getattr(message, f"{name}_value").CopyFrom(result.value)
            return [(ASSET_TOPIC, v.asset_id, message)]
        case domain.AssetRated(rating=r, previous_rating=previous):
            return [(ASSET_TOPIC, r.asset_id, ev.AssetRated(
                asset_id=r.asset_id, rating=m.rating_enum(r.rating),
                previous_rating=m.rating_enum(previous), score=m.decimal(r.score),
                rated_at=to_timestamp(r.rated_at)))]
        case domain.LoanChanged(what=what, loan=loan):
            return [(LOAN_TOPIC, loan.loan_id, _loan(what, loan, event))]
        case domain.LoanRepaymentReceived(loan=loan, repayment=r):
            return [(LOAN_TOPIC, loan.loan_id, ev.LoanRepaymentReceived(
                loan_id=loan.loan_id, borrower_id=loan.borrower_id, lender_id=loan.lender_id,
                amount=m.money(r.amount_fen), interest_part=m.money(r.interest_part_fen),
                principal_part=m.money(r.principal_part_fen),
                outstanding_principal=m.money(loan.outstanding_principal_fen),
                transfer_id=r.transfer_id, on_time=r.on_time,
                received_at=to_timestamp(r.at)))]
        case domain.GeneEntryRecorded(entry=e, source=source):
            return [(ANCHOR_TOPIC, e.anchor_subject, anchors.AnchorRequested(
                anchor_id=e.anchor_id, source=source, subject=e.anchor_subject,
                digest_sha256=e.entry_sha256, recorded_at=to_timestamp(e.occurred_at)))]
        case domain.ListingChanged(what=what, listing=x, at=at):
            message = (ev.ListingPublished(
                listing_id=x.listing_id, asset_id=x.asset_id, seller_id=x.seller_id,
                kind=m.listing_kind(x.kind), asking_terms=m.terms(x.asking_terms),
                published_at=to_timestamp(at)) if what == "ListingPublished" else
                ev.ListingWithdrawn(listing_id=x.listing_id, asset_id=x.asset_id,
                                    seller_id=x.seller_id, withdrawn_at=to_timestamp(at)))
            return [(ASSET_TOPIC, x.asset_id, message)]
        case domain.AgreementChanged(what=what, agreement=x, at=at):
            return [(ASSET_TOPIC, x.asset_id, _agreement(what, x, event))]
        case domain.RoyaltyPaid(agreement=x, payment=p):
            return [(ASSET_TOPIC, x.asset_id, ev.RoyaltyPaid(
                royalty_payment_id=p.royalty_payment_id, agreement_id=x.agreement_id,
                asset_id=x.asset_id, licensor_id=x.licensor_id, licensee_id=x.licensee_id,
                royalty=m.money(p.royalty_fen),
                period=common_pb2.TimeRange(start_time=to_timestamp(p.period_start),
                                              end_time=to_timestamp(p.period_end)),
                transfer_id=p.transfer_id, paid_at=to_timestamp(p.paid_at)))]
    raise AssertionError(f"no encoding for {type(event).__name__}")
