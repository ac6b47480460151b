"""The orders part of matching's gRPC API (mixed into MatchingApi)."""

from __future__ import annotations

from datetime import UTC

from ntb.common.v1 import common_pb2
from ntb.matching.v1 import matching_pb2 as pb
from ntb_matching.domain.order import OrderStatus
from ntb_matching.entrypoints import order_codec
from ntb_matching.service import orders
from ntbkit import paging
from ntbkit.auth import current_caller
from ntbkit.grpc import ServicerContext
from ntbkit.validation import Violations


class OrderApi:
    orders: orders.OrderServices

    async def CreateOrder(
        self, request: pb.CreateOrderRequest, context: ServicerContext
    ) -> pb.CreateOrderResponse:
        command = order_codec.create(request)
        found = await orders.create_order(self.orders, command, current_caller())
        return pb.CreateOrderResponse(order=order_codec.order(found))

    async def PayOrder(
        self, request: pb.PayOrderRequest, context: ServicerContext
    ) -> pb.PayOrderResponse:
        command = order_codec.pay(request)
        found = await orders.pay_order(self.orders, command, current_caller())
        return pb.PayOrderResponse(order=order_codec.order(found))

    async def DeliverOrder(
        self, request: pb.DeliverOrderRequest, context: ServicerContext
    ) -> pb.DeliverOrderResponse:
        command = order_codec.deliver(request)
        found = await orders.deliver_order(self.orders, command, current_caller())
        return pb.DeliverOrderResponse(order=order_codec.order(found))

    async def ConfirmOrder(
        self, request: pb.ConfirmOrderRequest, context: ServicerContext
    ) -> pb.ConfirmOrderResponse:
        command = order_codec.confirm(request)
        found = await orders.confirm_order(self.orders, command, current_caller())
        return pb.ConfirmOrderResponse(order=order_codec.order(found))

    async def CancelOrder(
        self, request: pb.CancelOrderRequest, context: ServicerContext
    ) -> pb.CancelOrderResponse:
        command = order_codec.cancel(request)
        found = await orders.cancel_order(self.orders, command, current_caller())
        return pb.CancelOrderResponse(order=order_codec.order(found))

    async def DisputeOrder(
        self, request: pb.DisputeOrderRequest, context: ServicerContext
    ) -> pb.DisputeOrderResponse:
        command = order_codec.dispute(request)
        found = await orders.dispute_order(self.orders, command, current_caller())
        return pb.DisputeOrderResponse(order=order_codec.order(found))

    async def ResolveDispute(
        self, request: pb.ResolveDisputeRequest, context: ServicerContext
    ) -> pb.ResolveDisputeResponse:
        command = order_codec.resolve(request)
        found = await orders.resolve_dispute(self.orders, command, current_caller())
        return pb.ResolveDisputeResponse(order=order_codec.order(found))

    async def GetOrder(
        self, request: pb.GetOrderRequest, context: ServicerContext
    ) -> pb.GetOrderResponse:
        v = Violations()
        v.require_uuid(request.order_id, "order_id")
        v.raise_if_any()
        found = await orders.get_order(self.orders.new_unit, request.order_id, current_caller())
        return pb.GetOrderResponse(order=order_codec.order(found))

    async def ListOrders(
        self, request: pb.ListOrdersRequest, context: ServicerContext
    ) -> pb.ListOrdersResponse:
        v = Violations()
        for name in ("buyer_id", "worker_id"):
            if getattr(request, name):
                v.require_uuid(getattr(request, name), name)
        status = None
        if request.status != pb.ORDER_STATUS_UNSPECIFIED:
            status = OrderStatus(pb.OrderStatus.Name(request.status).removeprefix(
                "ORDER_STATUS_"))
        r = request.range
        query = orders.OrderQuery(
            request.buyer_id, request.worker_id, status,
            r.start_time.ToDatetime(UTC) if r.HasField("start_time") else None,
            r.end_time.ToDatetime(UTC) if r.HasField("end_time") else None)
        offset, size = paging.decode_page(request.page.page_size, request.page.page_token,
                                          query, v)
        v.raise_if_any()
        found = await orders.list_orders(self.orders.new_unit, query, current_caller(),
                                         offset=offset, size=size)
        token = paging.encode_token(offset + size, query) if len(found) == size else ""
        return pb.ListOrdersResponse(orders=[order_codec.order(o) for o in found],
                                     page=common_pb2.PageResponse(next_page_token=token))
