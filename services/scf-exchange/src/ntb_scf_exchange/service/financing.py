"""Financing requests on collateral, data-driven quotes, funders' bids, and the
lowest-cost accepted offer funded through the ledger (converted with fx-model rates
when the applicant wants another currency)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal

from ntb_scf_exchange.domain import borrowing_base as bb
from ntb_scf_exchange.domain import pricing
from ntb_scf_exchange.domain.currency import convert
from ntb_scf_exchange.domain.events import BidPlaced, FinancingFunded, FinancingRequested
from ntb_scf_exchange.domain.financing import (
    PRODUCT_COLLATERAL,
    Bid,
    BidStatus,
    CollateralKind,
    Financing,
    FinancingStatus,
    Product,
    lowest_cost,
)
from ntb_scf_exchange.domain.letters_of_credit import LcStatus
from ntb_scf_exchange.domain.logistics import ReceiptStatus
from ntb_scf_exchange.domain.money import CONTEXT, Money
from ntb_scf_exchange.domain.payables import PayableStatus
from ntb_scf_exchange.domain.trade import InvoiceStatus, OrderStatus
from ntb_scf_exchange.service import letters_of_credit, logistics
from ntb_scf_exchange.service.common import derived_id, new_id, once
from ntb_scf_exchange.service.payables import payable_of, start_of
from ntb_scf_exchange.service.ports import (
    Directory,
    FxRates,
    InsufficientFunds,
    Ledger,
    Payment,
    Ratings,
    TransferCode,
)
from ntb_scf_exchange.service.trade import invoice_of, order_of
from ntb_scf_exchange.service.unit_of_work import Clock, DueWork, NewUnit, ScfUnitOfWork
from ntbkit.auth import Caller
from ntbkit.errors import FailedPrecondition, NotFound, PermissionDenied
from ntbkit.storage.idempotency import fingerprint

ACTIVE = (FinancingStatus.OPEN.value, FinancingStatus.FUNDED.value,
          FinancingStatus.OVERDUE.value)
BIDDING_DEFAULT = timedelta(hours=48)
PLEDGE_RULES = bb.Rules()
SETTLE_FINANCING = "SETTLE_FINANCING"
CLOSE_BIDDING = "CLOSE_BIDDING"


@dataclass(frozen=True)
class Ports:
    ledger: Ledger
    ratings: Ratings
    fx: FxRates
    directory: Directory


@dataclass(frozen=True)
class Collateral:
    kind: CollateralKind
    collateral_id: str
    holder_id: str
    obligor_id: str
    face: Money
    maturity_date: date
    alliance_id: str
    cap_units: int  # the most a financing on it may ask
    payee_id: str  # who receives the advance


LOAN_KINDS = (CollateralKind.PURCHASE_ORDER, CollateralKind.WAREHOUSE_RECEIPT)
LOAN_TO_VALUE = Decimal("0.70")
LOAN_DAYS_MAX = 360


@dataclass(frozen=True)
class RequestFinancing:
    request_id: str
    product: Product
    applicant_id: str
    collateral_kind: CollateralKind
    collateral_id: str
    requested_amount: Money
    disbursement_asset: str
    alliance_id: str
    bidding_closes_at: datetime | None
    maturity_date: date | None = None  # loans only


@dataclass(frozen=True)
class PlaceBid:
    request_id: str
    financing_id: str
    funder_id: str
    annual_rate: Decimal | None  # None: accept the indicative quote
    expires_at: datetime | None


async def collateral_of(unit: ScfUnitOfWork, kind: CollateralKind, collateral_id: str, *,
                        product: Product | None = None, amount: Money | None = None,
                        maturity: date | None = None) -> Collateral:
    """What a financing would rest on. Receivables carry their own face and maturity;
    loans (orders, receipts) are repaid by the applicant: face = the amount lent."""
    if kind is CollateralKind.PAYABLE:
        payable = await payable_of(unit, collateral_id)
        if payable.status is not PayableStatus.OUTSTANDING:
            raise FailedPrecondition("PAYABLE_NOT_OUTSTANDING",
                                     f"the payable is {payable.status.value}")
        root_invoice = await invoice_of(unit, payable.invoice_id)
        return Collateral(kind, collateral_id, payable.holder_id, payable.obligor_id,
                          payable.face, payable.maturity_date, root_invoice.alliance_id,
                          payable.face.units, payable.holder_id)
    if kind is CollateralKind.INVOICE:
        invoice = await invoice_of(unit, collateral_id)
        if invoice.status is not InvoiceStatus.ISSUED:
            raise FailedPrecondition("INVOICE_NOT_ISSUED",
                                     "only unconfirmed invoices are factored (confirmed ones "
                                     "are payables)")
        return Collateral(kind, collateral_id, invoice.seller_id, invoice.buyer_id,
                          invoice.amount, invoice.due_date, invoice.alliance_id,
                          invoice.amount.units, invoice.seller_id)
    if kind is CollateralKind.LETTER_OF_CREDIT:
        lc = await letters_of_credit.lc_of(unit, collateral_id)
        if lc.status is not LcStatus.ACCEPTED or lc.maturity_date is None:
            raise FailedPrecondition("LC_NOT_ACCEPTED", f"the credit is {lc.status.value}")
        return Collateral(kind, collateral_id, lc.beneficiary_id, lc.issuing_bank_id,
                          lc.amount, lc.maturity_date, "", lc.amount.units, lc.beneficiary_id)
    if maturity is None:
        raise FailedPrecondition("MATURITY_REQUIRED", "a loan needs its maturity_date")
    if kind is CollateralKind.PURCHASE_ORDER:
        order = await order_of(unit, collateral_id)
        if order.status is not OrderStatus.ACCEPTED:
            raise FailedPrecondition("ORDER_NOT_ACCEPTED", f"the order is {order.status.value}")
        buyers_credit = product is Product.BUYERS_CREDIT
        borrower = order.buyer_id if buyers_credit else order.seller_id
        ratio = Decimal(1) if buyers_credit else LOAN_TO_VALUE
        cap = int(CONTEXT.multiply(Decimal(order.total.units), ratio))
        face = amount or Money(order.total.asset, cap)
        return Collateral(kind, collateral_id, borrower, borrower, face, maturity,
                          order.alliance_id, cap,
                          order.seller_id if buyers_credit else borrower)
    if kind is CollateralKind.WAREHOUSE_RECEIPT:
        receipt = await logistics.receipt_of(unit, collateral_id)
        if receipt.status is not ReceiptStatus.ISSUED:
            raise FailedPrecondition("RECEIPT_NOT_ISSUED", f"the receipt is {receipt.status.value}")
        cap = int(CONTEXT.multiply(Decimal(receipt.value.units), LOAN_TO_VALUE))
        face = amount or Money(receipt.value.asset, cap)
        return Collateral(kind, collateral_id, receipt.depositor_id, receipt.depositor_id,
                          face, maturity, "", cap, receipt.depositor_id)
    raise FailedPrecondition("PRODUCT_NOT_AVAILABLE",
                             f"financing on {kind.name.lower()} collateral is not offered yet")


async def seller_history(unit: ScfUnitOfWork, seller_id: str, asset: str
                         ) -> pricing.SellerHistory:
    past = await unit.financings.find({"applicant_id": seller_id, "status": [
        FinancingStatus.SETTLED.value, FinancingStatus.DEFAULTED.value]})
    settled = [f for f in past if f.status is FinancingStatus.SETTLED]
    invoices = await unit.invoices.find({"seller_id": seller_id})
    return pricing.SellerHistory(
        settled_volume_units=sum(f.face.units for f in settled if f.face.asset == asset),
        settled_on_time=sum(1 for f in settled if f.days_overdue == 0),
        settled_late=sum(1 for f in settled if f.days_overdue > 0),
        defaulted=sum(1 for f in past if f.status is FinancingStatus.DEFAULTED),
        invoices_issued=len(invoices),
        invoices_cancelled=sum(1 for i in invoices if i.status is InvoiceStatus.CANCELLED))


def priced_party(product: Product, collateral: Collateral) -> str:
    """Whose credit prices the deal: the obligor's, except soft reverse factoring
    (no payment undertaking: the supplier's own risk)."""
    if product is Product.REVERSE_FACTORING_SOFT:
        return collateral.holder_id
    return collateral.obligor_id


async def price(unit: ScfUnitOfWork, ratings: Ratings, *, product: Product,
                collateral: Collateral, seller_id: str, amount: Money | None, today: date
                ) -> pricing.Quote:
    days = (collateral.maturity_date - today).days
    if days < 1:
        raise FailedPrecondition("COLLATERAL_MATURED", "the collateral matures today or earlier")
    requested = amount or collateral.face
    advance_rate = CONTEXT.divide(Decimal(requested.units), Decimal(collateral.face.units))
    history = await seller_history(unit, seller_id, collateral.face.asset)
    rating = await ratings.rating(priced_party(product, collateral))
    return pricing.quote(collateral.face, days=days, rating=rating, history=history,
                         advance_rate=advance_rate)


async def quote(new_unit: NewUnit, ports: Ports, *, product: Product, kind: CollateralKind,
                collateral_id: str, seller_id: str, caller: Caller, clock: Clock,
                maturity: date | None = None, amount: Money | None = None
                ) -> tuple[Collateral, pricing.Quote]:
    async with new_unit() as unit:
        _check_product(product, kind)
        collateral = await collateral_of(unit, kind, collateral_id, product=product,
                                         amount=amount, maturity=maturity)
        seller = seller_id or collateral.holder_id
        if not caller.privileged and caller.subject not in (seller, collateral.holder_id):
            await _require_funder(unit, caller.subject)
        found = await price(unit, ports.ratings, product=product, collateral=collateral,
                            seller_id=seller, amount=None, today=clock().date())
    return collateral, found


def _check_product(product: Product, kind: CollateralKind) -> None:
    if PRODUCT_COLLATERAL[product] is not kind:
        raise FailedPrecondition("COLLATERAL_DOES_NOT_FIT",
                                 f"{product.value} rests on {PRODUCT_COLLATERAL[product].value}")


async def _require_funder(unit: ScfUnitOfWork, principal_id: str) -> None:
    from ntb_scf_exchange.domain.alliances import Role

    if not any(m.has(Role.FUNDER) for m in await unit.members.find({"member_id": principal_id})):
        raise PermissionDenied("only FUNDER members of an alliance do this")


async def borrowing_base_of(unit: ScfUnitOfWork, holder_id: str, asset: str, today: date,
                            rules: bb.Rules) -> bb.BorrowingBase:
    """The holder's receivables: payables it holds unencumbered, and its unconfirmed
    invoices without a financing on them."""
    receivables: list[bb.Receivable] = []
    for payable in await unit.payables.find({"holder_id": holder_id, "status": [
            PayableStatus.OUTSTANDING.value, PayableStatus.OVERDUE.value]},
            order=("created_at", "payable_id")):
        if payable.face.asset == asset:
            invoice = await invoice_of(unit, payable.invoice_id)
            receivables.append(bb.Receivable(payable.payable_id, payable.obligor_id,
                                             payable.face.units, invoice.issue_date))
    busy = {f.collateral_id for f in await unit.financings.find(
        {"applicant_id": holder_id, "status": ACTIVE})}
    for invoice in await unit.invoices.find({"seller_id": holder_id,
                                             "status": InvoiceStatus.ISSUED.value},
                                            order=("created_at", "invoice_id")):
        if invoice.amount.asset == asset and invoice.invoice_id not in busy:
            receivables.append(bb.Receivable(invoice.invoice_id, invoice.buyer_id,
                                             invoice.amount.units, invoice.issue_date))
    return bb.borrowing_base(receivables, today=today, rules=rules)


async def get_borrowing_base(new_unit: NewUnit, holder_id: str, asset: str, caller: Caller,
                             clock: Clock) -> bb.BorrowingBase:
    caller.require_access_to(holder_id)
    async with new_unit() as unit:
        return await borrowing_base_of(unit, holder_id, asset, clock().date(), PLEDGE_RULES)


async def _check_pledge(unit: ScfUnitOfWork, command: RequestFinancing, face: Money,
                        today: date) -> None:
    base = await borrowing_base_of(unit, command.applicant_id, face.asset, today, PLEDGE_RULES)
    available = base.available_for(command.collateral_id, PLEDGE_RULES)
    if command.requested_amount.units > available:
        raise FailedPrecondition("EXCEEDS_BORROWING_BASE",
                                 f"this receivable supports at most {available} "
                                 f"(eligible part x {PLEDGE_RULES.advance_rate})")


async def request_financing(new_unit: NewUnit, ports: Ports, command: RequestFinancing,
                            caller: Caller, clock: Clock) -> Financing:
    caller.require_may_act_for(command.applicant_id)
    _check_product(command.product, command.collateral_kind)
    fx = None
    loan = command.collateral_kind in LOAN_KINDS
    if loan != (command.maturity_date is not None):  # receivables carry their maturity
        raise FailedPrecondition("MATURITY_INVALID", "loans need a maturity_date; receivables "
                                 "mature with their collateral (leave it unset)")
    async with new_unit() as unit:  # read-only look first: the fx call stays outside
        collateral = await collateral_of(unit, command.collateral_kind, command.collateral_id,
                                         product=command.product,
                                         amount=command.requested_amount,
                                         maturity=command.maturity_date)
    wanted = command.disbursement_asset or collateral.face.asset
    if wanted != collateral.face.asset:
        fx = await ports.fx.rate(base_asset=collateral.face.asset, quote_asset=wanted)

    async def perform(unit: ScfUnitOfWork) -> str:
        found = await collateral_of(unit, command.collateral_kind, command.collateral_id,
                                    product=command.product, amount=command.requested_amount,
                                    maturity=command.maturity_date)
        if found.holder_id != command.applicant_id:
            raise FailedPrecondition("NOT_COLLATERAL_HOLDER", "the applicant does not hold it")
        if command.requested_amount.asset != found.face.asset or not (
                0 < command.requested_amount.units <= found.cap_units):
            raise FailedPrecondition("REQUESTED_AMOUNT_INVALID",
                                     "the requested amount is in the collateral's asset, at "
                                     f"most {found.cap_units}")
        if loan and not 0 < (found.maturity_date - clock().date()).days <= LOAN_DAYS_MAX:
            raise FailedPrecondition("MATURITY_INVALID",
                                     f"a loan matures within {LOAN_DAYS_MAX} days")
        if await unit.financings.find({"collateral_id": found.collateral_id, "status": ACTIVE}):
            raise FailedPrecondition("COLLATERAL_ENCUMBERED", "a financing already rests on it")
        if command.product is Product.RECEIVABLES_PLEDGE:
            await _check_pledge(unit, command, found.face, clock().date())
        alliance_id = command.alliance_id or found.alliance_id
        chain_type = ""
        if alliance_id:
            from ntb_scf_exchange.service.alliances import alliance_of
            chain_type = (await alliance_of(unit, alliance_id)).chain_type.value
        now = clock()
        the_quote = await price(unit, ports.ratings, product=command.product, collateral=found,
                                seller_id=command.applicant_id,
                                amount=command.requested_amount, today=now.date())
        financing = Financing(
            financing_id=new_id(), product=command.product, applicant_id=command.applicant_id,
            collateral_kind=found.kind, collateral_id=found.collateral_id,
            obligor_id=found.obligor_id, face=found.face,
            requested_amount=command.requested_amount, maturity_date=found.maturity_date,
            disbursement_asset=wanted, alliance_id=alliance_id, chain_type=chain_type,
            bidding_closes_at=command.bidding_closes_at or now + BIDDING_DEFAULT,
            status=FinancingStatus.OPEN, quote=the_quote, created_at=now, fx=fx,
            disbursement_payee_id=found.payee_id)
        await unit.financings.add(financing)
        await unit.due_work.schedule(DueWork(f"{CLOSE_BIDDING}:{financing.financing_id}",
                                             CLOSE_BIDDING, financing.financing_id,
                                             financing.bidding_closes_at))
        unit.record(FinancingRequested(financing))
        return financing.financing_id

    financing_id = await once(new_unit, "RequestFinancing", command.request_id, command, perform)
    return await get_financing(new_unit, financing_id, caller)


async def financing_of(unit: ScfUnitOfWork, financing_id: str, *, for_update: bool = False
                       ) -> Financing:
    found = await unit.financings.get(financing_id, for_update=for_update)
    if found is None:
        raise NotFound("financing", financing_id)
    return found


async def get_financing(new_unit: NewUnit, financing_id: str, caller: Caller) -> Financing:
    async with new_unit() as unit:
        found = await financing_of(unit, financing_id)
        parties = (found.applicant_id, found.funder_id, found.obligor_id)
        if not caller.privileged and caller.subject not in parties:
            if found.status is not FinancingStatus.OPEN:
                raise PermissionDenied("only the parties see a closed financing")
            await _require_funder(unit, caller.subject)  # open ones are visible to funders
    return found


async def list_financings(new_unit: NewUnit, *, applicant_id: str, funder_id: str,
                          product: Product | None, status: FinancingStatus | None,
                          alliance_id: str, caller: Caller, offset: int, limit: int
                          ) -> list[Financing]:
    where: dict[str, object] = {}
    if applicant_id:
        where["applicant_id"] = applicant_id
    if funder_id:
        where["funder_id"] = funder_id
    if product is not None:
        where["product"] = product.value
    if status is not None:
        where["status"] = status.value
    if alliance_id:
        where["alliance_id"] = alliance_id
    async with new_unit() as unit:
        if not caller.privileged and caller.subject not in (applicant_id, funder_id):
            if status is not FinancingStatus.OPEN:
                raise PermissionDenied("list your own financings, or the OPEN ones as a funder")
            await _require_funder(unit, caller.subject)
        return await unit.financings.find(where, order=("-created_at", "financing_id"),
                                          offset=offset, limit=limit)


async def cancel(new_unit: NewUnit, *, request_id: str, financing_id: str, reason: str,
                 caller: Caller, clock: Clock) -> Financing:
    async def perform(unit: ScfUnitOfWork) -> str:
        financing = await financing_of(unit, financing_id, for_update=True)
        caller.require_may_act_for(financing.applicant_id)
        financing.require(FinancingStatus.OPEN)
        await unit.financings.save(replace(financing, status=FinancingStatus.CANCELLED,
                                           closed_at=clock()))
        for bid in await unit.bids.find({"financing_id": financing_id,
                                         "status": BidStatus.OPEN.value}):
            await unit.bids.save(replace(bid, status=BidStatus.LOST))
        return financing_id

    await once(new_unit, "CancelFinancing", request_id,
               {"financing_id": financing_id, "reason": reason}, perform)
    return await get_financing(new_unit, financing_id, caller)


def bid_terms(financing: Financing, rate: Decimal, today: date) -> tuple[Money, Money]:
    """Discount (collateral asset) and advance (disbursement asset) at a rate."""
    days = max(1, (financing.maturity_date - today).days)
    discount = pricing.straight_discount(financing.face, advance_rate=financing.advance_rate,
                                         rate=rate, days=days)
    advance = pricing.advance(financing.face, advance_rate=financing.advance_rate,
                              discount=discount)
    if financing.fx is not None:
        advance = convert(advance, to_asset=financing.disbursement_asset,
                          rate=financing.fx.rate)
    return discount, advance


async def place_bid(new_unit: NewUnit, command: PlaceBid, caller: Caller, clock: Clock) -> Bid:
    caller.require_may_act_for(command.funder_id)

    async def perform(unit: ScfUnitOfWork) -> str:
        financing = await financing_of(unit, command.financing_id, for_update=True)
        financing.require(FinancingStatus.OPEN)
        now = clock()
        if now >= financing.bidding_closes_at:
            raise FailedPrecondition("BIDDING_CLOSED", "bidding on this financing has closed")
        if command.funder_id == financing.applicant_id:
            raise FailedPrecondition("SELF_FINANCING", "the applicant cannot fund itself")
        await _require_alliance_funder(unit, financing, command.funder_id)
        rate = command.annual_rate or financing.quote.annual_rate
        for old in await unit.bids.find({"financing_id": financing.financing_id,
                                         "funder_id": command.funder_id,
                                         "status": BidStatus.OPEN.value}):
            await unit.bids.save(replace(old, status=BidStatus.WITHDRAWN))
        discount, advance = bid_terms(financing, rate, now.date())
        expires_at = min(command.expires_at or financing.bidding_closes_at,
                         financing.bidding_closes_at)
        bid = Bid(new_id(), financing.financing_id, command.funder_id, rate, discount, advance,
                  expires_at, BidStatus.OPEN, now)
        await unit.bids.add(bid)
        unit.record(BidPlaced(bid))
        return bid.bid_id

    bid_id = await once(new_unit, "PlaceBid", command.request_id, command, perform)
    async with new_unit() as unit:
        found = await unit.bids.get(bid_id)
    assert found is not None
    return found


async def _require_alliance_funder(unit: ScfUnitOfWork, financing: Financing,
                                   funder_id: str) -> None:
    from ntb_scf_exchange.domain.alliances import Role

    if financing.alliance_id:
        member = await unit.members.get(financing.alliance_id, funder_id)
        if member is None or not member.has(Role.FUNDER):
            raise FailedPrecondition("NOT_ALLIANCE_FUNDER",
                                     "only FUNDER members of the financing's alliance bid")
    else:
        await _require_funder(unit, funder_id)


async def withdraw_bid(new_unit: NewUnit, *, request_id: str, bid_id: str, caller: Caller
                       ) -> Bid:
    async def perform(unit: ScfUnitOfWork) -> str:
        bid = await unit.bids.get(bid_id, for_update=True)
        if bid is None:
            raise NotFound("bid", bid_id)
        caller.require_may_act_for(bid.funder_id)
        if bid.status is not BidStatus.OPEN:
            raise FailedPrecondition("BID_NOT_OPEN", f"the bid is {bid.status.value}")
        await unit.bids.save(replace(bid, status=BidStatus.WITHDRAWN))
        return bid_id

    await once(new_unit, "WithdrawBid", request_id, {"bid_id": bid_id}, perform)
    async with new_unit() as unit:
        found = await unit.bids.get(bid_id)
    assert found is not None
    return found


async def list_bids(new_unit: NewUnit, *, financing_id: str, funder_id: str,
                    status: BidStatus | None, caller: Caller, offset: int, limit: int
                    ) -> list[Bid]:
    where: dict[str, object] = {}
    async with new_unit() as unit:
        if financing_id:
            financing = await financing_of(unit, financing_id)
            where["financing_id"] = financing_id
            if not caller.privileged and caller.subject not in (financing.applicant_id,
                                                                funder_id):
                raise PermissionDenied("the applicant sees the bids; funders their own")
        if funder_id:
            caller.require_access_to(funder_id)
            where["funder_id"] = funder_id
        if status is not None:
            where["status"] = status.value
        found = await unit.bids.find(where)
    ranked = sorted(found, key=lambda b: (b.annual_rate, b.created_at, b.bid_id))
    return ranked[offset:offset + limit]


async def accept_bid(new_unit: NewUnit, ports: Ports, *, request_id: str, financing_id: str,
                     bid_id: str, caller: Caller, clock: Clock) -> Financing:
    """The lowest-cost open bid wins; the funder's advance is paid through the ledger
    (transfer id derived from the financing: a retry pays once), then the collateral is
    assigned to the funder in one transaction with the FUNDED state."""
    async with new_unit() as unit:
        financing = await financing_of(unit, financing_id)
        caller.require_may_act_for(financing.applicant_id)
        previous = await unit.previous_response(
            operation="AcceptBid", request_id=request_id,
            fingerprint=fingerprint(_AcceptKey(financing_id, bid_id)))
        if previous is not None:
            return await get_financing(new_unit, previous.decode(), caller)
        financing.require(FinancingStatus.OPEN)
        winner = lowest_cost(await unit.bids.find({"financing_id": financing_id}), clock())
    if winner is None:
        raise FailedPrecondition("NO_OPEN_BID", "no open bid stands on this financing")
    if bid_id and bid_id != winner.bid_id:
        raise FailedPrecondition("BID_NOT_LOWEST_COST",
                                 f"bid {winner.bid_id} offers a lower cost")
    try:
        await _fund(new_unit, ports, financing, winner, operation="AcceptBid",
                    request_id=request_id, key=_AcceptKey(financing_id, bid_id), clock=clock)
    except InsufficientFunds as error:
        raise FailedPrecondition("FUNDER_SHORT", "the funder's wallet cannot pay the advance"
                                 ) from error
    return await get_financing(new_unit, financing_id, caller)


async def close_bidding(new_unit: NewUnit, ports: Ports, financing_id: str, clock: Clock
                        ) -> None:
    """At the bidding close an OPEN financing goes to the lowest-cost standing offer
    whose funder can pay (the next one otherwise), or expires without one."""
    async with new_unit() as unit:
        financing = await financing_of(unit, financing_id)
        bids = await unit.bids.find({"financing_id": financing_id})
    if financing.status is not FinancingStatus.OPEN:
        return
    just_before = financing.bidding_closes_at - timedelta(microseconds=1)
    standing = sorted((b for b in bids if b.status is BidStatus.OPEN
                       and b.expires_at > just_before),
                      key=lambda b: (b.annual_rate, b.created_at, b.bid_id))
    for bid in standing:
        try:  # a collateral gone since the request fails here, before money moves
            await _fund(new_unit, ports, financing, bid, operation="CloseBidding",
                        request_id=derived_id("award", financing_id, bid.bid_id),
                        key={"financing_id": financing_id, "bid_id": bid.bid_id}, clock=clock)
            return
        except InsufficientFunds:
            continue
        except FailedPrecondition:
            break  # the collateral is gone or matured: nothing to fund any more

    async def expire(unit: ScfUnitOfWork) -> str:
        current = await financing_of(unit, financing_id, for_update=True)
        if current.status is FinancingStatus.OPEN:
            await unit.financings.save(replace(current, status=FinancingStatus.EXPIRED,
                                               closed_at=clock()))
            for bid in await unit.bids.find({"financing_id": financing_id,
                                             "status": BidStatus.OPEN.value}):
                await unit.bids.save(replace(bid, status=BidStatus.EXPIRED))
        return financing_id

    await once(new_unit, "CloseBidding", derived_id("expire", financing_id),
               {"financing_id": financing_id}, expire)


async def _fund(new_unit: NewUnit, ports: Ports, financing: Financing, winner: Bid, *,
                operation: str, request_id: str, key: object, clock: Clock) -> None:
    financing_id = financing.financing_id
    async with new_unit() as unit:  # no money moves for collateral gone or matured since
        loan = financing.collateral_kind in LOAN_KINDS
        found = await collateral_of(unit, financing.collateral_kind, financing.collateral_id,
                                    product=financing.product,
                                    amount=financing.requested_amount,
                                    maturity=financing.maturity_date if loan else None)
        if (found.maturity_date - clock().date()).days < 1:
            raise FailedPrecondition("COLLATERAL_MATURED", "the collateral matures today")
    transfer_id = derived_id("fund", financing_id)
    payee = financing.disbursement_payee_id or financing.applicant_id
    await ports.ledger.pay([Payment(transfer_id, winner.funder_id, payee,
                                    winner.advance, TransferCode.FINANCING_DISBURSEMENT,
                                    f"financing:{financing_id}")])

    async def perform(unit: ScfUnitOfWork) -> str:
        current = await financing_of(unit, financing_id, for_update=True)
        now = clock()
        funded = current.funded(winner, fx=current.fx, transfer_id=transfer_id, at=now)
        await unit.financings.save(funded)
        for bid in await unit.bids.find({"financing_id": financing_id,
                                         "status": BidStatus.OPEN.value}):
            won = bid.bid_id == winner.bid_id
            await unit.bids.save(replace(bid, status=BidStatus.ACCEPTED if won
                                         else BidStatus.LOST))
        await _assign_collateral(unit, funded)
        unit.record(FinancingFunded(funded))
        return financing_id

    await once(new_unit, operation, request_id, key, perform)


@dataclass(frozen=True)
class _AcceptKey:
    financing_id: str
    bid_id: str


async def _assign_collateral(unit: ScfUnitOfWork, financing: Financing) -> None:
    """A payable is assigned (encumbered) to the funder and settles with its chain; other
    collateral settles on its own at maturity."""
    if financing.collateral_kind is CollateralKind.PAYABLE:
        payable = await payable_of(unit, financing.collateral_id, for_update=True)
        await unit.payables.save(payable.encumbered(financing.financing_id))
        return
    if financing.collateral_kind is CollateralKind.LETTER_OF_CREDIT:
        return  # the credit's own settlement at maturity pays the funder
    if financing.collateral_kind is CollateralKind.WAREHOUSE_RECEIPT:
        receipt = await logistics.receipt_of(unit, financing.collateral_id, for_update=True)
        await unit.receipts.save(receipt.pledged(financing.financing_id))
    await unit.due_work.schedule(DueWork(
        f"{SETTLE_FINANCING}:{financing.financing_id}", SETTLE_FINANCING,
        financing.financing_id, start_of(financing.maturity_date)))
