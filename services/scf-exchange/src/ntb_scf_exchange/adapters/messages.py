"""Domain records -> ntb.scf_exchange.v1 messages (used by the API and the events)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ntb.common.v1 import common_pb2
from ntb.scf_exchange.v1 import scf_exchange_pb2 as pb
from ntb_scf_exchange.domain import pricing
from ntb_scf_exchange.domain.alliances import Alliance, Application, Member
from ntb_scf_exchange.domain.financing import Bid, Financing
from ntb_scf_exchange.domain.letters_of_credit import LetterOfCredit
from ntb_scf_exchange.domain.logistics import Attestation, Device, Shipment, WarehouseReceipt
from ntb_scf_exchange.domain.money import Money
from ntb_scf_exchange.domain.payables import Payable
from ntb_scf_exchange.domain.securitization import Securitization
from ntb_scf_exchange.domain.trade import Invoice, PurchaseOrder
from ntbkit.timestamps import to_timestamp

__all__ = ["to_timestamp"]

_RATINGS = {name: common_pb2.CreditRating.Value(f"CREDIT_RATING_{name}")
            for name in ("AAA", "AA", "A", "BBB", "BB", "B", "CCC", "CC", "C")}


def money(value: Money) -> common_pb2.Money:
    return common_pb2.Money(asset=value.asset, units=value.units)


def maybe_money(value: Money | None) -> common_pb2.Money | None:
    return None if value is None else money(value)


def decimal(value: Decimal) -> common_pb2.Decimal:
    return common_pb2.Decimal(value=format(value, "f"))


def maybe_decimal(value: Decimal | None) -> common_pb2.Decimal | None:
    return None if value is None else decimal(value)


def day(value: date) -> common_pb2.Date:
    return common_pb2.Date(year=value.year, month=value.month, day=value.day)


def rating(name: str) -> common_pb2.CreditRating.ValueType:
    return _RATINGS.get(name, common_pb2.CREDIT_RATING_UNSPECIFIED)


def alliance(a: Alliance) -> pb.Alliance:
    return pb.Alliance(
        alliance_id=a.alliance_id, name=a.name, scope=pb.AllianceScope.Value(
            f"ALLIANCE_SCOPE_{a.scope.value}"),
        chain_type=pb.ChainType.Value(f"CHAIN_TYPE_{a.chain_type.value}"),
        parent_alliance_id=a.parent_alliance_id, countries=list(a.countries),
        description=a.description, members_count=a.members_count, created_by=a.created_by,
        created_at=to_timestamp(a.created_at))


def member(m: Member) -> pb.AllianceMember:
    return pb.AllianceMember(
        alliance_id=m.alliance_id, member_id=m.member_id,
        roles=[pb.MemberRole.Value(f"MEMBER_ROLE_{r.value}") for r in m.roles],
        joined_at=to_timestamp(m.joined_at))


def application(a: Application) -> pb.MembershipApplication:
    message = pb.MembershipApplication(
        application_id=a.application_id, alliance_id=a.alliance_id, applicant_id=a.applicant_id,
        roles=[pb.MemberRole.Value(f"MEMBER_ROLE_{r.value}") for r in a.roles],
        motivation=a.motivation,
        status=pb.ApplicationStatus.Value(f"APPLICATION_STATUS_{a.status.value}"),
        reviewed_by=a.reviewed_by, review_note=a.review_note,
        applied_at=to_timestamp(a.applied_at))
    if a.reviewed_at is not None:
        message.reviewed_at.CopyFrom(to_timestamp(a.reviewed_at))
    return message


def purchase_order(o: PurchaseOrder) -> pb.PurchaseOrder:
    return pb.PurchaseOrder(
        purchase_order_id=o.purchase_order_id, buyer_id=o.buyer_id, seller_id=o.seller_id,
        alliance_id=o.alliance_id, number=o.number,
        lines=[pb.OrderLine(sku=line.sku, description=line.description,
                            quantity=decimal(line.quantity), unit=line.unit,
                            unit_price=money(line.unit_price)) for line in o.lines],
        total=money(o.total), delivery_date=day(o.delivery_date),
        payment_terms_days=o.payment_terms_days,
        status=pb.PurchaseOrderStatus.Value(f"PURCHASE_ORDER_STATUS_{o.status.value}"),
        created_at=to_timestamp(o.created_at))


def invoice(i: Invoice) -> pb.Invoice:
    return pb.Invoice(
        invoice_id=i.invoice_id, seller_id=i.seller_id, buyer_id=i.buyer_id,
        purchase_order_id=i.purchase_order_id, number=i.number, issue_date=day(i.issue_date),
        due_date=day(i.due_date), amount=money(i.amount), tax=money(i.tax),
        shipment_ids=list(i.shipment_ids),
        document=common_pb2.DocumentHash(name=i.document_name, sha256=i.document_sha256),
        status=pb.InvoiceStatus.Value(f"INVOICE_STATUS_{i.status.value}"),
        created_at=to_timestamp(i.created_at))


def payable(p: Payable) -> pb.Payable:
    return pb.Payable(
        payable_id=p.payable_id, root_payable_id=p.root_payable_id,
        parent_payable_id=p.parent_payable_id, tier=p.tier, obligor_id=p.obligor_id,
        holder_id=p.holder_id, face=money(p.face), maturity_date=day(p.maturity_date),
        invoice_id=p.invoice_id,
        status=pb.PayableStatus.Value(f"PAYABLE_STATUS_{p.status.value}"),
        encumbrance_id=p.encumbrance_id, created_at=to_timestamp(p.created_at),
        anchor_id=p.anchor_id, anchor_digest_sha256=p.anchor_digest)


def product(name: str) -> pb.FinancingProduct.ValueType:
    return pb.FinancingProduct.Value(f"FINANCING_PRODUCT_{name}")


def quote(q: pricing.Quote, *, product_name: str, obligor_id: str) -> pb.FinancingQuote:
    h = q.history
    return pb.FinancingQuote(
        product=product(product_name), face=money(q.face), days=q.days, obligor_id=obligor_id,
        obligor_rating=rating(q.obligor_rating), base_rate=decimal(q.base_rate),
        rating_spread=decimal(q.rating_spread), tenor_spread=decimal(q.tenor_spread),
        history_adjustment=decimal(q.history_adjustment), annual_rate=decimal(q.annual_rate),
        discount=money(q.discount), advance=money(q.advance),
        reasons=[common_pb2.ReasonCode(code=r.code, description=r.description)
                 for r in q.reasons],
        model_version=pricing.MODEL_VERSION, advance_rate=decimal(q.advance_rate),
        day_basis=pricing.DAY_BASIS, present_value_discount=money(q.present_value_discount),
        seller_settled_volume=money(Money(q.face.asset, h.settled_volume_units)),
        seller_settled_on_time=h.settled_on_time, seller_settled_late=h.settled_late,
        seller_defaulted=h.defaulted, seller_dilution=decimal(h.dilution))


def collateral(kind: str, collateral_id: str) -> pb.Collateral:
    return pb.Collateral(**{kind: collateral_id})


def financing(f: Financing) -> pb.Financing:
    message = pb.Financing(
        financing_id=f.financing_id, product=product(f.product.value),
        applicant_id=f.applicant_id, collateral=collateral(f.collateral_kind.value,
                                                           f.collateral_id),
        obligor_id=f.obligor_id, face=money(f.face), requested_amount=money(f.requested_amount),
        maturity_date=day(f.maturity_date), disbursement_asset=f.disbursement_asset,
        alliance_id=f.alliance_id, bidding_closes_at=to_timestamp(f.bidding_closes_at),
        status=pb.FinancingStatus.Value(f"FINANCING_STATUS_{f.status.value}"),
        indicative_quote=quote(f.quote, product_name=f.product.value, obligor_id=f.obligor_id),
        accepted_bid_id=f.accepted_bid_id, funder_id=f.funder_id,
        annual_rate=maybe_decimal(f.annual_rate), discount=maybe_money(f.discount),
        advance=maybe_money(f.advance), funding_transfer_ids=list(f.funding_transfer_ids),
        settlement_transfer_ids=list(f.settlement_transfer_ids),
        created_at=to_timestamp(f.created_at), advance_rate=decimal(f.advance_rate),
        late_fee=maybe_money(f.late_fee), days_overdue=f.days_overdue,
        recourse_transfer_id=f.recourse_transfer_id,
        chain_type=pb.ChainType.Value(f"CHAIN_TYPE_{f.chain_type or 'UNSPECIFIED'}"))
    if f.fx is not None:
        message.fx_rate.CopyFrom(decimal(f.fx.rate))
        message.fx_rate_ref = f.fx.ref
    if f.funded_at is not None:
        message.funded_at.CopyFrom(to_timestamp(f.funded_at))
    if f.closed_at is not None:
        message.closed_at.CopyFrom(to_timestamp(f.closed_at))
    return message


def bid(b: Bid) -> pb.Bid:
    return pb.Bid(bid_id=b.bid_id, financing_id=b.financing_id, funder_id=b.funder_id,
                  annual_rate=decimal(b.annual_rate), discount=money(b.discount),
                  advance=money(b.advance), expires_at=to_timestamp(b.expires_at),
                  status=pb.BidStatus.Value(f"BID_STATUS_{b.status.value}"),
                  created_at=to_timestamp(b.created_at))


def securitization(s: Securitization) -> pb.Securitization:
    asset = s.pool_face.asset
    message = pb.Securitization(
        securitization_id=s.securitization_id, sponsor_id=s.sponsor_id, name=s.name,
        payable_ids=list(s.payable_ids), pool_face=money(s.pool_face),
        weighted_average_days=decimal(s.weighted_average_days),
        tranches=[pb.Tranche(tranche_id=t.tranche_id, name=t.name, seniority=t.seniority,
                             share=decimal(t.share), coupon_rate=decimal(t.coupon_rate),
                             principal=money(t.principal), rating=rating(t.rating),
                             subscribed=money(Money(asset, t.subscribed_units)))
                  for t in s.tranches],
        status=pb.SecuritizationStatus.Value(f"SECURITIZATION_STATUS_{s.status.value}"),
        created_at=to_timestamp(s.created_at), wind_up_at=to_timestamp(s.wind_up_at),
        subscriptions=[pb.TrancheSubscription(tranche_id=x.tranche_id,
                                              investor_id=x.investor_id,
                                              amount=money(x.amount), transfer_id=x.transfer_id)
                       for x in s.subscriptions],
        collections=maybe_money(s.collections),
        payments=[pb.TranchePayment(
            tranche_id=p.tranche_id, interest_due=money(Money(asset, p.interest_due)),
            interest_paid=money(Money(asset, p.interest_paid)),
            principal_paid=money(Money(asset, p.principal_paid)),
            excess_paid=money(Money(asset, p.excess_paid)),
            principal_loss=money(Money(asset, p.principal_loss))) for p in s.payouts])
    return message


def device(d: Device) -> pb.Device:
    return pb.Device(device_id=d.device_id, owner_id=d.owner_id, kind=d.kind,
                     public_key=d.public_key, registered_at=to_timestamp(d.registered_at))


def receipt(r: WarehouseReceipt) -> pb.WarehouseReceipt:
    message = pb.WarehouseReceipt(
        receipt_id=r.receipt_id, warehouse_id=r.warehouse_id, depositor_id=r.depositor_id,
        goods_description=r.goods_description, quantity=decimal(r.quantity), unit=r.unit,
        value=money(r.value), location=r.location,
        attestation=attestation(r.attestation),
        status=pb.WarehouseReceiptStatus.Value(f"WAREHOUSE_RECEIPT_STATUS_{r.status.value}"),
        financing_id=r.financing_id, issued_at=to_timestamp(r.issued_at))
    if r.released_at is not None:
        message.released_at.CopyFrom(to_timestamp(r.released_at))
    return message


def letter_of_credit(c: LetterOfCredit) -> pb.LetterOfCredit:
    message = pb.LetterOfCredit(
        letter_of_credit_id=c.letter_of_credit_id, applicant_id=c.applicant_id,
        beneficiary_id=c.beneficiary_id, issuing_bank_id=c.issuing_bank_id,
        purchase_order_id=c.purchase_order_id, amount=money(c.amount),
        expiry_date=day(c.expiry_date), usance_days=c.usance_days,
        required_documents=list(c.required_documents),
        presented_documents=[common_pb2.DocumentHash(name=d.name, sha256=d.sha256,
                                                     media_type=d.media_type)
                             for d in c.presented_documents],
        status=pb.LetterOfCreditStatus.Value(f"LETTER_OF_CREDIT_STATUS_{c.status.value}"),
        examination_notes=c.examination_notes, payment_transfer_id=c.payment_transfer_id,
        issued_at=to_timestamp(c.issued_at))
    if c.maturity_date is not None:
        message.maturity_date.CopyFrom(day(c.maturity_date))
    return message


def attestation(a: Attestation) -> pb.DeviceAttestation:
    return pb.DeviceAttestation(device_id=a.device_id, payload=a.payload,
                                signature=a.signature, measured_at=to_timestamp(a.measured_at))


def shipment(x: Shipment) -> pb.Shipment:
    return pb.Shipment(
        shipment_id=x.shipment_id, purchase_order_id=x.purchase_order_id,
        shipper_id=x.shipper_id, carrier_id=x.carrier_id, consignee_id=x.consignee_id,
        goods_description=x.goods_description, quantity=decimal(x.quantity), unit=x.unit,
        origin=x.origin, destination=x.destination,
        status=pb.ShipmentStatus.Value(f"SHIPMENT_STATUS_{x.status.value}"),
        events=[pb.ShipmentEvent(
            status=pb.ShipmentStatus.Value(f"SHIPMENT_STATUS_{e.status.value}"),
            location=e.location, occurred_at=to_timestamp(e.occurred_at), note=e.note,
            attestation=attestation(e.attestation) if e.attestation else None)
            for e in x.events],
        created_at=to_timestamp(x.created_at))
