"""fx-model's gRPC API: decode (and validate) -> use case -> encode, nothing else."""

from __future__ import annotations

from dataclasses import dataclass

from ntb.common.v1 import common_pb2
from ntb.fx_model.v1 import fx_model_pb2 as pb
from ntb.fx_model.v1 import fx_model_pb2_grpc
from ntb_fx_model.entrypoints import codec
from ntb_fx_model.service import handlers
from ntbkit.auth import ROLE_OPERATOR, current_caller
from ntbkit.grpc import ServicerContext

_SERVICE = "/ntb.fx_model.v1.FxModelService/"
# Reads serve public statistics and need no token; UploadIndicators needs an operator.
PUBLIC_METHODS = tuple(
    _SERVICE + name
    for name in ("GetRate", "GetCrossRate", "CompareWithOfficial", "GetAnchorRates",
                 "ListCountries", "ListDatasets")
)


@dataclass
class FxModelApi(fx_model_pb2_grpc.FxModelServiceServicer):
    queries: handlers.FxQueries

    async def GetRate(
        self, request: pb.GetRateRequest, context: ServicerContext
    ) -> pb.GetRateResponse:
        iso3, year, model = codec.rate_request(request)
        result, dataset_id = await self.queries.rate(iso3, year, model)
        return pb.GetRateResponse(rate=codec.rate(result, dataset_id))

    async def GetCrossRate(
        self, request: pb.GetCrossRateRequest, context: ServicerContext
    ) -> pb.GetCrossRateResponse:
        base, quote, year, model = codec.cross_rate_request(request)
        result, dataset_id = await self.queries.cross_rate(base, quote, year, model)
        return pb.GetCrossRateResponse(cross_rate=codec.cross_rate(result, dataset_id))

    async def CompareWithOfficial(
        self, request: pb.CompareWithOfficialRequest, context: ServicerContext
    ) -> pb.CompareWithOfficialResponse:
        year, model, include_anchor = codec.compare_request(request)
        result, summaries, dataset_id = await self.queries.compare(
            year, model, include_anchor=include_anchor)
        return codec.comparison(result, summaries, dataset_id)

    async def GetAnchorRates(
        self, request: pb.GetAnchorRatesRequest, context: ServicerContext
    ) -> pb.GetAnchorRatesResponse:
        year, model, countries = codec.anchor_request(request)
        result, dataset_id = await self.queries.anchor(year, model, countries)
        return codec.anchor(result, dataset_id)

    async def UploadIndicators(
        self, request: pb.UploadIndicatorsRequest, context: ServicerContext
    ) -> pb.UploadIndicatorsResponse:
        current_caller().require_role(ROLE_OPERATOR)
        command = codec.upload_request(request)
        dataset = await handlers.upload_indicators(
            self.queries.new_unit, self.queries.active, command)
        return codec.upload_response(dataset)

    async def ListCountries(
        self, request: pb.ListCountriesRequest, context: ServicerContext
    ) -> pb.ListCountriesResponse:
        year, parity_only, size, after = codec.list_countries_request(request)
        page, next_token = handlers.countries_page(
            await self.queries.table(), year=year, parity_only=parity_only, size=size,
            after=after)
        return pb.ListCountriesResponse(
            countries=[codec.country(c) for c in page],
            page=common_pb2.PageResponse(next_page_token=next_token))

    async def ListDatasets(
        self, request: pb.ListDatasetsRequest, context: ServicerContext
    ) -> pb.ListDatasetsResponse:
        before, size = codec.list_datasets_request(request)
        found, next_before = await self.queries.datasets(before_version=before, size=size)
        token = "" if next_before is None else str(next_before)
        return pb.ListDatasetsResponse(
            datasets=[codec.dataset(d) for d in found],
            page=common_pb2.PageResponse(next_page_token=token))
