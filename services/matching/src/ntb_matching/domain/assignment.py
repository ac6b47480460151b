"""Batch matching: assign demands to workers maximising the total pair score.

`match_batch` solves the linear assignment problem (scipy's ``linear_sum_assignment``,
shortest augmenting paths, exact) on a cost matrix of -score built block by block with
numpy. Rules:

- each worker (entrustment) serves at most one demand per batch and each demand gets at
  most one worker: no splitting of hours (min-cost flow over hours is a separate,
  later piece); the candidate's hours are min(demand hours, worker hours);
- pairs that break a hard constraint, or score below `min_score` (or exactly 0), cost 0,
  the same as "no match": the solver may put a demand there and the demand then stays
  unassigned. When there are fewer workers than demands, zero-cost dummy columns are
  added so that every demand can stay unassigned;
- the objective is the sum of the assigned pairs' totals (each demand counts once).

`greedy_match` is the baseline: best remaining pair first, on the same scores.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment

from ntb_matching.domain.model import Demand, ScoringWeights, Worker
from ntb_matching.domain.scoring import (
    Candidate,
    Floats,
    Index,
    Market,
    candidate_hours,
    encode_market,
    pair_breakdowns,
    score_chunks,
)

DEMANDS_PER_BATCH_MAX = 10_000
WORKERS_PER_BATCH_MAX = 100_000


@dataclass(frozen=True, slots=True)
class BatchAssignment:
    """Which worker each demand got (in demand input order), the rest unassigned.

    Each assignment is a `Candidate` with rank 1 (the batch's choice for its demand).
    """

    assignments: tuple[Candidate, ...]
    unassigned_demand_ids: tuple[str, ...]
    objective: float  # sum of the assigned totals

    def mean_score(self, demand_count: int) -> float:
        """Objective per demand, unassigned demands counting 0."""
        return self.objective / demand_count if demand_count else 0.0


def _check_batch(demands: Sequence[Demand], workers: Sequence[Worker], min_score: float) -> None:
    if not 0.0 <= min_score <= 1.0:
        raise ValueError("min_score must be in 0..1")
    if len(demands) > DEMANDS_PER_BATCH_MAX or len(workers) > WORKERS_PER_BATCH_MAX:
        raise ValueError(
            f"a batch has at most {DEMANDS_PER_BATCH_MAX} demands and "
            f"{WORKERS_PER_BATCH_MAX} workers"
        )
    if len({d.demand_id for d in demands}) != len(demands):
        raise ValueError("demand ids in a batch must be unique")
    if len({w.entrustment_id for w in workers}) != len(workers):
        raise ValueError("entrustment ids in a batch must be unique")


def _eligible(total: Floats, feasible: np.ndarray, min_score: float) -> np.ndarray:
    return feasible & (total >= min_score) & (total > 0.0)


def score_matrix(market: Market, weights: ScoringWeights, min_score: float) -> Floats:
    """Eligible pairs' totals; 0 where a pair is infeasible, below min_score or worthless."""
    matrix = np.zeros((len(market.demands), len(market.workers)), dtype=np.float64)
    for block, total, feasible in score_chunks(market, weights):
        matrix[block] = np.where(_eligible(total, feasible, min_score), total, 0.0)
    return matrix


def _result(
    market: Market, weights: ScoringWeights, rows: Index, cols: Index
) -> BatchAssignment:
    by_demand = np.argsort(rows, kind="stable")
    rows, cols = rows[by_demand], cols[by_demand]
    breakdowns = pair_breakdowns(market, weights, rows, cols)
    assignments = tuple(
        Candidate(
            demand_id=market.demands[d].demand_id,
            entrustment_id=market.workers[w].entrustment_id,
            person_id=market.workers[w].person_id,
            hours=candidate_hours(market.demands[d], market.workers[w]),
            score=breakdown,
            rank=1,
        )
        for d, w, breakdown in zip(rows.tolist(), cols.tolist(), breakdowns, strict=True)
    )
    assigned = set(rows.tolist())
    unassigned = tuple(
        demand.demand_id for i, demand in enumerate(market.demands) if i not in assigned
    )
    objective = float(sum(candidate.score.total for candidate in assignments))
    return BatchAssignment(assignments, unassigned, objective)


def _check_result(matrix: Floats, rows: Index, cols: Index) -> None:
    assert np.unique(cols).size == cols.size, "a worker was assigned twice"
    assert np.unique(rows).size == rows.size, "a demand was assigned twice"
    assert bool(np.all(matrix[rows, cols] > 0.0)), "an ineligible pair was assigned"


def match_batch(
    demands: Sequence[Demand],
    workers: Sequence[Worker],
    *,
    min_score: float,
    weights: ScoringWeights,
) -> BatchAssignment:
    """The assignment of maximum total score (see the module docstring for the rules)."""
    _check_batch(demands, workers, min_score)
    market = encode_market(demands, workers)
    matrix = score_matrix(market, weights, min_score)
    cost = -matrix
    if len(workers) < len(demands):  # dummy "no match" columns
        cost = np.hstack([cost, np.zeros((len(demands), len(demands) - len(workers)))])
    rows, cols = linear_sum_assignment(cost)
    real = cols < len(workers)
    rows, cols = rows[real], cols[real]
    keep = matrix[rows, cols] > 0.0  # a zero-cost cell is "no match"
    rows, cols = rows[keep].astype(np.intp), cols[keep].astype(np.intp)
    _check_result(matrix, rows, cols)
    return _result(market, weights, rows, cols)


def _greedy_pairs(matrix: Floats) -> tuple[Index, Index]:
    """Greedy on the eligible cells: highest score first, ties by (demand, worker)."""
    demand_count, worker_count = matrix.shape
    # A demand's greedy pick is among its best min(D, W) cells: at most D - 1 workers
    # are taken before its turn. Keep those (and ties) to sort fewer cells.
    keep_per_row = min(demand_count, worker_count)
    if keep_per_row == 0:
        return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.intp)
    if keep_per_row < worker_count:
        kth = np.partition(matrix, worker_count - keep_per_row, axis=1)
        threshold = kth[:, worker_count - keep_per_row][:, np.newaxis]
        d, w = np.nonzero((matrix > 0.0) & (matrix >= threshold))
    else:
        d, w = np.nonzero(matrix > 0.0)
    order = np.lexsort((w, d, -matrix[d, w]))
    demand_taken = np.zeros(demand_count, dtype=np.bool_)
    worker_taken = np.zeros(worker_count, dtype=np.bool_)
    rows: list[int] = []
    cols: list[int] = []
    for row, col in zip(d[order].tolist(), w[order].tolist(), strict=True):
        if demand_taken[row] or worker_taken[col]:
            continue
        demand_taken[row] = worker_taken[col] = True
        rows.append(row)
        cols.append(col)
        if len(rows) == keep_per_row:
            break
    return np.asarray(rows, dtype=np.intp), np.asarray(cols, dtype=np.intp)


def greedy_match(
    demands: Sequence[Demand],
    workers: Sequence[Worker],
    *,
    min_score: float,
    weights: ScoringWeights,
) -> BatchAssignment:
    """Baseline: repeatedly take the best remaining eligible pair."""
    _check_batch(demands, workers, min_score)
    market = encode_market(demands, workers)
    matrix = score_matrix(market, weights, min_score)
    rows, cols = _greedy_pairs(matrix)
    _check_result(matrix, rows, cols)
    return _result(market, weights, rows, cols)
