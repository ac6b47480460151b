"""Pair scoring and top-k candidates: each feature, each hard constraint, determinism.

Proves, on hand-made demands and workers, that every feature follows its documented
formula, that each hard constraint alone excludes a pair (and names itself), that the
total is the weighted sum of the breakdown, that the versioned weights load and are
validated, and that `propose_candidates` ranks feasible workers best first with ties
broken by entrustment id whatever the input order, with breakdowns identical to
`score_pair`'s.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from ntb_matching.data import load_weights
from ntb_matching.domain.model import FEATURES, Demand, Location, ScoringWeights, Window, Worker
from ntb_matching.domain.scoring import propose_candidates, score_pair

T0 = datetime(2027, 3, 1, tzinfo=UTC)
WEIGHTS = load_weights("v1")


def window(start_day: int, end_day: int) -> Window:
    return Window(T0 + timedelta(days=start_day), T0 + timedelta(days=end_day))


def worker(entrustment_id: str = "e-1", **changes: object) -> Worker:
    base = Worker(
        entrustment_id=entrustment_id,
        person_id=f"p-{entrustment_id}",
        industry_code="J62",
        region="CN-GD",
        remote_ok=False,
        experience_years=5,
        skills=frozenset({"python", "sql"}),
        advantages=frozenset(),
        available_hours=Decimal(100),
        availability=window(0, 10),
        min_hourly_price=5_000,
        credit_score=950,
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def demand(**changes: object) -> Demand:
    base = Demand(
        demand_id="d-1",
        buyer_id="b-1",
        industry_code="J62",
        skills=frozenset({"python", "sql"}),
        hours=Decimal(100),
        window=window(0, 10),
        max_hourly_price=10_000,
        location=Location.on_site("CN-GD"),
        min_experience_years=5,
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def test_a_perfect_pair_scores_each_feature_as_documented() -> None:
    pair = score_pair(demand(), worker(), WEIGHTS)
    assert pair.feasible
    breakdown = pair.score
    assert breakdown.industry_fit == 1.0
    assert breakdown.experience == 1.0
    assert breakdown.skill_overlap == 1.0
    assert breakdown.price == pytest.approx(0.5)  # (10000 - 5000) / 10000
    assert breakdown.availability == 1.0
    assert breakdown.credit == 1.0
    assert breakdown.weights_version == "v1"


@pytest.mark.parametrize(
    ("worker_changes", "demand_changes", "feature", "expected"),
    [
        ({"industry_code": "J63"}, {}, "industry_fit", 0.5),
        ({"industry_code": "J"}, {}, "industry_fit", 0.5),
        ({"industry_code": "C26"}, {}, "industry_fit", 0.0),
        ({"experience_years": 2}, {"min_experience_years": 8}, "experience", 0.25),
        ({"experience_years": 0}, {"min_experience_years": 0}, "experience", 1.0),
        ({"skills": frozenset({"python"}), "advantages": frozenset({"rust"})}, {},
         "skill_overlap", 1 / 3),
        ({"advantages": frozenset({"sql"})}, {}, "skill_overlap", 1.0),
        ({"min_hourly_price": 10_000}, {}, "price", 0.0),
        ({"available_hours": Decimal(25)}, {}, "availability", 0.25),
        ({"availability": window(5, 30)}, {}, "availability", 0.5),
        ({"credit_score": 350}, {}, "credit", 0.0),
        ({"credit_score": 650}, {}, "credit", 0.5),
    ],
)
def test_each_feature_follows_its_formula(
    worker_changes: dict[str, object], demand_changes: dict[str, object], feature: str,
    expected: float,
) -> None:
    pair = score_pair(demand(**demand_changes), worker(**worker_changes), WEIGHTS)
    assert pair.feasible
    assert getattr(pair.score, feature) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("worker_changes", "demand_changes", "reason"),
    [
        ({"skills": frozenset({"cooking"}), "advantages": frozenset({"python"})}, {}, "skills"),
        ({"min_hourly_price": 10_001}, {}, "price"),
        ({"availability": window(10, 20)}, {}, "availability"),
        ({"region": "CN-BJ", "remote_ok": True}, {}, "location"),
        ({"region": "CN-BJ"}, {"location": Location.remote()}, "location"),
    ],
)
def test_each_hard_constraint_alone_excludes_the_pair(
    worker_changes: dict[str, object], demand_changes: dict[str, object], reason: str
) -> None:
    pair = score_pair(demand(**demand_changes), worker(**worker_changes), WEIGHTS)
    assert pair.excluded_by == (reason,)
    assert not pair.feasible


def test_remote_work_needs_both_sides_to_accept_it() -> None:
    remote = demand(location=Location.remote())
    assert score_pair(remote, worker(region="CN-BJ", remote_ok=True), WEIGHTS).feasible
    on_site_or_remote = demand(location=Location.on_site("CN-SH", remote_ok=True))
    assert score_pair(on_site_or_remote, worker(remote_ok=True), WEIGHTS).feasible
    assert not score_pair(on_site_or_remote, worker(), WEIGHTS).feasible


def test_total_is_the_weighted_sum_of_the_breakdown() -> None:
    pair = score_pair(
        demand(), worker(industry_code="J63", credit_score=500, experience_years=1), WEIGHTS
    )
    expected = sum(w * c for w, c in zip(WEIGHTS.ordered(), pair.score.components(), strict=True))
    assert pair.score.total == pytest.approx(expected, abs=1e-12)
    assert 0.0 <= pair.score.total <= 1.0


def test_weights_are_versioned_data_summing_to_one() -> None:
    assert WEIGHTS.version == "v1"
    assert tuple(WEIGHTS.weights) == FEATURES
    assert sum(WEIGHTS.weights.values()) == Decimal(1)
    with pytest.raises(ValueError, match="sum to exactly 1"):
        ScoringWeights.from_mapping(
            {"version": "x", "weights": {name: "0.2" for name in FEATURES}}
        )
    with pytest.raises(ValueError, match="decimal string"):
        ScoringWeights.from_mapping(json.loads('{"version": "x", "weights": {"credit": 1}}'))
    with pytest.raises(ValueError, match="not v<N>"):
        load_weights("../v1")


def test_candidates_are_ranked_with_ties_broken_by_entrustment_id() -> None:
    workers = [
        worker("e-3"),
        worker("e-1"),
        worker("e-9", credit_score=350),  # lower total
        worker("e-2"),
        worker("e-0", min_hourly_price=20_000),  # excluded: price
    ]
    candidates = propose_candidates(demand(), workers, 3, WEIGHTS)
    assert [c.entrustment_id for c in candidates] == ["e-1", "e-2", "e-3"]
    assert [c.rank for c in candidates] == [1, 2, 3]
    reversed_order = propose_candidates(demand(), workers[::-1], 3, WEIGHTS)
    assert reversed_order == candidates
    everyone = propose_candidates(demand(), workers, 50, WEIGHTS)
    assert [c.entrustment_id for c in everyone] == ["e-1", "e-2", "e-3", "e-9"]


def test_candidate_breakdowns_equal_the_single_pair_scores() -> None:
    workers = [
        worker(f"e-{i}", credit_score=350 + 50 * i, experience_years=i, industry_code="J6")
        for i in range(8)
    ]
    for candidate in propose_candidates(demand(hours=Decimal(40)), workers, 8, WEIGHTS):
        single = next(w for w in workers if w.entrustment_id == candidate.entrustment_id)
        assert candidate.score == score_pair(demand(hours=Decimal(40)), single, WEIGHTS).score
        assert candidate.hours == Decimal(40)


def test_invalid_inputs_are_refused() -> None:
    with pytest.raises(ValueError, match="credit_score"):
        worker(credit_score=951)
    with pytest.raises(ValueError, match="industry code"):
        demand(industry_code="62")
    with pytest.raises(ValueError, match="region or remote_ok"):
        Location(frozenset(), remote_ok=False)
    with pytest.raises(ValueError, match="k must be"):
        propose_candidates(demand(), [worker()], 0, WEIGHTS)
