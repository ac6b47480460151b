"""The credit scorecard: sign convention pinned (positive WoE earns points, doubling the
odds adds PDO points, higher score = lower risk), decayed behaviour, reason codes naming
the costliest features, and reproducibility from stored features. Pure functions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from ntb_identity.adapters import model_files
from ntb_identity.domain.behaviour import BehaviourRecord, Conduct, decayed_features
from ntb_identity.domain.scorecard import score

NOW = datetime(2026, 6, 1, tzinfo=UTC)
REGISTERED = NOW - timedelta(days=400)


def features_of(*records: BehaviourRecord) -> dict[str, Decimal | None]:
    card = model_files.scorecard(1)
    return decayed_features(records, as_of=NOW, registered_at=REGISTERED,
                            half_life_days=card.half_life_days)


def order(index: int, *, late: bool = False, days_ago: int = 10,
          conduct: Conduct = Conduct.ORDER_COMPLETED) -> BehaviourRecord:
    return BehaviourRecord(f"e{index}", "p", conduct, NOW - timedelta(days=days_ago),
                           late=late, rating=5)


def test_base_points_and_pdo_scaling() -> None:
    card = model_files.scorecard(1)
    # offset + factor x intercept with intercept = ln 20: the target score itself
    assert card.base_points == 650
    feature = card.features[0]
    assert card.points(feature, Decimal(2).ln()) == 40  # doubling the odds: +PDO


def test_positive_woe_earns_points_and_negative_costs_points() -> None:
    card = model_files.scorecard(1)
    feature = card.features[0]
    assert card.points(feature, Decimal("0.5")) > 0 > card.points(feature, Decimal("-0.9"))


def test_late_deliveries_lower_the_score_and_name_the_cause() -> None:
    card = model_files.scorecard(1)
    on_time = score(card, features_of(*(order(i) for i in range(6))))
    late = score(card, features_of(*(order(i, late=i < 3) for i in range(6))))
    assert late.score < on_time.score
    assert late.reasons[0].code == "LATE_DELIVERIES"


def test_disputes_and_cancellations_lower_the_score() -> None:
    card = model_files.scorecard(1)
    base = [order(i) for i in range(6)]
    clean = score(card, features_of(*base)).score
    disputed = score(card, features_of(*base, order(9, conduct=Conduct.ORDER_DISPUTED)))
    assert disputed.score < clean
    assert "DISPUTES" in [r.code for r in disputed.reasons]
    cancelled = [order(10 + i, conduct=Conduct.ORDER_CANCELLED) for i in range(3)]
    assert score(card, features_of(*base, *cancelled)).score < clean


def test_old_behaviour_counts_less() -> None:
    recent = features_of(order(1, conduct=Conduct.ORDER_DISPUTED, days_ago=1))
    old = features_of(order(1, conduct=Conduct.ORDER_DISPUTED, days_ago=360))
    assert recent["disputes"] == Decimal("0.9962")
    assert old["disputes"] == Decimal("0.2500")  # two half-lives of 180 days
    card = model_files.scorecard(1)
    assert score(card, old).score > score(card, recent).score


def test_score_from_stored_features_is_reproducible_and_in_range() -> None:
    card = model_files.scorecard(1)
    features = features_of(*(order(i, late=i % 2 == 0) for i in range(8)))
    stored = {k: None if v is None else str(v) for k, v in features.items()}
    again = {k: None if v is None else Decimal(v) for k, v in stored.items()}
    assert score(card, again) == score(card, features)
    assert 350 <= score(card, features).score <= 950


def test_a_person_without_orders_is_told_so_not_that_they_complete_too_few() -> None:
    card = model_files.scorecard(1)
    codes = [r.code for r in score(card, features_of()).reasons]
    assert "NO_ORDER_HISTORY" in codes and "LOW_COMPLETION_RATE" not in codes
    assert len(codes) == len(set(codes)) <= 4
