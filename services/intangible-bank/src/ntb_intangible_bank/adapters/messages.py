"""Domain objects -> ntb.intangible_bank.v1 messages (used by the gRPC codec and the
event codec alike, so an asset looks the same in a response and in an event)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from ntb.common.v1 import common_pb2
from ntb.identity.v1 import identity_pb2
from ntb.intangible_bank.v1 import intangible_bank_pb2 as pb
from ntb_intangible_bank.domain import rating as rating_model
from ntb_intangible_bank.domain import valuation as model
from ntb_intangible_bank.domain.assets import Asset, Holder
from ntb_intangible_bank.domain.gene import GeneEntry
from ntb_intangible_bank.domain.loans import Loan
from ntb_intangible_bank.domain.patent_bank import (
    Agreement,
    DealTerms,
    Listing,
    ListingKind,
    Offer,
    RoyaltyPayment,
)
from ntb_intangible_bank.domain.rights import RightsConfirmation
from ntbkit.timestamps import to_timestamp

CNY = "CNY"


def money(units: int) -> common_pb2.Money:
    return common_pb2.Money(asset=CNY, units=units)


def decimal(value: Decimal) -> common_pb2.Decimal:
    return common_pb2.Decimal(value=str(value))


def day(value: date) -> common_pb2.Date:
    return common_pb2.Date(year=value.year, month=value.month, day=value.day)


def rating_enum(name: str) -> common_pb2.CreditRating.ValueType:
    return common_pb2.CreditRating.Value(f"CREDIT_RATING_{name}") if name else (
        common_pb2.CREDIT_RATING_UNSPECIFIED)


def holders(items: tuple[Holder, ...]) -> list[pb.AssetHolder]:
    return [pb.AssetHolder(principal_id=h.principal_id, share=decimal(h.share)) for h in items]


def documents(sha256s: tuple[str, ...]) -> list[common_pb2.DocumentHash]:
    return [common_pb2.DocumentHash(sha256=bytes.fromhex(s)) for s in sha256s]


def asset(a: Asset) -> pb.Asset:
    message = pb.Asset(
        asset_id=a.asset_id, kind=pb.AssetKind.Value(f"ASSET_KIND_{a.kind.value}"),
        title=a.title, description=a.description, jurisdiction=a.jurisdiction,
        registration_number=a.registration_number,
        classification_codes=list(a.classification_codes), holders=holders(a.holders),
        creators=[pb.Creator(principal_id=c.principal_id, name=c.name,
                             labor_hours=decimal(c.labor_hours), role=c.role)
                  for c in a.creators],
        filing_date=day(a.filing_date),
        legal_status=pb.LegalStatus.Value(f"LEGAL_STATUS_{a.legal_status.value}"),
        rating=rating_enum(a.rating), version=a.version,
        created_at=to_timestamp(a.created_at), updated_at=to_timestamp(a.updated_at))
    if a.grant_date is not None:
        message.grant_date.CopyFrom(day(a.grant_date))
    if a.expiry_date is not None:
        message.expiry_date.CopyFrom(day(a.expiry_date))
    if a.appraised_value_fen is not None:
        message.appraised_value.CopyFrom(money(a.appraised_value_fen))
    return message


def confirmation(c: RightsConfirmation, now: datetime) -> pb.RightsConfirmation:
    message = pb.RightsConfirmation(
        confirmation_id=c.confirmation_id, asset_id=c.asset_id,
        right_kind=pb.RightKind.Value(f"RIGHT_KIND_{c.right_kind.value}"),
        holder_id=c.holder_id, scope=c.scope, territories=list(c.territories),
        evidence=documents(c.evidence_sha256s),
        status=pb.ConfirmationStatus.Value(f"CONFIRMATION_STATUS_{c.status_at(now).value}"),
        examination_notes=c.examination_notes, examiner_id=c.examiner_id,
        decision_reason=c.decision_reason, submitted_at=to_timestamp(c.submitted_at),
        exclusive=c.exclusive)
    message.term.start_time.CopyFrom(to_timestamp(c.term_start))
    if c.term_end is not None:
        message.term.end_time.CopyFrom(to_timestamp(c.term_end))
    if c.examined_at is not None:
        message.examined_at.CopyFrom(to_timestamp(c.examined_at))
    if c.decided_at is not None:
        message.decided_at.CopyFrom(to_timestamp(c.decided_at))
    return message


def _approach(kind: str, result: model.ApproachResult) -> pb.ApproachResult:
    message = pb.ApproachResult(approach=pb.ValuationApproach.Value(
        f"VALUATION_APPROACH_{kind}"), applicable=result.applicable,
        explanation=result.explanation)
    if result.applicable:
        message.value.CopyFrom(money(result.value_fen))
    return message


def cost_inputs(i: model.CostInputs) -> pb.CostApproachInputs:
    return pb.CostApproachInputs(
        labor=[pb.CreatorLabor(principal_id=item.principal_id, hours=decimal(item.hours),
                               hourly_value=money(item.hourly_value_fen)) for item in i.labor],
        direct_costs=money(i.direct_costs_fen), indirect_costs=money(i.indirect_costs_fen),
        developer_profit_rate=decimal(i.developer_profit_rate),
        physical_obsolescence=decimal(i.physical_obsolescence),
        functional_obsolescence=decimal(i.functional_obsolescence),
        economic_obsolescence=decimal(i.economic_obsolescence))


def income_inputs(i: model.IncomeInputs) -> pb.IncomeApproachInputs:
    return pb.IncomeApproachInputs(
        annual_revenues=[money(r) for r in i.annual_revenues_fen],
        royalty_rate=decimal(i.royalty_rate), discount_rate=decimal(i.discount_rate),
        tax_rate=decimal(i.tax_rate), economic_life_years=i.economic_life_years)


def valuation(v: model.Valuation) -> pb.Valuation:
    message = pb.Valuation(
        valuation_id=v.valuation_id, asset_id=v.asset_id, valued_at=to_timestamp(v.valued_at),
        cost=_approach("COST", v.cost), income=_approach("INCOME", v.income),
        market=_approach("MARKET", v.market),
        weights=pb.ApproachWeights(cost=decimal(v.weights.cost),
                                   income=decimal(v.weights.income),
                                   market=decimal(v.weights.market)),
        reconciled_value=money(v.reconciled_value_fen), spread=decimal(v.spread),
        cost_inputs=cost_inputs(v.cost_inputs),
        market_inputs=pb.MarketApproachInputs(comparables=[
            pb.Comparable(agreement_id=c.agreement_id, price=money(c.price_fen),
                          similarity=decimal(c.similarity), adjustment=decimal(c.adjustment),
                          description=c.description) for c in v.market_inputs.comparables]),
        requested_by=v.requested_by, trigger=v.trigger)
    if v.income_inputs is not None:
        message.income_inputs.CopyFrom(income_inputs(v.income_inputs))
    if v.sensitivity is not None:
        s = v.sensitivity
        message.income_sensitivity.CopyFrom(pb.IncomeSensitivity(
            royalty_rate_minus_one_point=decimal(s.rate_minus),
            value_minus_one_point=money(s.value_minus_fen),
            royalty_rate_plus_one_point=decimal(s.rate_plus),
            value_plus_one_point=money(s.value_plus_fen)))
    return message


def asset_rating(r: rating_model.AssetRating) -> pb.AssetRating:
    return pb.AssetRating(
        asset_id=r.asset_id, rating=rating_enum(r.rating), score=decimal(r.score),
        factors=[pb.RatingFactor(factor=f.name, value=f.value, points=f.points,
                                 weight=decimal(f.weight)) for f in r.factors],
        valuation_id=r.valuation_id, rated_at=to_timestamp(r.rated_at),
        model_version=r.model_version)


def principal_kind(kind: str) -> identity_pb2.PrincipalKind.ValueType:
    return identity_pb2.PrincipalKind.Value(f"PRINCIPAL_KIND_{kind}") if kind else (
        identity_pb2.PRINCIPAL_KIND_UNSPECIFIED)


def kyc_status(status: str) -> identity_pb2.KycStatus.ValueType:
    return identity_pb2.KycStatus.Value(f"KYC_STATUS_{status}") if status else (
        identity_pb2.KYC_STATUS_UNSPECIFIED)


def loan(item: Loan, now: datetime) -> pb.Loan:
    pledge = pb.Pledge(
        pledge_id=item.pledge_id, asset_id=item.asset_id,
        confirmation_ids=list(item.confirmation_ids), pledgor_id=item.borrower_id,
        pledgee_id=item.lender_id,
        status=pb.PledgeStatus.Value(f"PLEDGE_STATUS_{item.pledge_status.value}"),
        created_at=to_timestamp(item.created_at))
    if item.pledge_activated_at is not None:
        pledge.activated_at.CopyFrom(to_timestamp(item.pledge_activated_at))
    if item.pledge_closed_at is not None:
        pledge.closed_at.CopyFrom(to_timestamp(item.pledge_closed_at))
    message = pb.Loan(
        loan_id=item.loan_id, borrower_id=item.borrower_id, lender_id=item.lender_id,
        asset_id=item.asset_id, pledge=pledge, principal=money(item.principal_fen),
        annual_rate=decimal(item.annual_rate), term_days=item.term_days,
        valuation_id=item.valuation_id, appraised_value=money(item.appraised_value_fen),
        loan_to_value=decimal(item.loan_to_value),
        max_loan_to_value=decimal(item.max_loan_to_value),
        status=pb.LoanStatus.Value(f"LOAN_STATUS_{item.status.value}"),
        outstanding_principal=money(item.outstanding_principal_fen),
        accrued_interest=money(item.accrued_interest_fen(now)),
        repaid_total=money(item.repaid_total_fen),
        disbursement_transfer_id=item.disbursement_transfer_id,
        repayment_transfer_ids=list(item.repayment_transfer_ids),
        created_at=to_timestamp(item.created_at), purpose=item.purpose,
        schedule=[pb.Installment(number=i.number, due_date=day(i.due_date),
                                 principal_due=money(i.principal_due_fen),
                                 principal_outstanding_after=money(i.outstanding_after_fen),
                                 paid=item.installment_paid(i)) for i in item.schedule])
    if item.maturity_date is not None:
        message.maturity_date.CopyFrom(day(item.maturity_date))
    if item.disbursed_at is not None:
        message.disbursed_at.CopyFrom(to_timestamp(item.disbursed_at))
    if item.closed_at is not None:
        message.closed_at.CopyFrom(to_timestamp(item.closed_at))
    return message


def gene_entry(e: GeneEntry) -> pb.GeneMapEntry:
    return pb.GeneMapEntry(
        asset_id=e.asset_id, sequence=e.sequence,
        kind=pb.GeneEventKind.Value(f"GENE_EVENT_KIND_{e.kind.value}"),
        occurred_at=to_timestamp(e.occurred_at), actor_id=e.actor_id, summary=e.summary,
        subject_id=e.subject_id, subject_sha256=e.subject_sha256,
        previous_entry_sha256=e.previous_entry_sha256, entry_sha256=e.entry_sha256,
        anchor_id=e.anchor_id)


def terms(t: DealTerms) -> pb.DealTerms:
    message = pb.DealTerms(
        upfront_amount=money(t.upfront_fen), royalty_rate=decimal(t.royalty_rate),
        minimum_annual_royalty=money(t.minimum_annual_royalty_fen),
        territories=list(t.territories), field_of_use=t.field_of_use,
        sublicensable=t.sublicensable)
    if t.term_start is not None:
        message.term.start_time.CopyFrom(to_timestamp(t.term_start))
    if t.term_end is not None:
        message.term.end_time.CopyFrom(to_timestamp(t.term_end))
    return message


def listing_kind(kind: ListingKind) -> pb.ListingKind.ValueType:
    return pb.ListingKind.Value(f"LISTING_KIND_{kind.value}")


def listing(x: Listing) -> pb.Listing:
    message = pb.Listing(
        listing_id=x.listing_id, asset_id=x.asset_id, seller_id=x.seller_id,
        kind=listing_kind(x.kind), asking_terms=terms(x.asking_terms),
        description=x.description, asset_kind=pb.AssetKind.Value(f"ASSET_KIND_{x.asset_kind}"),
        classification_codes=list(x.classification_codes), jurisdiction=x.jurisdiction,
        status=pb.ListingStatus.Value(f"LISTING_STATUS_{x.status.value}"),
        created_at=to_timestamp(x.created_at))
    if x.closed_at is not None:
        message.closed_at.CopyFrom(to_timestamp(x.closed_at))
    return message


def offer(x: Offer, now: datetime) -> pb.Offer:
    return pb.Offer(
        offer_id=x.offer_id, listing_id=x.listing_id, buyer_id=x.buyer_id, from_id=x.from_id,
        to_id=x.to_id, terms=terms(x.terms), previous_offer_id=x.previous_offer_id,
        message=x.message,
        status=pb.OfferStatus.Value(f"OFFER_STATUS_{x.status_at(now).value}"),
        expires_at=to_timestamp(x.expires_at), created_at=to_timestamp(x.created_at))


def agreement(x: Agreement, now: datetime) -> pb.Agreement:
    message = pb.Agreement(
        agreement_id=x.agreement_id, listing_id=x.listing_id, offer_id=x.offer_id,
        asset_id=x.asset_id, kind=listing_kind(x.kind), licensor_id=x.licensor_id,
        licensee_id=x.licensee_id, terms=terms(x.terms),
        status=pb.AgreementStatus.Value(f"AGREEMENT_STATUS_{x.status_at(now).value}"),
        agreed_at=to_timestamp(x.agreed_at), upfront_transfer_id=x.upfront_transfer_id,
        royalties_paid=money(x.royalties_paid_fen))
    if x.ended_at is not None:
        message.ended_at.CopyFrom(to_timestamp(x.ended_at))
    return message


def royalty_payment(x: RoyaltyPayment) -> pb.RoyaltyPayment:
    return pb.RoyaltyPayment(
        royalty_payment_id=x.royalty_payment_id, agreement_id=x.agreement_id,
        period=common_pb2.TimeRange(start_time=to_timestamp(x.period_start),
                                    end_time=to_timestamp(x.period_end)),
        revenue=money(x.revenue_fen), royalty=money(x.royalty_fen), transfer_id=x.transfer_id,
        paid_at=to_timestamp(x.paid_at))
