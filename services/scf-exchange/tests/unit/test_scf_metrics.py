"""The dashboards' gauges show the analytics figures per alliance and chain type."""

from __future__ import annotations

from prometheus_client import REGISTRY

from ntb_scf_exchange.domain.money import Money
from ntb_scf_exchange.entrypoints import metrics
from ntb_scf_exchange.service.analytics import Group


def test_gauges_carry_volume_outstanding_and_defaults_by_group() -> None:
    metrics.publish("chain_type", [Group(
        "CHAIN_TYPE_VALUE", financed_volume=(Money("CNY", 300), Money("USD", 7)),
        outstanding=(Money("CNY", 100),), defaulted=(Money("CNY", 50),), funded_count=3,
        defaulted_count=1)])

    def value(name: str, **labels: str) -> float | None:
        return REGISTRY.get_sample_value(name, {"dimension": "chain_type",
                                                "slice": "CHAIN_TYPE_VALUE", **labels})

    assert value("ntb_scf_financed_volume_units", asset="CNY") == 300
    assert value("ntb_scf_financed_volume_units", asset="USD") == 7
    assert value("ntb_scf_outstanding_units", asset="CNY") == 100
    assert value("ntb_scf_defaulted_units", asset="CNY") == 50
    assert value("ntb_scf_financings_funded") == 3
    assert value("ntb_scf_financings_defaulted") == 1
