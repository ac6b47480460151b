"""An indicator table written back as indicator CSV text (the packaged format).

`load_indicators(dump_indicators(table)) == table` for every table: numbers are written
with `str(Decimal)`, which keeps their exact digits, and blank cells stay blank. Data
sets are stored in this form, whatever format they were uploaded in.
"""

from __future__ import annotations

import csv
import io

from .indicators import OPTIONAL_COLUMNS, REQUIRED_COLUMNS, IndicatorTable

COLUMNS: tuple[str, ...] = REQUIRED_COLUMNS + OPTIONAL_COLUMNS


def dump_indicators(table: IndicatorTable) -> str:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in table:
        writer.writerow([_cell(getattr(row, column)) for column in COLUMNS])
    return out.getvalue()


def _cell(value: object) -> str:
    # str(Decimal) keeps the exact digits the value was parsed from
    return "" if value is None else str(value)
