"""The Labor Coin part of laborcoin's gRPC API (mixed into LaborCoinApi)."""

from __future__ import annotations

from ntb.common.v1 import common_pb2
from ntb.laborcoin.v1 import laborcoin_pb2 as pb
from ntb_laborcoin.entrypoints import coin_codec, metrics, transfer_codec
from ntb_laborcoin.service import coin_commands, coin_queries
from ntb_laborcoin.service.unit_of_work import NewUnit
from ntbkit import paging
from ntbkit.auth import current_caller
from ntbkit.errors import NotFound
from ntbkit.grpc import ServicerContext
from ntbkit.validation import Violations


class CoinApi:
    new_unit: NewUnit

    async def Mint(self, request: pb.MintRequest, context: ServicerContext) -> pb.MintResponse:
        command = coin_codec.mint(request)
        transfer = await coin_commands.mint(self.new_unit, command, current_caller())
        metrics.TRANSFERS.labels("MINT", "OK").inc()
        report = await coin_queries.cap_report(self.new_unit)
        return pb.MintResponse(
            transfer=transfer_codec.transfer(transfer),
            outstanding_supply=coin_codec.lbc(report.economy.cap.outstanding_units),
            issuance_cap=coin_codec.lbc(report.economy.cap.cap_units))

    async def PurchaseCoins(
        self, request: pb.PurchaseCoinsRequest, context: ServicerContext
    ) -> pb.PurchaseCoinsResponse:
        command = coin_codec.purchase(request)
        done = await coin_commands.purchase(self.new_unit, command, current_caller())
        metrics.TRANSFERS.labels("COIN_PURCHASE", "OK").inc()
        metrics.TRANSFERS.labels("MINT", "OK").inc()
        return pb.PurchaseCoinsResponse(purchase=pb.Purchase(
            purchase_id=command.request_id, buyer_id=command.buyer_id,
            paid=common_pb2.Money(asset="CNY", units=done.paid_fen),
            received=coin_codec.lbc(done.received_units),
            price=common_pb2.Decimal(value=str(done.price)), purpose=request.purpose,
            order_id=command.order_id, transfer_ids=list(done.transfer_ids)))

    async def SettleEscrow(
        self, request: pb.SettleEscrowRequest, context: ServicerContext
    ) -> pb.SettleEscrowResponse:
        command = coin_codec.settle(request)
        done = await coin_commands.settle_escrow(self.new_unit, command, current_caller())
        for code, amount in (("ORDER_SETTLEMENT", done.split.net),
                             ("PLATFORM_FEE", done.split.fee), ("RETIREMENT", done.split.retired)):
            if amount:
                metrics.TRANSFERS.labels(code, "OK").inc()
        return pb.SettleEscrowResponse(settlement=pb.EscrowSettlement(
            pending_id=command.pending_id, gross=coin_codec.lbc(done.split.gross),
            fee=coin_codec.lbc(done.split.fee), net=coin_codec.lbc(done.split.net),
            retired=coin_codec.lbc(done.split.retired),
            refunded=coin_codec.lbc(done.refunded_units), transfer_ids=list(done.transfer_ids),
            price_after=common_pb2.Decimal(value=str(done.price_after)),
            policy_version=done.policy_version))

    async def SetPolicy(
        self, request: pb.SetPolicyRequest, context: ServicerContext
    ) -> pb.SetPolicyResponse:
        command = coin_codec.set_policy(request)
        policy = await coin_commands.set_policy(self.new_unit, command, current_caller())
        return pb.SetPolicyResponse(policy=coin_codec.policy_message(policy))

    async def GetPolicy(
        self, request: pb.GetPolicyRequest, context: ServicerContext
    ) -> pb.GetPolicyResponse:
        policies = await coin_queries.policies(self.new_unit)
        wanted = request.version or policies[-1].version
        found = [p for p in policies if p.version == wanted]
        if not found:
            raise NotFound("policy version", str(request.version))
        return pb.GetPolicyResponse(policy=coin_codec.policy_message(found[0]))

    async def ListPolicies(
        self, request: pb.ListPoliciesRequest, context: ServicerContext
    ) -> pb.ListPoliciesResponse:
        v = Violations()
        after, size = paging.decode_page(request.page.page_size, request.page.page_token,
                                         "policies", v)
        v.raise_if_any()
        policies = [p for p in await coin_queries.policies(self.new_unit) if p.version > after]
        page = policies[:size]
        token = paging.encode_token(page[-1].version, "policies") if len(policies) > size else ""
        return pb.ListPoliciesResponse(
            policies=[coin_codec.policy_message(p) for p in page],
            page=common_pb2.PageResponse(next_page_token=token))

    async def GetIssuanceCap(
        self, request: pb.GetIssuanceCapRequest, context: ServicerContext
    ) -> pb.GetIssuanceCapResponse:
        report = await coin_queries.cap_report(self.new_unit)
        return pb.GetIssuanceCapResponse(issuance_cap=coin_codec.issuance_cap(report))

    async def GetCoinPrice(
        self, request: pb.GetCoinPriceRequest, context: ServicerContext
    ) -> pb.GetCoinPriceResponse:
        sequence, point, now = await coin_queries.current_price(self.new_unit)
        if point is None:
            return pb.GetCoinPriceResponse(price=coin_codec.live_price(now))
        return pb.GetCoinPriceResponse(price=coin_codec.price_point(sequence, point))

    async def GetMarketReturnWave(
        self, request: pb.GetMarketReturnWaveRequest, context: ServicerContext
    ) -> pb.GetMarketReturnWaveResponse:
        v = Violations()
        after, size = paging.decode_page(request.page.page_size, request.page.page_token,
                                         "wave", v)
        v.raise_if_any()
        points = await coin_queries.price_wave(self.new_unit, after=after, size=size)
        token = paging.encode_token(points[-1][0], "wave") if len(points) == size else ""
        return pb.GetMarketReturnWaveResponse(
            points=[coin_codec.price_point(s, p) for s, p in points],
            page=common_pb2.PageResponse(next_page_token=token))
