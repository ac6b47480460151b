"""fx-model's gRPC API: decode -> use case -> encode, nothing else.

RPCs not listed here answer UNIMPLEMENTED (the generated base class) until built.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ntb.fx_model.v1 import fx_model_pb2 as pb
from ntb.fx_model.v1 import fx_model_pb2_grpc
from ntb_fx_model.domain import IndicatorTable
from ntb_fx_model.entrypoints import codec
from ntb_fx_model.service import handlers
from ntbkit.grpc import ServicerContext

PUBLIC_METHODS = ("/ntb.fx_model.v1.FxModelService/GetRate",)


@dataclass
class FxModelApi(fx_model_pb2_grpc.FxModelServiceServicer):
    active_table: Callable[[], IndicatorTable]

    async def GetRate(
        self, request: pb.GetRateRequest, context: ServicerContext
    ) -> pb.GetRateResponse:
        iso3, year, model = codec.rate_request(request)
        if model != pb.RATE_MODEL_LABOR_PRODUCTIVITY_PARITY:
            handlers.model_not_available(pb.RateModel.Name(pb.RateModel.ValueType(model)))
        result = handlers.get_rate(self.active_table, iso3, year)
        return pb.GetRateResponse(rate=codec.rate(result))
