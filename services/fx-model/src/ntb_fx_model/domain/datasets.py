"""Indicator data sets: the packaged one (version 0) and operator uploads (1, 2, ...)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

PACKAGED_DATASET_ID = "packaged"


class IndicatorFormat(StrEnum):
    NTB_CSV = "NTB_CSV"
    WORLD_BANK_CSV = "WORLD_BANK_CSV"


@dataclass(frozen=True)
class IndicatorDataset:
    """What is known about a data set besides its rows."""

    dataset_id: str
    version: int
    format: IndicatorFormat
    sha256: bytes
    row_count: int
    country_count: int
    years: tuple[int, ...]
    description: str
    indicator_code: str  # the WDI code of a World Bank upload, else ""
    values_applied: int  # World Bank upload: country-year values applied, else 0
    created_at: datetime | None  # None for the packaged data set
