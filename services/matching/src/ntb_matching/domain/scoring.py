"""Pair scores of demands and workers: features, hard constraints, weighted totals.

One vectorised implementation (numpy, broadcasting over index arrays) serves every
caller, so a single pair, one demand against all workers and a whole batch matrix all
get bit-identical numbers:

- industry_fit: 1 for the same ISIC code, 0.5 for the same section, else 0;
- experience: 1 at or above the demand's minimum years, years / minimum below it;
- skill_overlap: Jaccard of the demand's skills with the worker's skills and advantages;
- price: headroom of the worker's minimum under the demand's maximum, (max - min) / max;
- availability: share of the demand's window the worker's window covers, times the share
  of the demand's hours the worker has (capped at 1);
- credit: the credit score mapped linearly from 350..950 to 0..1.

Hard constraints exclude a pair whatever its score: no required skill among the worker's
entrusted skills ("skills"), minimum price above the maximum ("price"), no overlap of the
windows ("availability"), the worker's region not admitted and no remote agreement
("location").
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
import numpy.typing as npt

from ntb_matching.domain.model import (
    CREDIT_SCORE_MAX,
    CREDIT_SCORE_MIN,
    FEATURES,
    Demand,
    ScoringWeights,
    Worker,
    industry_section,
)

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]
Words = npt.NDArray[np.uint64]
Index = npt.NDArray[np.intp]

HARD_CONSTRAINTS: tuple[str, ...] = ("skills", "price", "availability", "location")
_WORD_BITS = 64
_CHUNK_CELLS = 1 << 20  # pairs scored at once: bounds the temporaries to a few MB each


@dataclass(frozen=True, slots=True)
class ScoreBreakdown:
    """A pair's features (each 0..1, FEATURES order) and their weighted total (0..1)."""

    industry_fit: float
    experience: float
    skill_overlap: float
    price: float
    availability: float
    credit: float
    total: float
    weights_version: str

    def components(self) -> tuple[float, ...]:
        return tuple(float(getattr(self, name)) for name in FEATURES)


@dataclass(frozen=True, slots=True)
class PairScore:
    """The score of one pair and the hard constraints it breaks (empty: feasible)."""

    demand_id: str
    entrustment_id: str
    score: ScoreBreakdown
    excluded_by: tuple[str, ...]

    @property
    def feasible(self) -> bool:
        return not self.excluded_by


@dataclass(frozen=True, slots=True)
class Candidate:
    """A feasible worker for a demand: the hours it could give and why it scored so."""

    demand_id: str
    entrustment_id: str
    person_id: str
    hours: Decimal
    score: ScoreBreakdown
    rank: int


@dataclass(frozen=True, slots=True)
class _DemandColumns:
    industry: Ints
    section: Ints
    min_experience: Floats
    skills: Words  # (demands, words) bitsets over the market's tag vocabulary
    skill_count: Floats
    max_price: Floats
    start_s: Floats
    end_s: Floats
    hours: Floats
    region_allowed: Bools  # (demands, regions)
    remote_ok: Bools


@dataclass(frozen=True, slots=True)
class _WorkerColumns:
    industry: Ints
    section: Ints
    experience: Floats
    skills: Words
    offered: Words  # skills | advantages
    offered_count: Floats
    min_price: Floats
    start_s: Floats
    end_s: Floats
    hours: Floats
    region: Ints
    remote_ok: Bools
    credit: Floats


@dataclass(frozen=True, slots=True)
class Market:
    """Demands and workers encoded as columns once, for any number of score queries."""

    demands: Sequence[Demand]
    workers: Sequence[Worker]
    demand_columns: _DemandColumns
    worker_columns: _WorkerColumns


class _Vocabulary:
    def __init__(self) -> None:
        self.index: dict[str, int] = {}

    def code(self, name: str) -> int:
        return self.index.setdefault(name, len(self.index))


def _bitsets(tag_sets: Sequence[frozenset[str]], vocabulary: _Vocabulary, words: int) -> Words:
    word_mask = (1 << _WORD_BITS) - 1
    flat: list[int] = []
    for tags in tag_sets:
        bits = 0
        for tag in tags:
            bits |= 1 << vocabulary.index[tag]
        flat.extend((bits >> (_WORD_BITS * word)) & word_mask for word in range(words))
    return np.asarray(flat, dtype=np.uint64).reshape(len(tag_sets), words)


def _floats(values: Any) -> Floats:
    return np.asarray(list(values), dtype=np.float64)


def _ints(values: Any) -> Ints:
    return np.asarray(list(values), dtype=np.int64)


def _encode_demands(
    demands: Sequence[Demand], tags: _Vocabulary, words: int, codes: _Vocabulary,
    regions: _Vocabulary,
) -> _DemandColumns:
    region_allowed = np.zeros((len(demands), max(1, len(regions.index))), dtype=np.bool_)
    for row, demand in enumerate(demands):
        for region in demand.location.regions:
            if region in regions.index:  # a region no worker lives in admits nobody
                region_allowed[row, regions.index[region]] = True
    return _DemandColumns(
        industry=_ints(codes.code(d.industry_code) for d in demands),
        section=_ints(codes.code(industry_section(d.industry_code)) for d in demands),
        min_experience=_floats(d.min_experience_years for d in demands),
        skills=_bitsets([d.skills for d in demands], tags, words),
        skill_count=_floats(len(d.skills) for d in demands),
        max_price=_floats(d.max_hourly_price for d in demands),
        start_s=_floats(d.window.start.timestamp() for d in demands),
        end_s=_floats(d.window.end.timestamp() for d in demands),
        hours=_floats(d.hours for d in demands),
        region_allowed=region_allowed,
        remote_ok=np.asarray([d.location.remote_ok for d in demands], dtype=np.bool_),
    )


def _encode_workers(
    workers: Sequence[Worker], tags: _Vocabulary, words: int, codes: _Vocabulary,
    regions: _Vocabulary,
) -> _WorkerColumns:
    offered = [w.skills | w.advantages for w in workers]
    return _WorkerColumns(
        industry=_ints(codes.code(w.industry_code) for w in workers),
        section=_ints(codes.code(industry_section(w.industry_code)) for w in workers),
        experience=_floats(w.experience_years for w in workers),
        skills=_bitsets([w.skills for w in workers], tags, words),
        offered=_bitsets(offered, tags, words),
        offered_count=_floats(len(tags_) for tags_ in offered),
        min_price=_floats(w.min_hourly_price for w in workers),
        start_s=_floats(w.availability.start.timestamp() for w in workers),
        end_s=_floats(w.availability.end.timestamp() for w in workers),
        hours=_floats(w.available_hours for w in workers),
        region=_ints(regions.code(w.region) for w in workers),
        remote_ok=np.asarray([w.remote_ok for w in workers], dtype=np.bool_),
        credit=_floats(w.credit_score for w in workers),
    )


def encode_market(demands: Sequence[Demand], workers: Sequence[Worker]) -> Market:
    """Columns of both sides over shared vocabularies (tags, industry codes, regions)."""
    tags = _Vocabulary()
    for demand in demands:
        for tag in sorted(demand.skills):
            tags.code(tag)
    for worker in workers:
        for tag in sorted(worker.skills | worker.advantages):
            tags.code(tag)
    words = max(1, -(-len(tags.index) // _WORD_BITS))
    codes = _Vocabulary()
    regions = _Vocabulary()
    worker_columns = _encode_workers(workers, tags, words, codes, regions)
    demand_columns = _encode_demands(demands, tags, words, codes, regions)
    return Market(demands, workers, demand_columns, worker_columns)


def _common_bits(left: Words, d: Index, right: Words, w: Index) -> Floats:
    """Popcount of (left[d] & right[w]) per pair, broadcasting d against w."""
    count: npt.NDArray[np.uint8] = np.bitwise_count(left[d, 0] & right[w, 0])
    for word in range(1, left.shape[1]):
        count = count + np.bitwise_count(left[d, word] & right[w, word])
    return count.astype(np.float64)


def _share_bits(left: Words, d: Index, right: Words, w: Index) -> Bools:
    """Whether left[d] and right[w] share a bit, broadcasting d against w."""
    common: Words = left[d, 0] & right[w, 0]
    for word in range(1, left.shape[1]):
        common = common | (left[d, word] & right[w, word])
    shared: Bools = common != 0
    return shared


def _hard_constraints(market: Market, d: Index, w: Index) -> tuple[Bools, ...]:
    """HARD_CONSTRAINTS in order, True where each holds, broadcast together."""
    dc, wc = market.demand_columns, market.worker_columns
    skills = _share_bits(dc.skills, d, wc.skills, w)
    price = wc.min_price[w] <= dc.max_price[d]
    availability = (np.minimum(dc.end_s[d], wc.end_s[w]) > np.maximum(dc.start_s[d], wc.start_s[w]))
    location = dc.region_allowed[d, wc.region[w]] | (dc.remote_ok[d] & wc.remote_ok[w])
    return tuple(np.broadcast_arrays(skills, price, availability, location))


@dataclass(frozen=True, slots=True)
class _Features:
    values: tuple[Floats, ...]  # FEATURES order, broadcast to one shape
    hard: tuple[Bools, ...]  # HARD_CONSTRAINTS order: True where the constraint holds

    def feasible(self) -> Bools:
        return _all(self.hard)

    def total(self, weights: tuple[float, ...]) -> Floats:
        total = np.zeros_like(self.values[0])
        for weight, value in zip(weights, self.values, strict=True):
            total += weight * value
        return np.clip(total, 0.0, 1.0)


def _all(hard: tuple[Bools, ...]) -> Bools:
    ok = hard[0]
    for holds in hard[1:]:
        ok = ok & holds
    return ok


def _features(market: Market, d: Index, w: Index) -> _Features:
    """Every feature and hard constraint for the pairs (d, w), broadcast together."""
    dc, wc = market.demand_columns, market.worker_columns
    same_section = np.where(dc.section[d] == wc.section[w], 0.5, 0.0)
    industry = np.where(dc.industry[d] == wc.industry[w], 1.0, same_section)
    min_years = dc.min_experience[d]
    experience = np.where(
        min_years <= 0, 1.0, np.minimum(1.0, wc.experience[w] / np.maximum(min_years, 1.0))
    )
    offered_hits = _common_bits(dc.skills, d, wc.offered, w)
    skill = offered_hits / (dc.skill_count[d] + wc.offered_count[w] - offered_hits)
    max_price = dc.max_price[d]
    price = np.clip((max_price - wc.min_price[w]) / max_price, 0.0, 1.0)
    overlap_s = np.maximum(
        0.0, np.minimum(dc.end_s[d], wc.end_s[w]) - np.maximum(dc.start_s[d], wc.start_s[w])
    )
    hours_share = np.minimum(1.0, wc.hours[w] / dc.hours[d])
    availability = overlap_s / (dc.end_s[d] - dc.start_s[d]) * hours_share
    span = float(CREDIT_SCORE_MAX - CREDIT_SCORE_MIN)
    credit = np.clip((wc.credit[w] - CREDIT_SCORE_MIN) / span, 0.0, 1.0)
    values = np.broadcast_arrays(industry, experience, skill, price, availability, credit)
    return _Features(tuple(values), _hard_constraints(market, d, w))


def score_chunks(
    market: Market, weights: ScoringWeights
) -> Iterator[tuple[slice, Floats, Bools]]:
    """Totals (0 where infeasible) and feasibility of every pair, in blocks of demands.

    The hard constraints (cheap comparisons and bitwise ANDs) run on the whole block,
    broadcast; the features run only on the feasible pairs (usually a few percent), as
    1-D gathers.
    """
    demand_count, worker_count = len(market.demands), len(market.workers)
    rows = max(1, _CHUNK_CELLS // max(1, worker_count))
    ordered = weights.ordered()
    w = np.arange(worker_count, dtype=np.intp)[np.newaxis, :]
    for start in range(0, demand_count, rows):
        block = slice(start, min(demand_count, start + rows))
        d = np.arange(block.start, block.stop, dtype=np.intp)[:, np.newaxis]
        feasible = _all(_hard_constraints(market, d, w))
        pair_d, pair_w = np.nonzero(feasible)
        total = np.zeros(feasible.shape, dtype=np.float64)
        if pair_d.size:
            features = _features(market, (pair_d + block.start).astype(np.intp), pair_w)
            total[pair_d, pair_w] = features.total(ordered)
        yield block, total, feasible


def _breakdown(features: _Features, total: Floats, i: int, version: str) -> ScoreBreakdown:
    industry_fit, experience, skill_overlap, price, availability, credit = (
        float(value[i]) for value in features.values
    )
    return ScoreBreakdown(
        industry_fit=industry_fit,
        experience=experience,
        skill_overlap=skill_overlap,
        price=price,
        availability=availability,
        credit=credit,
        total=float(total[i]),
        weights_version=version,
    )


def pair_breakdowns(
    market: Market, weights: ScoringWeights, d: Index, w: Index
) -> list[ScoreBreakdown]:
    """Breakdowns of the pairs (d[i], w[i]) (1-D index arrays of one length)."""
    assert d.shape == w.shape and d.ndim == 1
    features = _features(market, d, w)
    total = features.total(weights.ordered())
    return [_breakdown(features, total, i, weights.version) for i in range(d.shape[0])]


def candidate_hours(demand: Demand, worker: Worker) -> Decimal:
    """Hours the worker could give the demand (one worker per demand, no splitting)."""
    return min(demand.hours, worker.available_hours)


def score_pair(demand: Demand, worker: Worker, weights: ScoringWeights) -> PairScore:
    """One pair's breakdown and the hard constraints it breaks."""
    market = encode_market([demand], [worker])
    index = np.zeros(1, dtype=np.intp)
    features = _features(market, index, index)
    total = features.total(weights.ordered())
    excluded_by = tuple(
        name for name, holds in zip(HARD_CONSTRAINTS, features.hard, strict=True)
        if not bool(holds[0])
    )
    breakdown = _breakdown(features, total, 0, weights.version)
    return PairScore(demand.demand_id, worker.entrustment_id, breakdown, excluded_by)


def propose_candidates(
    demand: Demand, workers: Sequence[Worker], k: int, weights: ScoringWeights
) -> tuple[Candidate, ...]:
    """The top `k` feasible workers for `demand`, best first.

    Ties on the total are broken by entrustment id (ascending), so the answer depends
    only on the inputs, not on their order.
    """
    if k < 1:
        raise ValueError("k must be >= 1")
    market = encode_market([demand], workers)
    w = np.arange(len(workers), dtype=np.intp)
    features = _features(market, np.zeros(1, dtype=np.intp), w)
    total = features.total(weights.ordered())
    feasible = np.flatnonzero(features.feasible())
    ranked = sorted(
        (int(i) for i in feasible), key=lambda i: (-float(total[i]), workers[i].entrustment_id)
    )[:k]
    return tuple(
        Candidate(
            demand_id=demand.demand_id,
            entrustment_id=workers[i].entrustment_id,
            person_id=workers[i].person_id,
            hours=candidate_hours(demand, workers[i]),
            score=_breakdown(features, total, i, weights.version),
            rank=rank,
        )
        for rank, i in enumerate(ranked, start=1)
    )
