"""fx-model's use cases over the active indicator data set.

The active data set is the newest stored upload, or the packaged data when there is
none. Its parsed table is cached by version, so a request costs one small query unless
another replica (or this one) stored a newer version.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import NoReturn

from ntb_fx_model.domain import (
    CountryInfo,
    IndicatorTable,
    ParityRate,
    labor_productivity_parity,
)
from ntb_fx_model.domain.anchor import AnchorRates, CoinPrice, anchor_rates
from ntb_fx_model.domain.comparison import ComparisonSummary, summaries
from ntb_fx_model.domain.datasets import PACKAGED_DATASET_ID, IndicatorDataset, IndicatorFormat
from ntb_fx_model.domain.errors import (
    CountryYearNotFoundError,
    FxModelError,
    IndicatorsInvalidError,
)
from ntb_fx_model.domain.events import rates_updated
from ntb_fx_model.domain.indicator_writer import dump_indicators
from ntb_fx_model.domain.indicators import (
    PACKAGED_INDICATORS,
    load_default_indicators,
    load_indicators,
    read_packaged_text,
)
from ntb_fx_model.domain.parity import (
    CrossRate,
    OfficialComparison,
    RateModel,
    compare_with_official,
    cross_rate,
)
from ntb_fx_model.domain.world_bank import merge_world_bank_csv
from ntb_fx_model.service.unit_of_work import FxUnitOfWork
from ntbkit.errors import FailedPrecondition, FieldViolation, InvalidArgument, NotFound
from ntbkit.storage.idempotency import run_idempotent

NewUnit = Callable[[], FxUnitOfWork]
UPLOAD_OPERATION = "fx_model.UploadIndicators"
COIN_PRICE_GROUP = "fx-model.coin-price"
_VIOLATIONS_SHOWN_MAX = 50  # keeps the status trailer under gRPC's metadata limit


def to_ntb_error(error: FxModelError, *, field_prefix: str = "") -> NoReturn:
    """The domain speaks stdlib exceptions; clients see the platform's statuses."""
    if isinstance(error, CountryYearNotFoundError):
        raise NotFound("country-year", f"{error.iso3}/{error.year}") from error
    if isinstance(error, IndicatorsInvalidError):
        violations = [
            FieldViolation(field_prefix + p.field, p.description) for p in error.problems
        ]
        raise InvalidArgument(violations[:_VIOLATIONS_SHOWN_MAX]) from error
    raise FailedPrecondition(error.reason, error.message, error.metadata) from error


@dataclass(frozen=True)
class Active:
    dataset: IndicatorDataset
    table: IndicatorTable


def packaged_dataset() -> Active:
    table = load_default_indicators()
    text = read_packaged_text(PACKAGED_INDICATORS)
    return Active(_describe(table, dataset_id=PACKAGED_DATASET_ID, version=0,
                            format=IndicatorFormat.NTB_CSV, sha256=_sha256(text),
                            description="packaged data (see SOURCES.md)", created_at=None),
                  table)


class ActiveDatasets:
    """The active data set, parsed once per version."""

    def __init__(self) -> None:
        self._packaged = packaged_dataset()
        self._cached: Active | None = None

    @property
    def packaged(self) -> IndicatorDataset:
        return self._packaged.dataset

    async def current(self, unit: FxUnitOfWork) -> Active:
        latest = await unit.datasets.latest()
        if latest is None:
            return self._packaged
        cached = self._cached
        if cached is not None and cached.dataset.version == latest.version:
            return cached
        table = load_indicators(await unit.datasets.content(latest.version))
        self._cached = Active(latest, table)
        return self._cached


@dataclass(frozen=True)
class FxQueries:
    """Read-only use cases; each opens a unit of work only to find the active data set."""

    new_unit: NewUnit
    active: ActiveDatasets

    async def _current(self) -> Active:
        async with self.new_unit() as unit:
            return await self.active.current(unit)

    async def rate(self, iso3: str, year: int, model: RateModel) -> tuple[ParityRate, str]:
        current = await self._current()
        try:
            return labor_productivity_parity(current.table, iso3, year, model), \
                current.dataset.dataset_id
        except FxModelError as error:
            to_ntb_error(error)

    async def cross_rate(
        self, base: str, quote: str, year: int, model: RateModel
    ) -> tuple[CrossRate, str]:
        current = await self._current()
        try:
            return cross_rate(current.table, base, quote, year, model), \
                current.dataset.dataset_id
        except FxModelError as error:
            to_ntb_error(error)

    async def compare(
        self, year: int, model: RateModel, *, include_anchor: bool
    ) -> tuple[OfficialComparison, list[ComparisonSummary], str]:
        current = await self._current()
        try:
            comparison = compare_with_official(
                current.table, year, include_anchor=include_anchor, model=model
            )
        except FxModelError as error:
            to_ntb_error(error)
        return comparison, summaries(current.table, comparison), current.dataset.dataset_id

    async def anchor(
        self, year: int, model: RateModel, countries: Sequence[str]
    ) -> tuple[AnchorRates, str]:
        async with self.new_unit() as unit:
            current = await self.active.current(unit)
            price = await unit.prices.latest()
        try:
            result = anchor_rates(current.table, year, price, model=model, countries=countries)
        except FxModelError as error:
            to_ntb_error(error)
        return result, current.dataset.dataset_id

    async def datasets(
        self, *, before_version: int | None, size: int
    ) -> tuple[list[IndicatorDataset], int | None]:
        """A page of data sets, newest first, the packaged one last; and the version to
        continue before (None at the end)."""
        start = before_version if before_version is not None else 2**62
        async with self.new_unit() as unit:
            stored = await unit.datasets.page(before_version=start, size=size + 1)
        found = stored + ([self.active.packaged] if start > 0 else [])
        if len(found) > size:
            return found[:size], found[size - 1].version
        return found, None

    async def table(self) -> IndicatorTable:
        return (await self._current()).table


@dataclass(frozen=True)
class UploadIndicators:
    request_id: str
    format: IndicatorFormat
    content: str
    description: str


async def upload_indicators(
    new_unit: NewUnit, active: ActiveDatasets, command: UploadIndicators
) -> IndicatorDataset:
    """Validate, store as the next version, announce the new rates; idempotent by
    request id. A rejected upload rolls back and changes nothing."""

    async def perform(unit: FxUnitOfWork) -> IndicatorDataset:
        current = await active.current(unit)
        table, code, applied = _parse_upload(command, current)
        dataset = _describe(
            table, dataset_id=str(uuid.uuid4()), version=current.dataset.version + 1,
            format=command.format, sha256=_sha256(command.content),
            description=command.description, created_at=datetime.now(UTC),
            indicator_code=code, values_applied=applied,
        )
        await unit.datasets.add(dataset, dump_indicators(table))
        event = rates_updated(table, dataset.dataset_id, await unit.prices.latest(),
                              dataset.created_at or datetime.now(UTC))
        if event is not None:
            unit.record(event)
        return dataset

    return await run_idempotent(
        new_unit, operation=UPLOAD_OPERATION, request_id=command.request_id,
        command=command, perform=perform,
        encode=_encode_dataset, decode=_decode_dataset,
    )


def _parse_upload(
    command: UploadIndicators, current: Active
) -> tuple[IndicatorTable, str, int]:
    try:
        if command.format is IndicatorFormat.NTB_CSV:
            return load_indicators(command.content), "", 0
        source = f"World Bank WDI upload {_sha256(command.content).hex()[:12]}"
        merged = merge_world_bank_csv(current.table, command.content, source=source)
        return merged.table, merged.indicator_code, merged.values_applied
    except FxModelError as error:
        to_ntb_error(error, field_prefix="content.")


async def coin_price_updated(unit: FxUnitOfWork, active: ActiveDatasets, price: CoinPrice) -> None:
    """Keep the newest Labor Coin price (by sequence) and announce the anchored rates."""
    stored = await unit.prices.latest()
    if stored is not None and stored.sequence >= price.sequence:
        return  # an older or repeated price point: the newer one stays
    await unit.prices.save(price)
    current = await active.current(unit)
    event = rates_updated(current.table, current.dataset.dataset_id, price, datetime.now(UTC))
    if event is not None:
        unit.record(event)


def _describe(
    table: IndicatorTable, *, dataset_id: str, version: int, format: IndicatorFormat,
    sha256: bytes, description: str, created_at: datetime | None,
    indicator_code: str = "", values_applied: int = 0,
) -> IndicatorDataset:
    return IndicatorDataset(
        dataset_id=dataset_id, version=version, format=format, sha256=sha256,
        row_count=len(table), country_count=len({row.iso3 for row in table}),
        years=table.years(), description=description, indicator_code=indicator_code,
        values_applied=values_applied, created_at=created_at,
    )


def _sha256(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8")).digest()


def _encode_dataset(dataset: IndicatorDataset) -> bytes:
    assert dataset.created_at is not None
    body = {
        "dataset_id": dataset.dataset_id, "version": dataset.version,
        "format": dataset.format.value, "sha256": dataset.sha256.hex(),
        "row_count": dataset.row_count, "country_count": dataset.country_count,
        "years": list(dataset.years), "description": dataset.description,
        "indicator_code": dataset.indicator_code, "values_applied": dataset.values_applied,
        "created_at": dataset.created_at.isoformat(),
    }
    return json.dumps(body, sort_keys=True).encode()


def _decode_dataset(data: bytes) -> IndicatorDataset:
    body = json.loads(data)
    return IndicatorDataset(
        dataset_id=body["dataset_id"], version=body["version"],
        format=IndicatorFormat(body["format"]), sha256=bytes.fromhex(body["sha256"]),
        row_count=body["row_count"], country_count=body["country_count"],
        years=tuple(body["years"]), description=body["description"],
        indicator_code=body["indicator_code"], values_applied=body["values_applied"],
        created_at=datetime.fromisoformat(body["created_at"]),
    )


def countries_page(
    table: IndicatorTable, *, year: int, parity_only: bool, size: int, after: str
) -> tuple[list[CountryInfo], str]:
    """One page of the table's countries after the code `after`, and the next token."""
    chosen: list[CountryInfo] = []
    for info in table.countries():
        if info.iso3 <= after:
            continue
        if year and year not in info.years:
            continue
        if parity_only and not (year in info.parity_years if year else info.parity_years):
            continue
        chosen.append(info)
        if len(chosen) > size:
            break
    if len(chosen) > size:
        return chosen[:size], chosen[size - 1].iso3
    return chosen, ""
