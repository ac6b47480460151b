"""fx-model's cross rates over gRPC (reads are public)."""

from __future__ import annotations

from decimal import Decimal

import grpc

from ntb.fx_model.v1 import fx_model_pb2 as pb
from ntb.fx_model.v1 import fx_model_pb2_grpc
from ntb_scf_exchange.domain.financing import FxUsed
from ntbkit.errors import FailedPrecondition, Unavailable

TIMEOUT_S = 5.0
# The country whose data prices each currency (fx-model rates countries' currencies).
COUNTRY_OF = {"USD": "USA", "CNY": "CHN", "JPY": "JPN", "EUR": "DEU", "GBP": "GBR",
              "KRW": "KOR", "AUD": "AUS", "CAD": "CAN", "CHF": "CHE", "INR": "IND",
              "BRL": "BRA", "MXN": "MEX", "SEK": "SWE", "NOK": "NOR", "DKK": "DNK",
              "PLN": "POL", "CZK": "CZE", "HUF": "HUN", "NZD": "NZL", "ILS": "ISR"}


class GrpcFxRates:
    def __init__(self, channel: grpc.aio.Channel, *, year: int, model: str) -> None:
        self._stub = fx_model_pb2_grpc.FxModelServiceStub(channel)
        self._year = year
        self._model = model

    async def rate(self, *, base_asset: str, quote_asset: str) -> FxUsed:
        base, quote = COUNTRY_OF.get(base_asset), COUNTRY_OF.get(quote_asset)
        if base is None or quote is None:
            raise FailedPrecondition("FX_RATE_UNAVAILABLE",
                                     f"no fx-model country for {base_asset}/{quote_asset}")
        try:
            response = await self._stub.GetCrossRate(pb.GetCrossRateRequest(
                base_country_code=base, quote_country_code=quote, year=self._year,
                model=pb.RateModel.Value(f"RATE_MODEL_{self._model}")), timeout=TIMEOUT_S)
        except grpc.aio.AioRpcError as error:
            if error.code() in (grpc.StatusCode.FAILED_PRECONDITION, grpc.StatusCode.NOT_FOUND):
                raise FailedPrecondition("FX_RATE_UNAVAILABLE",
                                         f"fx-model: {error.details()}") from error
            raise Unavailable(f"fx-model: {error.details()}") from error
        cross = response.cross_rate
        dataset = cross.base_rate.dataset_id or cross.quote_rate.dataset_id
        ref = (f"fx-model GetCrossRate {pb.RateModel.Name(cross.model)} "
               f"{base}->{quote} {cross.year} dataset {dataset}")
        return FxUsed(Decimal(cross.quote_per_base.value), ref)
