"""Domain events -> protobuf payloads of ntb.events.v1, their topics and keys."""

from __future__ import annotations

from google.protobuf.message import Message

from ntb.events.v1 import anchor_events_pb2
from ntb.events.v1 import scf_exchange_events_pb2 as ev
from ntb_scf_exchange.adapters import messages as m
from ntb_scf_exchange.domain import events
from ntb_scf_exchange.domain.money import Money
from ntbkit.timestamps import to_timestamp

FINANCING_TOPIC = "ntb.scf_exchange.financing.v1"
ANCHOR_TOPIC = "ntb.scf_exchange.anchor.v1"
SOURCE = "scf-exchange"


def encode(event: events.Event) -> tuple[str, str, Message]:
    match event:
        case events.AnchorRequest():
            return ANCHOR_TOPIC, event.subject, anchor_events_pb2.AnchorRequested(
                anchor_id=event.anchor_id, source=SOURCE, subject=event.subject,
                digest_sha256=event.digest, recorded_at=to_timestamp(event.recorded_at))
        case events.PayableConfirmed(payable=p):
            return FINANCING_TOPIC, p.root_payable_id, ev.PayableConfirmed(
                payable_id=p.payable_id, invoice_id=p.invoice_id, obligor_id=p.obligor_id,
                holder_id=p.holder_id, face=m.money(p.face), maturity_date=m.day(p.maturity_date),
                confirmed_at=to_timestamp(p.created_at), anchor_id=p.anchor_id)
        case events.PayableTransferred(parent=p, children=children, at=at):
            return FINANCING_TOPIC, p.root_payable_id, ev.PayableTransferred(
                payable_id=p.payable_id, root_payable_id=p.root_payable_id,
                from_holder_id=p.holder_id, children=[m.payable(c) for c in children],
                transferred_at=to_timestamp(at), anchor_id=children[0].anchor_id)
        case events.PayableSettled(payable=p):
            return FINANCING_TOPIC, p.root_payable_id, ev.PayableSettled(
                payable_id=p.payable_id, root_payable_id=p.root_payable_id,
                obligor_id=p.obligor_id, payee_id=event.payee_id, face=m.money(p.face),
                on_time=event.on_time, transfer_id=event.transfer_id,
                settled_at=to_timestamp(event.at))
        case events.PayableOverdue(payable=p):
            return FINANCING_TOPIC, p.root_payable_id, ev.PayableOverdue(
                payable_id=p.payable_id, root_payable_id=p.root_payable_id,
                obligor_id=p.obligor_id, holder_id=p.holder_id, face=m.money(p.face),
                maturity_date=m.day(p.maturity_date), detected_at=to_timestamp(event.at))
        case events.FinancingRequested(financing=f):
            return FINANCING_TOPIC, f.financing_id, ev.FinancingRequested(
                financing_id=f.financing_id, product=m.product(f.product.value),
                applicant_id=f.applicant_id, obligor_id=f.obligor_id, face=m.money(f.face),
                requested_amount=m.money(f.requested_amount),
                maturity_date=m.day(f.maturity_date), alliance_id=f.alliance_id,
                bidding_closes_at=to_timestamp(f.bidding_closes_at),
                requested_at=to_timestamp(f.created_at))
        case events.BidPlaced(bid=b):
            return FINANCING_TOPIC, b.financing_id, ev.FinancingBidPlaced(
                financing_id=b.financing_id, bid_id=b.bid_id, funder_id=b.funder_id,
                annual_rate=m.decimal(b.annual_rate), placed_at=to_timestamp(b.created_at))
        case events.FinancingFunded(financing=f):
            assert f.funded_at is not None
            return FINANCING_TOPIC, f.financing_id, ev.FinancingFunded(
                financing_id=f.financing_id, product=m.product(f.product.value),
                applicant_id=f.applicant_id, obligor_id=f.obligor_id, funder_id=f.funder_id,
                bid_id=f.accepted_bid_id, annual_rate=m.maybe_decimal(f.annual_rate),
                face=m.money(f.face), discount=m.maybe_money(f.discount),
                advance=m.maybe_money(f.advance),
                fx_rate=m.decimal(f.fx.rate) if f.fx else None,
                funding_transfer_ids=list(f.funding_transfer_ids),
                maturity_date=m.day(f.maturity_date), funded_at=to_timestamp(f.funded_at))
        case events.FinancingSettled(financing=f):
            assert f.closed_at is not None
            return FINANCING_TOPIC, f.financing_id, ev.FinancingSettled(
                financing_id=f.financing_id, product=m.product(f.product.value),
                applicant_id=f.applicant_id, obligor_id=f.obligor_id, funder_id=f.funder_id,
                face=m.money(f.face), on_time=f.days_overdue == 0,
                settlement_transfer_ids=list(f.settlement_transfer_ids),
                settled_at=to_timestamp(f.closed_at),
                late_fee=m.money(f.late_fee or Money.zero(f.face.asset)),
                days_overdue=f.days_overdue)
        case events.FinancingDefaulted(financing=f):
            assert f.closed_at is not None
            return FINANCING_TOPIC, f.financing_id, ev.FinancingDefaulted(
                financing_id=f.financing_id, product=m.product(f.product.value),
                applicant_id=f.applicant_id, obligor_id=f.obligor_id, funder_id=f.funder_id,
                outstanding=m.money(f.face), with_recourse=f.with_recourse,
                reason=f.default_reason, defaulted_at=to_timestamp(f.closed_at))
        case events.SecuritizationStructured(securitization=pool):
            return FINANCING_TOPIC, pool.securitization_id, ev.SecuritizationStructured(
                securitization_id=pool.securitization_id, sponsor_id=pool.sponsor_id,
                pool_face=m.money(pool.pool_face), payable_ids=list(pool.payable_ids),
                tranches=list(m.securitization(pool).tranches),
                structured_at=to_timestamp(pool.created_at))
    raise AssertionError(f"no encoding for {event!r}")
