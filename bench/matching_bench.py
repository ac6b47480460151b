"""MatchBatch's engine on a synthetic market: optimal assignment against a greedy baseline.

Generates 10,000 workers (entrustments) and 1,000 demands with a fixed seed (skills from
a 200-tag vocabulary, 31 regions, ISIC codes, prices, windows, hours, credit scores),
then times `match_batch` (encoding + scoring + assignment) and `greedy_match` on the
same data with the current weights, and prints each figure. Ends with one JSON line:
{"workers", "demands", "seconds", "score", "greedy_score"} where the scores are the mean
pair score per demand (unassigned demands count 0) and seconds is match_batch's time.

usage: python bench/matching_bench.py [--workers 10000] [--demands 1000] [--seed 5]
"""

from __future__ import annotations

import argparse
import json
import random
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from ntb_matching.data import load_weights
from ntb_matching.domain.assignment import greedy_match, match_batch
from ntb_matching.domain.model import Demand, Location, Window, Worker

EPOCH = datetime(2027, 1, 1, tzinfo=UTC)
SKILLS = [f"skill-{i:03d}" for i in range(200)]
REGIONS = [f"CN-{i:02d}" for i in range(11, 42)]
SECTIONS = "ABCDEFGHIJKLMNOPQRSTU"
MIN_SCORE = 0.3


def _industry(rng: random.Random) -> str:
    section = rng.choice(SECTIONS[:8])  # a few busy sections make industry fit matter
    return section if rng.random() < 0.2 else f"{section}{rng.randint(10, 15)}"


def _window(rng: random.Random, *, days_min: int, days_max: int) -> Window:
    start = EPOCH + timedelta(days=rng.randint(0, 60))
    return Window(start, start + timedelta(days=rng.randint(days_min, days_max)))


def _skills(rng: random.Random, low: int, high: int) -> frozenset[str]:
    # Popular skills come up more often (Zipf-like), as in a real market.
    count = rng.randint(low, high)
    return frozenset(SKILLS[int(len(SKILLS) * rng.random() ** 2)] for _ in range(count))


def make_worker(rng: random.Random, i: int) -> Worker:
    return Worker(
        entrustment_id=f"e-{i:05d}",
        person_id=f"p-{i:05d}",
        industry_code=_industry(rng),
        region=rng.choice(REGIONS),
        remote_ok=rng.random() < 0.5,
        experience_years=rng.randint(0, 30),
        skills=_skills(rng, 2, 8),
        advantages=_skills(rng, 0, 3),
        available_hours=Decimal(rng.randint(20, 720)),
        availability=_window(rng, days_min=7, days_max=180),
        min_hourly_price=rng.randint(20, 200) * 100,
        credit_score=rng.randint(350, 950),
    )


def make_demand(rng: random.Random, i: int) -> Demand:
    regions = frozenset(rng.sample(REGIONS, rng.randint(0, 3)))
    return Demand(
        demand_id=f"d-{i:04d}",
        buyer_id=f"b-{i % 97:03d}",
        industry_code=_industry(rng),
        skills=_skills(rng, 1, 5),
        hours=Decimal(rng.randint(8, 200)),
        window=_window(rng, days_min=3, days_max=60),
        max_hourly_price=rng.randint(40, 300) * 100,
        location=Location(regions, remote_ok=not regions or rng.random() < 0.5),
        min_experience_years=rng.randint(0, 10),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=10_000)
    parser.add_argument("--demands", type=int, default=1_000)
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    workers = [make_worker(rng, i) for i in range(args.workers)]
    demands = [make_demand(rng, i) for i in range(args.demands)]
    weights = load_weights()

    started = time.perf_counter()
    optimal = match_batch(demands, workers, min_score=MIN_SCORE, weights=weights)
    seconds = time.perf_counter() - started
    started = time.perf_counter()
    greedy = greedy_match(demands, workers, min_score=MIN_SCORE, weights=weights)
    greedy_seconds = time.perf_counter() - started

    score = optimal.mean_score(len(demands))
    greedy_score = greedy.mean_score(len(demands))
    print(f"market: {len(workers)} workers, {len(demands)} demands, seed {args.seed}, "
          f"weights {weights.version}, min_score {MIN_SCORE}")
    print(f"assignment: {seconds:.3f} s, mean score {score:.6f}, "
          f"{len(optimal.assignments)} assigned, {len(optimal.unassigned_demand_ids)} unassigned")
    print(f"greedy:     {greedy_seconds:.3f} s, mean score {greedy_score:.6f}, "
          f"{len(greedy.assignments)} assigned, {len(greedy.unassigned_demand_ids)} unassigned")
    print(json.dumps({
        "workers": len(workers),
        "demands": len(demands),
        "seconds": round(seconds, 3),
        "score": round(score, 6),
        "greedy_score": round(greedy_score, 6),
    }))


if __name__ == "__main__":
    main()
