"""Enterprise management model: an hourly pay band from comparable persons' values."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

SAMPLE_SIZE_MIN = 5
# Without enough comparable persons: the model's value for the role, widened by these
# shares (p10, p25, median, p75, p90) - a stated assumption, not data.
MODEL_SPREAD_PERCENT = (80, 90, 100, 110, 120)


@dataclass(frozen=True)
class PayBand:
    p10_fen: int
    p25_fen: int
    median_fen: int
    p75_fen: int
    p90_fen: int
    sample_size: int


def percentile(sorted_values: Sequence[int], percent: int) -> int:
    """Nearest-rank percentile of an ascending, non-empty list."""
    assert sorted_values and 0 < percent <= 100
    rank = -(-percent * len(sorted_values) // 100)  # ceiling
    return sorted_values[max(1, rank) - 1]


def band_from_sample(values_fen: Sequence[int], model_value_fen: int) -> PayBand:
    ordered = sorted(values_fen)
    if len(ordered) >= SAMPLE_SIZE_MIN:
        p10, p25, p50, p75, p90 = (percentile(ordered, p) for p in (10, 25, 50, 75, 90))
    else:
        p10, p25, p50, p75, p90 = (model_value_fen * s // 100 for s in MODEL_SPREAD_PERCENT)
    assert p10 <= p25 <= p50 <= p75 <= p90
    return PayBand(p10, p25, p50, p75, p90, len(ordered))
