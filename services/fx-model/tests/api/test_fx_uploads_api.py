"""Operator uploads through the real gRPC API: validated with field-level errors, stored
as numbered versions that survive a restart, idempotent by request id, announced once
with `FxRatesUpdated`, and a rejected upload changes nothing.

How: a running fx-model on a SQLite file; NTB CSV files built from the packaged data,
World Bank WDI files in the bulk-download layout built here (preamble, years as
columns, an aggregate row); the server is stopped and started again on the same file.
"""

from __future__ import annotations

import asyncio
import csv
import io
import uuid

import grpc
import pytest
from fx_api_support import OPERATOR, FxServer, bearer

from ntb.common.v1 import common_pb2
from ntb.fx_model.v1 import fx_model_pb2 as pb
from ntb.fx_model.v1.fx_model_pb2_grpc import FxModelServiceStub
from ntb_fx_model.domain.indicators import PACKAGED_INDICATORS, read_packaged_text
from ntbkit.testing import error_info, violations


def packaged_with(changes: dict[tuple[str, str], dict[str, str]]) -> bytes:
    """The packaged CSV with some cells changed, keyed by (iso3, year)."""
    rows = list(csv.DictReader(io.StringIO(read_packaged_text(PACKAGED_INDICATORS))))
    for row in rows:
        row.update(changes.get((row["iso3"], row["year"]), {}))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def world_bank(code: str, values: dict[str, dict[int, str]]) -> bytes:
    years = list(range(2010, 2015))
    lines = ['"Data Source","World Development Indicators",', "",
             '"Last Updated Date","2025-07-01",', "",
             ",".join(f'"{h}"' for h in ["Country Name", "Country Code", "Indicator Name",
                                          "Indicator Code", *map(str, years)]) + ","]
    for iso3, by_year in values.items():
        cells = [f"Name of {iso3}", iso3, "Some indicator", code,
                 *(by_year.get(y, "") for y in years)]
        lines.append(",".join(f'"{c}"' for c in cells) + ",")
    return ("\n".join(lines) + "\n").encode()


def upload(content: bytes, fmt: int = pb.INDICATOR_FORMAT_NTB_CSV,
           request_id: str | None = None) -> pb.UploadIndicatorsRequest:
    return pb.UploadIndicatorsRequest(request_id=request_id or str(uuid.uuid4()), format=fmt,  # type: ignore[arg-type]
                                      content=content, description="test upload")


async def rate_of(fx: FxModelServiceStub, iso3: str = "JPN", **kw: int) -> pb.Rate:
    return (await fx.GetRate(pb.GetRateRequest(country_code=iso3, year=2013, **kw))).rate  # type: ignore[arg-type]


async def test_only_operators_upload(fx: FxModelServiceStub) -> None:
    request = upload(packaged_with({}))
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await fx.UploadIndicators(request)
    assert caught.value.code() == grpc.StatusCode.UNAUTHENTICATED
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await fx.UploadIndicators(request, metadata=bearer("person"))
    assert caught.value.code() == grpc.StatusCode.PERMISSION_DENIED


async def test_bad_upload_is_rejected_field_by_field_and_changes_nothing(
    fx: FxModelServiceStub,
) -> None:
    before = await rate_of(fx)
    bad = packaged_with({
        ("JPN", "2013"): {"avg_wage_lcu": "-4479848"},
        ("DEU", "2013"): {"year": ""},
        ("FRA", "2013"): {"iso3": "XYZ"},
    })
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await fx.UploadIndicators(upload(bad), metadata=OPERATOR)
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    fields = violations(caught.value)
    assert len(fields) == 3
    by_column = {f.rsplit(".", 1)[1]: d for f, d in fields.items()}
    assert all(f.startswith("content.rows[") for f in fields)
    assert "greater than zero" in by_column["avg_wage_lcu"]
    assert "required" in by_column["year"]
    assert "not a known ISO 3166-1" in by_column["iso3"]

    wb_bad = world_bank("NY.GDP.PCAP.CD", {"JPN": {2013: "-5"}, "QQQ": {2013: "7"},
                                           "WLD": {2013: "10000"}})
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await fx.UploadIndicators(upload(wb_bad, pb.INDICATOR_FORMAT_WORLD_BANK_CSV),
                                  metadata=OPERATOR)
    assert set(violations(caught.value)) == {"content.rows[0].2013",
                                             "content.rows[1].Country Code"}
    assert await rate_of(fx) == before


async def test_upload_is_versioned_idempotent_and_survives_restart(
    server: FxServer, fx: FxModelServiceStub
) -> None:
    content = packaged_with({("JPN", "2013"): {"avg_wage_lcu": "5000000"}})
    request = upload(content)
    first = (await fx.UploadIndicators(request, metadata=OPERATOR)).dataset
    assert first.version == 1 and first.row_count == 2170 and len(first.sha256) == 32
    again = (await fx.UploadIndicators(request, metadata=OPERATOR)).dataset
    assert again == first
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await fx.UploadIndicators(upload(packaged_with({}), request_id=request.request_id),
                                  metadata=OPERATOR)
    assert caught.value.code() == grpc.StatusCode.ALREADY_EXISTS

    rate = await rate_of(fx)
    assert rate.dataset_id == first.dataset_id
    announced = [e.key for e in server.bus.broker.logs["ntb.fx_model.rates.v1"]]
    for _ in range(100):  # the outbox relay publishes the upload's FxRatesUpdated
        if announced:
            break
        await asyncio.sleep(0.02)
        announced = [e.key for e in server.bus.broker.logs["ntb.fx_model.rates.v1"]]
    assert announced == [first.dataset_id]
    assert ("JPN", "avg_wage_lcu", "5000000") in {
        (s.country_code, s.column, s.value) for s in rate.inputs}

    page = await fx.ListDatasets(pb.ListDatasetsRequest(page=common_pb2.PageRequest(page_size=1)))
    assert [d.dataset_id for d in page.datasets] == [first.dataset_id]
    rest = await fx.ListDatasets(pb.ListDatasetsRequest(
        page=common_pb2.PageRequest(page_size=1, page_token=page.page.next_page_token)))
    assert [(d.dataset_id, d.version) for d in rest.datasets] == [("packaged", 0)]
    assert rest.page.next_page_token == ""

    await server.stop()
    await server.start()
    async with grpc.aio.insecure_channel(server.target) as channel:
        restarted = FxModelServiceStub(channel)
        assert (await rate_of(restarted)).dataset_id == first.dataset_id


async def test_world_bank_labor_force_enables_the_worker_models(fx: FxModelServiceStub) -> None:
    content = world_bank("SL.TLF.TOTL.IN", {
        "USA": {2013: "159000000"}, "JPN": {2013: "65770000"}, "WLD": {2013: "3300000000"}})
    response = await fx.UploadIndicators(upload(content, pb.INDICATOR_FORMAT_WORLD_BANK_CSV),
                                         metadata=OPERATOR)
    assert response.indicator_code == "SL.TLF.TOTL.IN"
    assert response.values_applied == 2
    assert response.dataset.version == 1

    rate = await rate_of(fx, model=pb.RATE_MODEL_OUTPUT_PER_WORKER_WAGE)
    labor = {s.country_code: s for s in rate.inputs if s.column == "labor_force"}
    assert labor["JPN"].value == "65770000" and "SL.TLF.TOTL.IN" in labor["JPN"].source
    with pytest.raises(grpc.aio.AioRpcError) as caught:  # no L for Germany: named cell
        await rate_of(fx, "DEU", model=pb.RATE_MODEL_OUTPUT_PER_WORKER)
    assert error_info(caught.value).reason == "INPUTS_MISSING"
    assert "DEU:2013:labor_force" in error_info(caught.value).metadata["missing"]
