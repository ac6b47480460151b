"""Requests -> commands: every field checked, every violation reported at once."""

from __future__ import annotations

import enum
import re
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from ntb.common.v1 import common_pb2
from ntb.scf_exchange.v1 import scf_exchange_pb2 as pb
from ntb_scf_exchange.domain.alliances import ApplicationStatus, ChainType, Role, Scope
from ntb_scf_exchange.domain.financing import BidStatus, CollateralKind, FinancingStatus, Product
from ntb_scf_exchange.domain.letters_of_credit import Document, LcStatus
from ntb_scf_exchange.domain.logistics import Attestation, ShipmentEvent, ShipmentStatus
from ntb_scf_exchange.domain.money import Money, parse_rate
from ntb_scf_exchange.domain.payables import SPLITS_MAX, PayableStatus, Split
from ntb_scf_exchange.domain.securitization import SecuritizationStatus, TrancheSpec
from ntb_scf_exchange.domain.trade import InvoiceStatus, OrderLine
from ntb_scf_exchange.service import (
    alliances,
    financing,
    letters_of_credit,
    logistics,
    payables,
    securitizations,
    trade,
)
from ntbkit.paging import decode_page
from ntbkit.timestamps import as_utc
from ntbkit.validation import Violations

E = TypeVar("E", bound=enum.Enum)
ASSET = re.compile(r"^[A-Z0-9]{3,8}$")
ROLE_NAMES = {r: f"MEMBER_ROLE_{r.value}" for r in Role}


def enum_of(kind: type[E], proto_enum: Any, prefix: str, value: int, field: str,
            v: Violations, *, required: bool = True) -> E | None:
    """The domain enum member for a proto enum value (None when unset and optional)."""
    if value == 0:
        if required:
            v.add(field, "required")
        return None
    try:
        return kind(proto_enum.Name(value).removeprefix(prefix))
    except ValueError:
        v.add(field, "not a known value")
        return None


def uuid_field(value: str, field: str, v: Violations, *, required: bool = True) -> str:
    if value or required:
        v.require_uuid(value, field)
    return value


def money(message: common_pb2.Money, field: str, v: Violations, *, positive: bool = True
          ) -> Money:
    v.check(bool(ASSET.match(message.asset)), f"{field}.asset", "3..8 of [A-Z0-9]")
    ok = message.units > 0 if positive else message.units >= 0
    v.check(ok, f"{field}.units", "must be > 0" if positive else "must be >= 0")
    return Money(message.asset, message.units)


def day(message: common_pb2.Date, field: str, v: Violations, *, required: bool = True
        ) -> date | None:
    if not (message.year or message.month or message.day):
        if required:
            v.add(field, "required")
        return None
    try:
        return date(message.year, message.month, message.day)
    except ValueError:
        v.add(field, "not a valid date")
        return None


def decimal(message: common_pb2.Decimal, field: str, v: Violations) -> Decimal | None:
    value = parse_rate(message.value)
    v.check(value is not None, field, "a plain decimal string, e.g. \"0.045\"")
    return value


def roles(values: Any, field: str, v: Violations) -> tuple[Role, ...]:
    found = tuple(r for r in (enum_of(Role, pb.MemberRole, "MEMBER_ROLE_", x, field, v)
                              for x in values) if r is not None)
    v.check(1 <= len(values) <= 6, field, "1..6 roles")
    v.check(len(set(values)) == len(values), field, "unique roles")
    return found


def page(request_page: common_pb2.PageRequest, filters: object, v: Violations
         ) -> tuple[int, int]:
    return decode_page(request_page.page_size, request_page.page_token, filters, v)


def next_page(offset: int, size: int, returned: int, filters: object) -> common_pb2.PageResponse:
    from ntbkit.paging import encode_token

    token = encode_token(offset + size, filters) if returned == size else ""
    return common_pb2.PageResponse(next_page_token=token)


def create_alliance(r: pb.CreateAllianceRequest) -> alliances.CreateAlliance:
    v = Violations()
    v.require_uuid(r.request_id, "request_id")
    v.require_text(r.name, "name", length_max=200)
    scope = enum_of(Scope, pb.AllianceScope, "ALLIANCE_SCOPE_", r.scope, "scope", v)
    chain = enum_of(ChainType, pb.ChainType, "CHAIN_TYPE_", r.chain_type, "chain_type", v)
    uuid_field(r.parent_alliance_id, "parent_alliance_id", v, required=False)
    v.check(1 <= len(r.countries) <= 250, "countries", "1..250 country codes")
    for index, code in enumerate(r.countries):
        v.require_country_alpha2(code, f"countries[{index}]")
    v.check_text(r.description, "description", length_max=5000)
    v.raise_if_any()
    assert scope is not None and chain is not None
    return alliances.CreateAlliance(r.request_id, r.name.strip(), scope, chain,
                                    r.parent_alliance_id, tuple(r.countries), r.description)


def set_member(r: pb.AddAllianceMemberRequest) -> alliances.SetMember:
    v = Violations()
    v.require_uuid(r.request_id, "request_id")
    v.require_uuid(r.alliance_id, "alliance_id")
    v.require_text(r.member_id, "member_id", length_max=64)
    found = roles(r.roles, "roles", v)
    v.raise_if_any()
    return alliances.SetMember(r.request_id, r.alliance_id, r.member_id, found)


def apply(r: pb.ApplyForMembershipRequest) -> alliances.Apply:
    v = Violations()
    v.require_uuid(r.request_id, "request_id")
    v.require_uuid(r.alliance_id, "alliance_id")
    v.require_text(r.applicant_id, "applicant_id", length_max=64)
    found = roles(r.roles, "roles", v)
    v.check_text(r.motivation, "motivation", length_max=2000)
    v.raise_if_any()
    return alliances.Apply(r.request_id, r.alliance_id, r.applicant_id, found, r.motivation)


def review(r: pb.ReviewMembershipApplicationRequest) -> alliances.Review:
    v = Violations()
    v.require_uuid(r.request_id, "request_id")
    v.require_uuid(r.application_id, "application_id")
    if not r.approve:
        v.require_text(r.note, "note", length_max=500)
    v.check_text(r.note, "note", length_max=500)
    v.raise_if_any()
    return alliances.Review(r.request_id, r.application_id, r.approve, r.note)


def application_status(value: int, v: Violations) -> ApplicationStatus | None:
    return enum_of(ApplicationStatus, pb.ApplicationStatus, "APPLICATION_STATUS_", value,
                   "status", v, required=False)


def order_line(line: pb.OrderLine, field: str, v: Violations) -> OrderLine:
    v.require_text(line.sku, f"{field}.sku", length_max=64)
    v.require_text(line.description, f"{field}.description", length_max=500)
    quantity = decimal(line.quantity, f"{field}.quantity", v)
    v.check(quantity is None or quantity > 0, f"{field}.quantity", "must be > 0")
    v.require_text(line.unit, f"{field}.unit", length_max=8)
    price = money(line.unit_price, f"{field}.unit_price", v)
    return OrderLine(line.sku, line.description, quantity or Decimal(0), line.unit, price)


def submit_order(r: pb.SubmitPurchaseOrderRequest) -> trade.SubmitOrder:
    v = Violations()
    v.require_uuid(r.request_id, "request_id")
    v.require_text(r.buyer_id, "buyer_id", length_max=64)
    v.require_text(r.seller_id, "seller_id", length_max=64)
    v.check(r.buyer_id != r.seller_id, "seller_id", "must differ from buyer_id")
    uuid_field(r.alliance_id, "alliance_id", v, required=False)
    v.require_text(r.number, "number", length_max=64)
    v.check(1 <= len(r.lines) <= 500, "lines", "1..500 lines")
    lines = tuple(order_line(line, f"lines[{i}]", v) for i, line in enumerate(r.lines))
    v.check(len({line.unit_price.asset for line in lines}) <= 1, "lines",
            "every line's unit_price in one asset")
    delivery = day(r.delivery_date, "delivery_date", v)
    v.check(0 <= r.payment_terms_days <= 360, "payment_terms_days", "0..360")
    v.raise_if_any()
    assert delivery is not None
    return trade.SubmitOrder(r.request_id, r.buyer_id, r.seller_id, r.alliance_id, r.number,
                             lines, delivery, r.payment_terms_days)


def issue_invoice(r: pb.IssueInvoiceRequest) -> trade.IssueInvoice:
    v = Violations()
    v.require_uuid(r.request_id, "request_id")
    v.require_uuid(r.purchase_order_id, "purchase_order_id")
    v.require_text(r.number, "number", length_max=64)
    issued = day(r.issue_date, "issue_date", v)
    due = day(r.due_date, "due_date", v, required=False)
    v.check(due is None or issued is None or due >= issued, "due_date", "on or after issue_date")
    amount = money(r.amount, "amount", v)
    tax = money(r.tax, "tax", v, positive=False) if r.HasField("tax") else None
    v.check(tax is None or (tax.asset == amount.asset and tax.units <= amount.units), "tax",
            "0..amount in the amount's asset")
    v.require_text(r.document.name, "document.name", length_max=200)
    v.check(len(r.document.sha256) == 32, "document.sha256", "exactly 32 bytes")
    v.check(len(r.shipment_ids) <= 100, "shipment_ids", "at most 100")
    for index, shipment_id in enumerate(r.shipment_ids):
        v.require_uuid(shipment_id, f"shipment_ids[{index}]")
    v.raise_if_any()
    assert issued is not None
    return trade.IssueInvoice(r.request_id, r.purchase_order_id, r.number, issued, due, amount,
                              tax, r.document.name, r.document.sha256, tuple(r.shipment_ids))


def invoice_status(value: int, v: Violations) -> InvoiceStatus | None:
    return enum_of(InvoiceStatus, pb.InvoiceStatus, "INVOICE_STATUS_", value, "status", v,
                   required=False)


def confirm(r: pb.ConfirmPayableRequest) -> payables.Confirm:
    v = Violations()
    v.require_uuid(r.request_id, "request_id")
    v.require_uuid(r.invoice_id, "invoice_id")
    maturity = day(r.maturity_date, "maturity_date", v, required=False)
    v.raise_if_any()
    return payables.Confirm(r.request_id, r.invoice_id, maturity)


def transfer(r: pb.TransferPayableRequest) -> payables.Transfer:
    v = Violations()
    v.require_uuid(r.request_id, "request_id")
    v.require_uuid(r.payable_id, "payable_id")
    v.check(1 <= len(r.splits) <= SPLITS_MAX, "splits", f"1..{SPLITS_MAX} splits")
    splits = []
    for index, split in enumerate(r.splits):
        v.require_text(split.recipient_id, f"splits[{index}].recipient_id", length_max=64)
        amount = money(split.amount, f"splits[{index}].amount", v)
        splits.append(Split(split.recipient_id, amount.units))
    v.raise_if_any()
    return payables.Transfer(r.request_id, r.payable_id, tuple(splits))


def payable_status(value: int, v: Violations) -> PayableStatus | None:
    return enum_of(PayableStatus, pb.PayableStatus, "PAYABLE_STATUS_", value, "status", v,
                   required=False)


def product(value: int, v: Violations, *, required: bool = True) -> Product | None:
    return enum_of(Product, pb.FinancingProduct, "FINANCING_PRODUCT_", value, "product", v,
                   required=required)


def collateral(message: pb.Collateral, v: Violations) -> tuple[CollateralKind | None, str]:
    which = message.WhichOneof("kind")
    if which is None:
        v.add("collateral", "exactly one kind is required")
        return None, ""
    value = getattr(message, which)
    v.require_uuid(value, f"collateral.{which}")
    return CollateralKind(which), value


def request_financing(r: pb.RequestFinancingRequest) -> financing.RequestFinancing:
    v = Violations()
    v.require_uuid(r.request_id, "request_id")
    found_product = product(r.product, v)
    v.require_text(r.applicant_id, "applicant_id", length_max=64)
    kind, collateral_id = collateral(r.collateral, v)
    amount = money(r.requested_amount, "requested_amount", v)
    maturity = day(r.maturity_date, "maturity_date", v, required=False)
    v.check(not r.disbursement_asset or bool(ASSET.match(r.disbursement_asset)),
            "disbursement_asset", "3..8 of [A-Z0-9]")
    uuid_field(r.alliance_id, "alliance_id", v, required=False)
    closes = as_utc(r.bidding_closes_at.ToDatetime()) if r.HasField("bidding_closes_at") else None
    v.raise_if_any()
    assert found_product is not None and kind is not None
    return financing.RequestFinancing(r.request_id, found_product, r.applicant_id, kind,
                                      collateral_id, amount, r.disbursement_asset,
                                      r.alliance_id, closes, maturity)


def financing_status(value: int, v: Violations) -> FinancingStatus | None:
    return enum_of(FinancingStatus, pb.FinancingStatus, "FINANCING_STATUS_", value, "status", v,
                   required=False)


def place_bid(r: pb.PlaceBidRequest) -> financing.PlaceBid:
    v = Violations()
    v.require_uuid(r.request_id, "request_id")
    v.require_uuid(r.financing_id, "financing_id")
    v.require_text(r.funder_id, "funder_id", length_max=64)
    rate = None
    if r.accept_quote:
        v.check(not r.annual_rate.value, "annual_rate", "leave unset when accepting the quote")
    else:
        rate = decimal(r.annual_rate, "annual_rate", v)
        v.check(rate is None or 0 < rate < 1, "annual_rate", "> 0 and < 1")
    expires = as_utc(r.expires_at.ToDatetime()) if r.HasField("expires_at") else None
    v.raise_if_any()
    return financing.PlaceBid(r.request_id, r.financing_id, r.funder_id, rate, expires)


def bid_status(value: int, v: Violations) -> BidStatus | None:
    return enum_of(BidStatus, pb.BidStatus, "BID_STATUS_", value, "status", v, required=False)


def create_securitization(r: pb.CreateSecuritizationRequest
                          ) -> securitizations.CreateSecuritization:
    v = Violations()
    v.require_uuid(r.request_id, "request_id")
    v.require_text(r.sponsor_id, "sponsor_id", length_max=64)
    v.require_text(r.name, "name", length_max=200)
    v.check(2 <= len(r.payable_ids) <= 1000, "payable_ids", "2..1000 payables")
    v.check(len(set(r.payable_ids)) == len(r.payable_ids), "payable_ids", "unique")
    for index, payable_id in enumerate(r.payable_ids):
        v.require_uuid(payable_id, f"payable_ids[{index}]")
    v.check(1 <= len(r.tranches) <= 10, "tranches", "1..10 tranches")
    specs = []
    for index, t in enumerate(r.tranches):
        field = f"tranches[{index}]"
        v.require_text(t.name, f"{field}.name", length_max=32)
        v.check(1 <= t.seniority <= 10, f"{field}.seniority", "1..10")
        share = decimal(t.share, f"{field}.share", v)
        v.check(share is None or share > 0, f"{field}.share", "must be > 0")
        coupon = decimal(t.coupon_rate, f"{field}.coupon_rate", v)
        v.check(coupon is None or 0 <= coupon < 1, f"{field}.coupon_rate", ">= 0 and < 1")
        specs.append(TrancheSpec(t.name, t.seniority, share or Decimal(0),
                                 coupon or Decimal(0)))
    v.check(len({t.name for t in r.tranches}) == len(r.tranches), "tranches", "unique names")
    v.check(len({t.seniority for t in r.tranches}) == len(r.tranches), "tranches",
            "unique seniorities")
    v.check(sum((s.share for s in specs), Decimal(0)) == 1, "tranches",
            "shares sum to exactly 1")
    v.raise_if_any()
    return securitizations.CreateSecuritization(r.request_id, r.sponsor_id, r.name,
                                                tuple(r.payable_ids), tuple(specs))


def subscribe_tranche(r: pb.SubscribeTrancheRequest) -> securitizations.SubscribeTranche:
    v = Violations()
    v.require_uuid(r.request_id, "request_id")
    v.require_uuid(r.tranche_id, "tranche_id")
    v.require_text(r.investor_id, "investor_id", length_max=64)
    amount = money(r.amount, "amount", v)
    v.raise_if_any()
    return securitizations.SubscribeTranche(r.request_id, r.tranche_id, r.investor_id, amount)


def securitization_status(value: int, v: Violations) -> SecuritizationStatus | None:
    return enum_of(SecuritizationStatus, pb.SecuritizationStatus, "SECURITIZATION_STATUS_",
                   value, "status", v, required=False)


def register_device(r: pb.RegisterDeviceRequest) -> logistics.RegisterDevice:
    v = Violations()
    v.require_uuid(r.request_id, "request_id")
    v.require_text(r.owner_id, "owner_id", length_max=64)
    v.require_text(r.kind, "kind", length_max=64)
    v.check(len(r.public_key) == 32, "public_key", "a raw 32-byte Ed25519 public key")
    v.raise_if_any()
    return logistics.RegisterDevice(r.request_id, r.owner_id, r.kind, r.public_key)


def attestation(a: pb.DeviceAttestation, field: str, v: Violations) -> Attestation:
    v.require_uuid(a.device_id, f"{field}.device_id")
    v.check(1 <= len(a.payload) <= 16384, f"{field}.payload", "1..16384 bytes")
    v.check(len(a.signature) == 64, f"{field}.signature", "64 bytes (Ed25519)")
    v.check(a.HasField("measured_at"), f"{field}.measured_at", "required")
    return Attestation(a.device_id, a.payload, a.signature,
                       as_utc(a.measured_at.ToDatetime()))


def issue_receipt(r: pb.IssueWarehouseReceiptRequest) -> logistics.IssueReceipt:
    v = Violations()
    v.require_uuid(r.request_id, "request_id")
    v.require_text(r.warehouse_id, "warehouse_id", length_max=64)
    v.require_text(r.depositor_id, "depositor_id", length_max=64)
    v.require_text(r.goods_description, "goods_description", length_max=500)
    quantity = decimal(r.quantity, "quantity", v)
    v.check(quantity is None or quantity > 0, "quantity", "must be > 0")
    v.require_text(r.unit, "unit", length_max=8)
    value = money(r.value, "value", v)
    v.require_text(r.location, "location", length_max=200)
    found = attestation(r.attestation, "attestation", v)
    v.raise_if_any()
    assert quantity is not None
    return logistics.IssueReceipt(r.request_id, r.warehouse_id, r.depositor_id,
                                  r.goods_description, quantity, r.unit, value, r.location,
                                  found)


def issue_lc(r: pb.IssueLetterOfCreditRequest) -> letters_of_credit.IssueLc:
    v = Violations()
    v.require_uuid(r.request_id, "request_id")
    for name in ("issuing_bank_id", "applicant_id", "beneficiary_id"):
        v.require_text(getattr(r, name), name, length_max=64)
    uuid_field(r.purchase_order_id, "purchase_order_id", v, required=False)
    amount = money(r.amount, "amount", v)
    expiry = day(r.expiry_date, "expiry_date", v)
    v.check(0 <= r.usance_days <= 360, "usance_days", "0..360")
    v.check(1 <= len(r.required_documents) <= 20, "required_documents", "1..20 names")
    for index, name in enumerate(r.required_documents):
        v.require_text(name, f"required_documents[{index}]", length_max=100)
    v.check(len(set(r.required_documents)) == len(r.required_documents), "required_documents",
            "unique names")
    v.raise_if_any()
    assert expiry is not None
    return letters_of_credit.IssueLc(r.request_id, r.issuing_bank_id, r.applicant_id,
                                     r.beneficiary_id, r.purchase_order_id, amount, expiry,
                                     r.usance_days, tuple(r.required_documents))


def documents(r: pb.PresentDocumentsRequest) -> tuple[Document, ...]:
    v = Violations()
    v.require_uuid(r.request_id, "request_id")
    v.require_uuid(r.letter_of_credit_id, "letter_of_credit_id")
    v.check(1 <= len(r.documents) <= 20, "documents", "1..20 documents")
    for index, d in enumerate(r.documents):
        v.require_text(d.name, f"documents[{index}].name", length_max=200)
        v.check(len(d.sha256) == 32, f"documents[{index}].sha256", "exactly 32 bytes")
    v.raise_if_any()
    return tuple(Document(d.name, d.sha256, d.media_type) for d in r.documents)


def lc_status(value: int, v: Violations) -> LcStatus | None:
    return enum_of(LcStatus, pb.LetterOfCreditStatus, "LETTER_OF_CREDIT_STATUS_", value,
                   "status", v, required=False)


def record_shipment(r: pb.RecordShipmentRequest) -> logistics.RecordShipment:
    v = Violations()
    v.require_uuid(r.request_id, "request_id")
    v.require_uuid(r.purchase_order_id, "purchase_order_id")
    v.require_text(r.carrier_id, "carrier_id", length_max=64)
    v.require_text(r.goods_description, "goods_description", length_max=500)
    quantity = decimal(r.quantity, "quantity", v)
    v.check(quantity is None or quantity > 0, "quantity", "must be > 0")
    v.require_text(r.unit, "unit", length_max=8)
    v.require_text(r.origin, "origin", length_max=200)
    v.require_text(r.destination, "destination", length_max=200)
    v.raise_if_any()
    assert quantity is not None
    return logistics.RecordShipment(r.request_id, r.purchase_order_id, r.carrier_id,
                                    r.goods_description, quantity, r.unit, r.origin,
                                    r.destination)


def shipment_event(r: pb.RecordShipmentEventRequest) -> ShipmentEvent:
    v = Violations()
    v.require_uuid(r.request_id, "request_id")
    v.require_uuid(r.shipment_id, "shipment_id")
    status = enum_of(ShipmentStatus, pb.ShipmentStatus, "SHIPMENT_STATUS_", r.event.status,
                     "event.status", v)
    v.check_text(r.event.location, "event.location", length_max=200)
    v.check_text(r.event.note, "event.note", length_max=500)
    v.check(r.event.HasField("occurred_at"), "event.occurred_at", "required")
    found = (attestation(r.event.attestation, "event.attestation", v)
             if r.event.HasField("attestation") else None)
    v.raise_if_any()
    assert status is not None
    return ShipmentEvent(status, r.event.location, as_utc(r.event.occurred_at.ToDatetime()),
                         r.event.note, found)
