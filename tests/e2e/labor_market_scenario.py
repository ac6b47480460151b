"""DESIGN §5 as a bank drives it, over the public gRPC APIs - shared by the distributed
e2e test (tests/e2e/test_labor_market.py), the embedded-mode test
(cli/tests/unit/test_labor_market_embedded.py) and the saga's crash-point tests.

The scenario only uses targets and an operator's token, so it runs the same against
six processes on PostgreSQL and Kafka or against `make run`'s one process. Amounts
are checked exactly as integers, against figures read before each step (so other
tests sharing the suite's economy do not matter).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_EVEN, Context, Decimal
from typing import TypeVar

import grpc
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from google.protobuf.timestamp_pb2 import Timestamp

from ntb.common.v1 import common_pb2
from ntb.identity.v1 import identity_pb2 as idpb
from ntb.identity.v1 import identity_pb2_grpc
from ntb.laborcoin.v1 import laborcoin_pb2 as lcpb
from ntb.laborcoin.v1 import laborcoin_pb2_grpc
from ntb.matching.v1 import matching_pb2 as mpb
from ntb.matching.v1 import matching_pb2_grpc

T = TypeVar("T")
CONTEXT = Context(prec=50, rounding=ROUND_HALF_EVEN)
MICRO, FEN = 1_000_000, 100
ENTRUSTED_HOURS = 720
ORDER_HOURS = 100
DEPOSIT_FEN = 1_000_000  # 10,000 CNY at the buyer's bank
MIN_PRICE_FEN = 5_000  # the worker asks 50 CNY per hour
CALL_TIMEOUT_S = 30.0  # generous: the test machine is shared and often loaded


def new_id() -> str:
    return str(uuid.uuid4())


def stamp(moment: datetime) -> Timestamp:
    result = Timestamp()
    result.FromDatetime(moment)
    return result


async def until(check: Callable[[], Awaitable[T | None]], timeout_s: float = 90.0) -> T:
    """Events travel asynchronously: wait for what they cause."""
    deadline = asyncio.get_running_loop().time() + timeout_s
    while True:
        found = await check()
        if found:
            return found
        assert asyncio.get_running_loop().time() < deadline, "condition not met in time"
        await asyncio.sleep(0.1)


def lbc_for(value_fen: int, price: Decimal) -> int:
    """What matching escrows: value / price, rounded up to the micro-coin."""
    lbc = CONTEXT.divide(CONTEXT.divide(Decimal(value_fen), Decimal(FEN)), price)
    return int(CONTEXT.multiply(lbc, Decimal(MICRO)).to_integral_value(ROUND_CEILING))


def fen_for(units: int, price: Decimal) -> int:
    """What matching pays to buy at least `units`: rounded up to the fen."""
    fen = CONTEXT.multiply(CONTEXT.divide(Decimal(units), Decimal(MICRO)),
                           CONTEXT.multiply(price, Decimal(FEN)))
    return int(fen.to_integral_value(ROUND_CEILING))


def coins_for(fen: int, price: Decimal) -> int:
    """What laborcoin issues for CNY: floor(pay / price) to the micro-coin."""
    lbc = CONTEXT.divide(CONTEXT.divide(Decimal(fen), Decimal(FEN)), price)
    return int(CONTEXT.multiply(lbc, Decimal(MICRO)).to_integral_value(ROUND_FLOOR))


def half_even(value: Decimal) -> int:
    return int(value.to_integral_value(ROUND_HALF_EVEN))


def nav(reserve_fen: int, outstanding_units: int) -> Decimal:
    """Coin price = reserve / outstanding, CNY per LBC, 12 places half-even."""
    return CONTEXT.divide(CONTEXT.divide(Decimal(reserve_fen), Decimal(FEN)),
                          CONTEXT.divide(Decimal(outstanding_units), Decimal(MICRO))
                          ).quantize(Decimal("1e-12"), context=CONTEXT)


@dataclass(frozen=True)
class Economy:
    price: Decimal
    reserve_fen: int
    outstanding_units: int


@dataclass
class Worker:
    person_id: str
    value_fen: int
    entrustment_id: str = ""


@dataclass
class Buyer:
    buyer_id: str
    cny_wallet_id: str = ""


class LaborMarket:
    """The three services' stubs and the bank's (operator's) credentials."""

    def __init__(self, *, identity: str, laborcoin: str, matching: str, token: str) -> None:
        self._channels = [grpc.aio.insecure_channel(t) for t in (identity, laborcoin, matching)]
        self.identity = identity_pb2_grpc.IdentityServiceStub(self._channels[0])
        self.ledger = laborcoin_pb2_grpc.LaborCoinServiceStub(self._channels[1])
        self.matching = matching_pb2_grpc.MatchingServiceStub(self._channels[2])
        self.auth = (("authorization", f"Bearer {token}"),)
        self.tag = f"weld-{uuid.uuid4().hex[:8]}"  # a skill only this run's worker has

    async def close(self) -> None:
        for channel in self._channels:
            await channel.close()

    # -- identity ----------------------------------------------------------------
    async def register_worker(self) -> tuple[Worker, Ed25519PrivateKey, str]:
        """Steps 1-2: a verified person with a contract key and a first value point."""
        person = (await self.identity.RegisterPrincipal(idpb.RegisterPrincipalRequest(
            request_id=new_id(), kind=idpb.PRINCIPAL_KIND_PERSON, display_name="Li Wei",
            country_code="CN", region="CN-GD", industry_code="C30",
            person=idpb.PersonProfile(birth_year=1990, experience_years=8, skills=[self.tag])),
            metadata=self.auth, timeout=CALL_TIMEOUT_S)).principal.principal_id
        await self._verify_kyc(person)
        key = Ed25519PrivateKey.generate()
        public = key.public_key().public_bytes(serialization.Encoding.Raw,
                                               serialization.PublicFormat.Raw)
        request_id = new_id()
        proof = key.sign(f"ntb-contract-key:v1:{person}:{request_id}".encode())
        key_id = (await self.identity.RegisterSigningPublicKey(
            idpb.RegisterSigningPublicKeyRequest(
                request_id=request_id, principal_id=person, public_key=public,
                proof_of_possession=proof), metadata=self.auth, timeout=CALL_TIMEOUT_S)).key.key_id
        value = await self.identity.GetValueWave(idpb.GetValueWaveRequest(principal_id=person),
                                                 metadata=self.auth, timeout=CALL_TIMEOUT_S)
        assert value.current.hourly_value.units > 0
        await self.lbc_wallet(person)  # step 1: the wallet opened by event
        return Worker(person, value.current.hourly_value.units), key, key_id

    async def register_buyer(self) -> Buyer:
        buyer = (await self.identity.RegisterPrincipal(idpb.RegisterPrincipalRequest(
            request_id=new_id(), kind=idpb.PRINCIPAL_KIND_ENTERPRISE,
            display_name="Pearl River Shipyard", country_code="CN", region="CN-GD",
            industry_code="C30", enterprise=idpb.EnterpriseProfile(
                registration_number=f"9144{uuid.uuid4().hex[:14].upper()}", size="large")),
            metadata=self.auth, timeout=CALL_TIMEOUT_S)).principal.principal_id
        await self._verify_kyc(buyer)
        await self.lbc_wallet(buyer)
        return Buyer(buyer)

    async def _verify_kyc(self, principal_id: str) -> None:
        await self.identity.SetKycStatus(idpb.SetKycStatusRequest(
            request_id=new_id(), principal_id=principal_id,
            kyc_status=idpb.KYC_STATUS_VERIFIED, reason="documents checked"),
            metadata=self.auth, timeout=CALL_TIMEOUT_S)

    async def current_value(self, principal_id: str) -> int:
        value = await self.identity.GetValueWave(idpb.GetValueWaveRequest(
            principal_id=principal_id), metadata=self.auth, timeout=CALL_TIMEOUT_S)
        return int(value.current.hourly_value.units)

    async def wave_sizes(self, principal_id: str) -> tuple[int, int]:
        value = await self.identity.GetValueWave(idpb.GetValueWaveRequest(
            principal_id=principal_id), metadata=self.auth, timeout=CALL_TIMEOUT_S)
        credit = await self.identity.GetCreditWave(idpb.GetCreditWaveRequest(
            principal_id=principal_id), metadata=self.auth, timeout=CALL_TIMEOUT_S)
        return len(value.points), len(credit.points)

    # -- laborcoin -----------------------------------------------------------------
    async def account(self, owner_id: str, asset: str, kind: int) -> lcpb.Account | None:
        try:
            return (await self.ledger.GetAccount(lcpb.GetAccountRequest(
                owner=lcpb.AccountOwnerKey(owner_id=owner_id, asset=asset, kind=kind)),  # type: ignore[arg-type]
                metadata=self.auth, timeout=CALL_TIMEOUT_S)).account
        except grpc.aio.AioRpcError as error:
            assert error.code() == grpc.StatusCode.NOT_FOUND, error
            return None

    async def lbc_wallet(self, owner_id: str) -> lcpb.Account:
        async def opened() -> lcpb.Account | None:
            return await self.account(owner_id, "LBC", lcpb.ACCOUNT_KIND_WALLET)
        return await until(opened)

    async def balance(self, account_id: str) -> lcpb.Balance:
        found = await self.ledger.GetBalances(lcpb.GetBalancesRequest(account_ids=[account_id]),
                                              metadata=self.auth, timeout=CALL_TIMEOUT_S)
        return found.balances[0]

    async def economy(self) -> Economy:
        point = (await self.ledger.GetCoinPrice(lcpb.GetCoinPriceRequest(),
                                                metadata=self.auth, timeout=CALL_TIMEOUT_S)).price
        return Economy(Decimal(point.price.value), point.reserve.units,
                       point.outstanding_supply.units)

    async def cap_units(self) -> int:
        cap = await self.ledger.GetIssuanceCap(lcpb.GetIssuanceCapRequest(),
                                               metadata=self.auth, timeout=CALL_TIMEOUT_S)
        return cap.issuance_cap.cap.units

    async def settled_cap(self, quiet_s: float = 3.0) -> int:
        """The cap once it stopped moving for `quiet_s` (laborcoin caught up with events)."""
        last = await self.cap_units()
        deadline = asyncio.get_running_loop().time() + 120
        while asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(quiet_s)
            now = await self.cap_units()
            if now == last:
                return now
            last = now
        raise AssertionError("the issuance cap never settled")

    async def policy(self) -> lcpb.Policy:
        return (await self.ledger.GetPolicy(lcpb.GetPolicyRequest(), metadata=self.auth,
                                            timeout=CALL_TIMEOUT_S)).policy

    async def deposit_cny(self, buyer: Buyer, fen: int) -> None:
        """The buyer's bank moves CNY into the buyer's ledger wallet."""
        bank, wallet = new_id(), new_id()
        created = await self.ledger.CreateAccounts(lcpb.CreateAccountsRequest(
            request_id=new_id(), accounts=[
                lcpb.Account(account_id=bank, owner_id=f"bank-{bank[:8]}", asset="CNY",
                             kind=lcpb.ACCOUNT_KIND_EXTERNAL_SETTLEMENT),
                lcpb.Account(account_id=wallet, owner_id=buyer.buyer_id, asset="CNY",
                             kind=lcpb.ACCOUNT_KIND_WALLET, flags=lcpb.AccountFlags(
                                 debits_must_not_exceed_credits=True))]),
            metadata=self.auth, timeout=CALL_TIMEOUT_S)
        assert [r.code for r in created.results] == [lcpb.CREATE_ACCOUNT_RESULT_CODE_OK] * 2
        moved = await self.ledger.CreateTransfers(lcpb.CreateTransfersRequest(
            request_id=new_id(), transfers=[lcpb.Transfer(
                transfer_id=new_id(), debit_account_id=bank, credit_account_id=wallet,
                amount=common_pb2.Money(asset="CNY", units=fen),
                code=lcpb.TRANSFER_CODE_DEPOSIT)]), metadata=self.auth, timeout=CALL_TIMEOUT_S)
        assert moved.results[0].code == lcpb.CREATE_TRANSFER_RESULT_CODE_OK
        buyer.cny_wallet_id = wallet

    # -- matching --------------------------------------------------------------------
    async def entrust(self, worker: Worker, key: Ed25519PrivateKey, key_id: str) -> None:
        """Step 3: 720 hours under a signed, countersigned contract."""
        now = datetime.now(UTC)
        request_id = new_id()

        async def entrusted() -> mpb.Entrustment | None:  # waits for the projection
            try:
                return (await self.matching.EntrustLabor(mpb.EntrustLaborRequest(
                    request_id=request_id, person_id=worker.person_id,
                    hours=common_pb2.Decimal(value=str(ENTRUSTED_HOURS)),
                    availability=common_pb2.TimeRange(
                        start_time=stamp(now), end_time=stamp(now + timedelta(days=180))),
                    skills=[self.tag], min_hourly_price=common_pb2.Money(
                        asset="CNY", units=MIN_PRICE_FEN), remote_ok=True),
                    metadata=self.auth, timeout=CALL_TIMEOUT_S)).entrustment
            except grpc.aio.AioRpcError as error:
                assert error.code() in (grpc.StatusCode.NOT_FOUND,
                                        grpc.StatusCode.FAILED_PRECONDITION), error
                return None

        entrustment = await until(entrusted)

        async def signed() -> mpb.Entrustment | None:  # waits for the key in the projection
            try:  # a new request id each time: a refused one would keep its refusal
                return (await self.matching.SignEntrustment(mpb.SignEntrustmentRequest(
                    request_id=new_id(), entrustment_id=entrustment.entrustment_id,
                    signer_key_id=key_id, signer_signature=key.sign(
                        entrustment.contract.terms_sha256)), metadata=self.auth,
                    timeout=CALL_TIMEOUT_S)).entrustment
            except grpc.aio.AioRpcError as error:
                assert error.code() == grpc.StatusCode.FAILED_PRECONDITION, error
                return None

        active = await until(signed)
        assert active.status == mpb.ENTRUSTMENT_STATUS_ACTIVE
        worker.entrustment_id = active.entrustment_id
        checked = await self.matching.VerifyContract(mpb.VerifyContractRequest(
            contract_id=active.contract.contract_id), metadata=self.auth, timeout=CALL_TIMEOUT_S)
        assert (checked.terms_hash_valid, checked.signer_signature_valid,
                checked.platform_signature_valid) == (True, True, True)
        keys = await self.matching.GetPlatformSigningKeys(  # public: no token
            mpb.GetPlatformSigningKeysRequest(), timeout=CALL_TIMEOUT_S)
        assert checked.platform_public_key in [k.public_key for k in keys.keys]

    async def post_demand(self, buyer: Buyer, hours: int = ORDER_HOURS) -> str:
        now = datetime.now(UTC)
        request_id = new_id()

        async def posted() -> mpb.Demand | None:  # waits for the buyer in the projection
            try:
                return (await self.matching.PostDemand(mpb.PostDemandRequest(
                    request_id=request_id, buyer_id=buyer.buyer_id, title="Hull welding",
                    industry_code="C30", skills=[self.tag],
                    hours=common_pb2.Decimal(value=str(hours)),
                    window=common_pb2.TimeRange(start_time=stamp(now + timedelta(days=1)),
                                                end_time=stamp(now + timedelta(days=60))),
                    max_hourly_price=common_pb2.Money(asset="CNY", units=9_000),
                    region="CN-GD", remote_ok=True), metadata=self.auth,
                    timeout=CALL_TIMEOUT_S)).demand
            except grpc.aio.AioRpcError as error:
                assert error.code() in (grpc.StatusCode.NOT_FOUND,
                                        grpc.StatusCode.FAILED_PRECONDITION), error
                return None

        return (await until(posted)).demand_id

    async def match_into_order(self, demand_id: str, worker: Worker) -> mpb.Order:
        """Step 4: matching proposes the person; the batch assignment forms the order."""
        proposed = await self.matching.ProposeCandidates(mpb.ProposeCandidatesRequest(
            demand_id=demand_id, top_k=3), metadata=self.auth, timeout=CALL_TIMEOUT_S)
        [first] = proposed.candidates
        assert first.person_id == worker.person_id and first.rank == 1
        assert first.hourly_price.units == MIN_PRICE_FEN
        assert first.score.skill_overlap.value == "1.000000" and first.score.credit.value
        matched = await self.matching.MatchDemands(mpb.MatchDemandsRequest(
            request_id=new_id(), demand_ids=[demand_id], create_orders=True),
            metadata=self.auth, timeout=CALL_TIMEOUT_S)
        [assignment] = matched.assignments
        assert assignment.candidate.entrustment_id == worker.entrustment_id
        order = (await self.matching.GetOrder(mpb.GetOrderRequest(
            order_id=assignment.order_id), metadata=self.auth, timeout=CALL_TIMEOUT_S)).order
        assert order.status == mpb.ORDER_STATUS_AWAITING_PAYMENT
        assert order.labor_value.units == ORDER_HOURS * MIN_PRICE_FEN
        return order

    async def get_order(self, order_id: str) -> mpb.Order:
        return (await self.matching.GetOrder(mpb.GetOrderRequest(order_id=order_id),
                                             metadata=self.auth, timeout=CALL_TIMEOUT_S)).order

    async def pay(self, order_id: str, request_id: str = "") -> mpb.Order:
        return (await self.matching.PayOrder(mpb.PayOrderRequest(
            request_id=request_id or new_id(), order_id=order_id, buy_coins_if_needed=True),
            metadata=self.auth, timeout=CALL_TIMEOUT_S)).order

    async def deliver(self, order_id: str) -> mpb.Order:
        return (await self.matching.DeliverOrder(mpb.DeliverOrderRequest(
            request_id=new_id(), order_id=order_id, note="hull sections welded"),
            metadata=self.auth, timeout=CALL_TIMEOUT_S)).order

    async def confirm(self, order_id: str, request_id: str = "") -> mpb.Order:
        return (await self.matching.ConfirmOrder(mpb.ConfirmOrderRequest(
            request_id=request_id or new_id(), order_id=order_id, rating=5,
            comment="on time"), metadata=self.auth, timeout=CALL_TIMEOUT_S)).order


@dataclass(frozen=True)
class Outcome:
    """What the scenario produced, for the callers' own extra checks (e.g. `ntb verify`)."""

    order: mpb.Order
    worker: Worker
    buyer: Buyer
    payout_transfer_id: str


async def run_labor_market(market: LaborMarket) -> Outcome:
    """DESIGN §5 steps 1-7 with every balance and the fee/price arithmetic exact."""
    worker, key, key_id = await market.register_worker()
    policy = await market.policy()
    k, p0 = Decimal(policy.k.value), Decimal(policy.p0.value)

    def cap_for(hours: int) -> int:
        labor_cny = CONTEXT.divide(Decimal(hours * worker.value_fen), Decimal(FEN))
        return int(CONTEXT.multiply(CONTEXT.divide(CONTEXT.multiply(k, labor_cny), p0),
                                    Decimal(MICRO)).to_integral_value(ROUND_FLOOR))

    # Kafka topics outlive a run: a fresh laborcoin first replays older runs' labor
    # events. Measure the cap's growth from a settled figure.
    cap_before = await market.settled_cap()
    await market.entrust(worker, key, key_id)
    seen: list[tuple[int, int]] = []

    async def cap_reached(hours: int) -> bool:
        """P as identity has it now (a value event may still be on its way)."""
        worker.value_fen = await market.current_value(worker.person_id)
        seen.append((await market.cap_units(), cap_before + cap_for(hours)))
        return seen[-1][0] == seen[-1][1]

    async def cap_follows(hours: int) -> None:
        try:
            await until(lambda: cap_reached(hours))
        except AssertionError:
            raise AssertionError(f"cap, expected: {seen[-1]}, P = {worker.value_fen}") from None

    # Step 3: the cap grows by k x 720 h x P / p0 (other persons' hours stay as they were).
    await cap_follows(ENTRUSTED_HOURS)

    buyer = await market.register_buyer()
    await market.deposit_cny(buyer, DEPOSIT_FEN)
    demand_id = await market.post_demand(buyer)
    order = await market.match_into_order(demand_id, worker)
    # The order's 100 hours left the market: the cap follows the hours still available.
    await cap_follows(ENTRUSTED_HOURS - ORDER_HOURS)

    # Step 5: buy the LBC with CNY at the current price, then pay it into escrow.
    before = await market.economy()
    waves_before = await market.wave_sizes(worker.person_id)
    funded = await market.pay(order.order_id)
    escrow = lbc_for(order.labor_value.units, before.price)
    paid_fen = fen_for(escrow, before.price)
    received = coins_for(paid_fen, before.price)
    assert funded.status == mpb.ORDER_STATUS_FUNDED
    assert funded.escrow_amount.units == escrow and received >= escrow
    assert Decimal(funded.coin_price.value) == before.price
    buyer_lbc = (await market.lbc_wallet(buyer.buyer_id)).account_id
    held = await market.balance(buyer_lbc)
    assert (held.posted.units, held.pending_debits.units, held.available.units) == (
        received, escrow, received - escrow)
    assert (await market.balance(buyer.cny_wallet_id)).posted.units == DEPOSIT_FEN - paid_fen
    bought = await market.economy()
    assert (bought.reserve_fen, bought.outstanding_units) == (
        before.reserve_fen + paid_fen, before.outstanding_units + received)

    # Step 6: delivery, confirmation; the escrow posts minus the 2% fee, part retired.
    delivered = await market.deliver(order.order_id)
    assert delivered.status == mpb.ORDER_STATUS_DELIVERED and not delivered.late
    revenue = await market.account("platform", "LBC", lcpb.ACCOUNT_KIND_PLATFORM_REVENUE)
    assert revenue is not None
    revenue_before = (await market.balance(revenue.account_id)).posted.units
    done = await market.confirm(order.order_id)
    fee = half_even(CONTEXT.multiply(Decimal(escrow), Decimal(policy.fee_rate.value)))
    retired = half_even(CONTEXT.multiply(Decimal(fee), Decimal(policy.retired_share.value)))
    s = done.settlement
    assert done.status == mpb.ORDER_STATUS_COMPLETED and done.rating == 5
    assert (s.gross.units, s.fee.units, s.net.units, s.retired.units, s.refunded.units) == (
        escrow, fee, escrow - fee, retired, 0)
    worker_lbc = (await market.lbc_wallet(worker.person_id)).account_id
    assert (await market.balance(worker_lbc)).posted.units == escrow - fee
    settled = await market.balance(buyer_lbc)
    assert (settled.posted.units, settled.pending_debits.units) == (received - escrow, 0)
    assert (await market.balance(revenue.account_id)).posted.units == (
        revenue_before + fee - retired)
    after = await market.economy()
    assert (after.reserve_fen, after.outstanding_units) == (
        bought.reserve_fen, bought.outstanding_units - retired)
    assert after.price == nav(after.reserve_fen, after.outstanding_units)
    assert retired == 0 or after.price > bought.price  # fewer coins, same reserve

    # Step 7: the completed order moves the worker's credit and value waves (by event).
    async def waves_moved() -> bool:
        value_points, credit_points = await market.wave_sizes(worker.person_id)
        return value_points > waves_before[0] and credit_points > waves_before[1]

    await until(waves_moved)
    return Outcome(done, worker, buyer, s.transfer_ids[1])


@dataclass(frozen=True)
class Formed:
    """An order formed between a fresh worker and a fresh buyer with CNY at its bank."""

    order: mpb.Order
    worker: Worker
    buyer: Buyer


async def formed_order(market: LaborMarket) -> Formed:
    """Ready to be paid: laborcoin already counts the worker's hours in the cap, so
    the coins the order needs can be issued (no labor, no coins)."""
    worker, key, key_id = await market.register_worker()
    await market.entrust(worker, key, key_id)
    buyer = await market.register_buyer()
    await market.deposit_cny(buyer, DEPOSIT_FEN)
    demand_id = await market.post_demand(buyer)
    order = await market.match_into_order(demand_id, worker)

    async def room_for_the_order() -> bool:
        cap = (await market.ledger.GetIssuanceCap(lcpb.GetIssuanceCapRequest(),
                                                  metadata=market.auth,
                                                  timeout=CALL_TIMEOUT_S)).issuance_cap
        return cap.headroom.units >= 2 * order.labor_value.units * MICRO // FEN

    await until(room_for_the_order, timeout_s=180)
    return Formed(order, worker, buyer)


async def check_money_moved_once(market: LaborMarket, formed: Formed, order: mpb.Order
                                 ) -> None:
    """Balances of the order's parties, exact: one purchase, one escrow, and one
    settlement (COMPLETED) or the escrow back with the buyer (CANCELLED)."""
    price = Decimal(order.coin_price.value)
    escrow = order.escrow_amount.units
    assert escrow == lbc_for(order.labor_value.units, price)
    paid_fen = fen_for(escrow, price)
    received = coins_for(paid_fen, price)
    buyer_lbc = (await market.lbc_wallet(formed.buyer.buyer_id)).account_id
    worker_lbc = (await market.lbc_wallet(formed.worker.person_id)).account_id
    cny = await market.balance(formed.buyer.cny_wallet_id)
    assert cny.posted.units == DEPOSIT_FEN - paid_fen
    buyer, worker = await market.balance(buyer_lbc), await market.balance(worker_lbc)
    assert buyer.pending_debits.units == 0 and buyer.available.units == buyer.posted.units
    if order.status == mpb.ORDER_STATUS_COMPLETED:  # the worker's part may be a split
        s = order.settlement
        assert s.gross.units + s.refunded.units == escrow
        assert s.fee.units + s.net.units == s.gross.units
        assert (buyer.posted.units, worker.posted.units) == (received - s.gross.units,
                                                             s.net.units)
    else:
        assert order.status == mpb.ORDER_STATUS_CANCELLED
        assert (buyer.posted.units, worker.posted.units) == (received, 0)
    listed = await market.ledger.ListTransfers(lcpb.ListTransfersRequest(
        reference=f"order:{order.order_id}"), metadata=market.auth, timeout=CALL_TIMEOUT_S)
    codes = [t.code for t in listed.transfers]
    assert codes.count(lcpb.TRANSFER_CODE_COIN_PURCHASE) == 1
    assert codes.count(lcpb.TRANSFER_CODE_ORDER_SETTLEMENT) == (
        1 if order.status == mpb.ORDER_STATUS_COMPLETED else 0)
