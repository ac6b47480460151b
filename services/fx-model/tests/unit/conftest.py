"""Shared helpers of the fx-model unit tests.

Makes `ntb_fx_model` importable from the source tree when the workspace install does not
provide it (the unit tests need nothing but the package's own `src/`), and offers
`indicator_csv`, a builder of small CSV files in the packaged indicator format.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

if importlib.util.find_spec("ntb_fx_model") is None:  # pragma: no cover - env dependent
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "src"))

HEADER = [
    "iso3",
    "country",
    "year",
    "gdp_per_capita_usd",
    "official_rate_lcu_per_usd",
    "avg_wage_lcu",
    "wage_period",
    "population",
    "source_gdp",
    "source_rate",
    "source_wage",
    "wage_currency",
    "rate_currency",
    "notes",
    "source_population",
]

# A valid row with every value sourced; tests override single cells.
BASE_ROW: Mapping[str, str] = {
    "iso3": "USA",
    "country": "United States",
    "year": "2013",
    "gdp_per_capita_usd": "53291.1276891406",
    "official_rate_lcu_per_usd": "1",
    "avg_wage_lcu": "55779.937",
    "wage_period": "annual",
    "population": "316726282",
    "source_gdp": "test:gdp",
    "source_rate": "test:rate",
    "source_wage": "test:wage",
    "wage_currency": "USD",
    "rate_currency": "USD",
    "notes": "",
    "source_population": "test:population",
}

CsvBuilder = Callable[..., str]


def build_csv(*rows: Mapping[str, str]) -> str:
    """CSV text in the packaged format; each row is BASE_ROW updated with the given cells."""
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=HEADER, lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({**BASE_ROW, **row})
    return out.getvalue()


@pytest.fixture
def indicator_csv() -> CsvBuilder:
    return build_csv
