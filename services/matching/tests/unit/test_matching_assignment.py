"""Batch assignment: optimal, never worse than greedy, never breaking a rule.

Property tests (hypothesis) on random small markets drawn from small pools of skills,
regions, prices and windows, so that many pairs are infeasible: `match_batch`'s total
score is >= the greedy baseline's and equals a brute-force optimum over every partial
matching; every assigned pair is feasible, scores >= min_score and exactly what
`score_pair` says; the greedy baseline (pruned to each demand's best min(D, W) cells)
picks exactly what a naive greedy over all pairs picks; no worker and no demand is used
twice; every demand is either assigned or listed unassigned. Examples pin the case
greedy gets wrong, fewer workers than demands (dummy "no match" columns) and a
min_score nobody reaches. Larger markets are also scored one demand per block, to show
that the blocks change nothing.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ntb_matching.data import load_weights
from ntb_matching.domain import scoring
from ntb_matching.domain.assignment import BatchAssignment, greedy_match, match_batch
from ntb_matching.domain.model import Demand, Location, Window, Worker
from ntb_matching.domain.scoring import score_pair

T0 = datetime(2027, 3, 1, tzinfo=UTC)
WEIGHTS = load_weights()
SKILLS = ["a", "b", "c", "d", "e"]
REGIONS = ["CN-GD", "CN-BJ", "CN-SH"]
INDUSTRIES = ["J", "J62", "J63", "C26"]


def window(start_day: int, length_days: int) -> Window:
    start = T0 + timedelta(days=start_day)
    return Window(start, start + timedelta(days=length_days))


tags = st.frozensets(st.sampled_from(SKILLS), min_size=1, max_size=3)


@st.composite
def workers(draw: st.DrawFn, count: int) -> list[Worker]:
    return [
        Worker(
            entrustment_id=f"e-{i}",
            person_id=f"p-{i}",
            industry_code=draw(st.sampled_from(INDUSTRIES)),
            region=draw(st.sampled_from(REGIONS)),
            remote_ok=draw(st.booleans()),
            experience_years=draw(st.integers(0, 10)),
            skills=draw(tags),
            advantages=draw(st.frozensets(st.sampled_from(SKILLS), max_size=2)),
            available_hours=Decimal(draw(st.integers(1, 50))),
            availability=window(draw(st.integers(0, 20)), draw(st.integers(1, 20))),
            min_hourly_price=draw(st.integers(1, 10)) * 1_000,
            credit_score=draw(st.integers(350, 950)),
        )
        for i in range(count)
    ]


@st.composite
def demands(draw: st.DrawFn, count: int) -> list[Demand]:
    return [
        Demand(
            demand_id=f"d-{i}",
            buyer_id="b",
            industry_code=draw(st.sampled_from(INDUSTRIES)),
            skills=draw(tags),
            hours=Decimal(draw(st.integers(1, 50))),
            window=window(draw(st.integers(0, 20)), draw(st.integers(1, 20))),
            max_hourly_price=draw(st.integers(1, 10)) * 1_000,
            location=Location(
                frozenset(draw(st.lists(st.sampled_from(REGIONS), max_size=2))), remote_ok=True
            ) if draw(st.booleans()) else Location.on_site(draw(st.sampled_from(REGIONS))),
            min_experience_years=draw(st.integers(0, 8)),
        )
        for i in range(count)
    ]


@st.composite
def markets(draw: st.DrawFn) -> tuple[list[Demand], list[Worker], float]:
    demand_list = draw(demands(draw(st.integers(0, 4))))
    worker_list = draw(workers(draw(st.integers(0, 5))))
    min_score = draw(st.sampled_from([0.0, 0.3, 0.5, 0.7]))
    return demand_list, worker_list, min_score


def eligible_pairs(
    demand_list: list[Demand], worker_list: list[Worker], min_score: float
) -> dict[tuple[int, int], float]:
    value: dict[tuple[int, int], float] = {}
    for (i, d), (j, w) in itertools.product(enumerate(demand_list), enumerate(worker_list)):
        pair = score_pair(d, w, WEIGHTS)
        if pair.feasible and pair.score.total >= min_score and pair.score.total > 0:
            value[i, j] = pair.score.total
    return value


def naive_greedy(value: dict[tuple[int, int], float]) -> set[tuple[int, int]]:
    """Every eligible pair sorted best first (ties by demand, worker), taken when free."""
    taken: set[tuple[int, int]] = set()
    for i, j in sorted(value, key=lambda pair: (-value[pair], pair)):
        if all(i != a and j != b for a, b in taken):
            taken.add((i, j))
    return taken


def brute_force_best(
    demand_list: list[Demand], worker_list: list[Worker], min_score: float
) -> float:
    """The best total over every partial matching (None = demand left unassigned)."""
    value = eligible_pairs(demand_list, worker_list, min_score)
    best = 0.0
    options = [None, *range(len(worker_list))]
    for choice in itertools.product(options, repeat=len(demand_list)):
        chosen = [j for j in choice if j is not None]
        if len(set(chosen)) != len(chosen):
            continue
        pairs = [(i, j) for i, j in enumerate(choice) if j is not None]
        if all(pair in value for pair in pairs):
            best = max(best, sum(value[pair] for pair in pairs))
    return best


def assert_valid(
    result: BatchAssignment, demand_list: list[Demand], worker_list: list[Worker],
    min_score: float,
) -> None:
    by_demand = {d.demand_id: d for d in demand_list}
    by_worker = {w.entrustment_id: w for w in worker_list}
    used_workers = [c.entrustment_id for c in result.assignments]
    used_demands = [c.demand_id for c in result.assignments]
    assert len(set(used_workers)) == len(used_workers), "a worker was assigned twice"
    assert len(set(used_demands)) == len(used_demands), "a demand was assigned twice"
    assert sorted(used_demands + list(result.unassigned_demand_ids)) == sorted(by_demand)
    for candidate in result.assignments:
        pair = score_pair(
            by_demand[candidate.demand_id], by_worker[candidate.entrustment_id], WEIGHTS
        )
        assert pair.feasible, pair.excluded_by
        assert candidate.score == pair.score
        assert candidate.score.total >= min_score
    assert result.objective == pytest.approx(sum(c.score.total for c in result.assignments))


@settings(max_examples=80, deadline=None)
@given(markets())
def test_assignment_is_optimal_valid_and_never_worse_than_greedy(
    market: tuple[list[Demand], list[Worker], float],
) -> None:
    demand_list, worker_list, min_score = market
    optimal = match_batch(demand_list, worker_list, min_score=min_score, weights=WEIGHTS)
    greedy = greedy_match(demand_list, worker_list, min_score=min_score, weights=WEIGHTS)
    assert_valid(optimal, demand_list, worker_list, min_score)
    assert_valid(greedy, demand_list, worker_list, min_score)
    assert optimal.objective >= greedy.objective - 1e-9
    best = brute_force_best(demand_list, worker_list, min_score)
    assert optimal.objective == pytest.approx(best, abs=1e-9)
    expected_greedy = naive_greedy(eligible_pairs(demand_list, worker_list, min_score))
    assert {
        (int(c.demand_id[2:]), int(c.entrustment_id[2:])) for c in greedy.assignments
    } == expected_greedy


@settings(max_examples=15, deadline=None)
@given(st.data())
def test_larger_markets_scored_in_many_blocks_give_the_same_valid_answer(
    data: st.DataObject,
) -> None:
    demand_list = data.draw(demands(data.draw(st.integers(10, 25))))
    worker_list = data.draw(workers(data.draw(st.integers(10, 40))))
    whole = match_batch(demand_list, worker_list, min_score=0.2, weights=WEIGHTS)
    original = scoring._CHUNK_CELLS
    scoring._CHUNK_CELLS = 7  # one demand per block
    try:
        blocked = match_batch(demand_list, worker_list, min_score=0.2, weights=WEIGHTS)
    finally:
        scoring._CHUNK_CELLS = original
    greedy = greedy_match(demand_list, worker_list, min_score=0.2, weights=WEIGHTS)
    assert blocked == whole
    assert_valid(whole, demand_list, worker_list, 0.2)
    assert whole.objective >= greedy.objective - 1e-9


def _worker(
    entrustment_id: str, skills: set[str], credit_score: int, *, remote_ok: bool = False
) -> Worker:
    return Worker(
        entrustment_id=entrustment_id, person_id=f"p-{entrustment_id}", industry_code="J62",
        region="CN-GD", remote_ok=remote_ok, experience_years=5, skills=frozenset(skills),
        advantages=frozenset(), available_hours=Decimal(10), availability=window(0, 10),
        min_hourly_price=1_000, credit_score=credit_score,
    )


def _demand(demand_id: str, skills: set[str], location: Location | None = None) -> Demand:
    return Demand(
        demand_id=demand_id, buyer_id="b", industry_code="J62", skills=frozenset(skills),
        hours=Decimal(10), window=window(0, 10), max_hourly_price=2_000,
        location=location or Location.on_site("CN-GD"),
    )


def test_assignment_beats_greedy_where_greedy_takes_the_shared_best_worker() -> None:
    # "star" is the best worker for both demands and the only one for the remote demand B;
    # "plain" can only serve A. Greedy gives star to A (the best pair, ties by demand)
    # and leaves B empty; the optimum gives A plain and B star.
    demand_list = [_demand("A", {"x"}), _demand("B", {"x"}, Location.remote())]
    worker_list = [_worker("star", {"x"}, 950, remote_ok=True), _worker("plain", {"x"}, 350)]
    optimal = match_batch(demand_list, worker_list, min_score=0.0, weights=WEIGHTS)
    greedy = greedy_match(demand_list, worker_list, min_score=0.0, weights=WEIGHTS)
    assert {(c.demand_id, c.entrustment_id) for c in optimal.assignments} == {
        ("A", "plain"), ("B", "star"),
    }
    assert [(c.demand_id, c.entrustment_id) for c in greedy.assignments] == [("A", "star")]
    assert greedy.unassigned_demand_ids == ("B",)
    assert optimal.objective > greedy.objective


def test_fewer_workers_than_demands_leaves_the_weakest_unassigned() -> None:
    demand_list = [_demand("A", {"x"}), _demand("B", {"x", "z"}), _demand("C", {"q"})]
    optimal = match_batch(
        demand_list, [_worker("w", {"x"}, 700)], min_score=0.0, weights=WEIGHTS
    )
    assert [(c.demand_id, c.entrustment_id) for c in optimal.assignments] == [("A", "w")]
    assert optimal.unassigned_demand_ids == ("B", "C")


def test_min_score_nobody_reaches_leaves_everything_unassigned() -> None:
    demand_list = [_demand("A", {"x"})]
    result = match_batch(
        demand_list, [_worker("w", {"x", "y"}, 350)], min_score=0.99, weights=WEIGHTS
    )
    assert result.assignments == ()
    assert result.unassigned_demand_ids == ("A",)
    assert result.objective == 0.0


def test_batches_with_duplicate_ids_or_bad_min_score_are_refused() -> None:
    with pytest.raises(ValueError, match="unique"):
        match_batch([_demand("A", {"x"})] * 2, [], min_score=0.0, weights=WEIGHTS)
    with pytest.raises(ValueError, match="min_score"):
        match_batch([], [], min_score=1.5, weights=WEIGHTS)
