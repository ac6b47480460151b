"""The Prometheus rules are valid and the checked-in dashboards are what the code makes;
ledger-wide gauges are not summed over replicas; the absent alert covers the core.

How: `promtool check rules` (Debian's prometheus package) on deploy/grafana/prometheus-rules.yml;
`deploy/grafana/generate.py --check` compares the JSON the code generates with the files.
"""

from __future__ import annotations

import re
import subprocess
import sys

import yaml
from deploy_checks import ROOT

RULES = ROOT / "deploy" / "grafana" / "prometheus-rules.yml"


def test_promtool_check_rules_passes(tools: dict[str, str]) -> None:
    result = subprocess.run([tools["promtool"], "check", "rules", str(RULES)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


def test_checked_in_dashboards_are_what_the_code_generates() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "deploy" / "grafana" / "generate.py"), "--check"],
        capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


# Every laborcoin-worker replica (two in the chart) reports the same figures, read
# from the shared ledger: summing them over replicas would double the coin in
# circulation and the cap.
_LEDGER_WIDE_GAUGES = ("ntb_laborcoin_outstanding_supply_units",
                       "ntb_laborcoin_issuance_cap_units", "ntb_laborcoin_coin_price_cny",
                       "ntb_laborcoin_fiat_reserve_fen")


def test_ledger_wide_gauges_are_never_summed_over_replicas() -> None:
    texts = [RULES.read_text(), *(path.read_text() for path in
                                  (ROOT / "deploy" / "grafana" / "dashboards").glob("*.json"))]
    read = [gauge for gauge in _LEDGER_WIDE_GAUGES if any(gauge in text for text in texts)]
    summed = [gauge for gauge in _LEDGER_WIDE_GAUGES for text in texts
              if re.search(rf"sum\s*(by\s*\([^)]*\)\s*)?\(\s*{gauge}\b", text)]
    assert read, "the rules and dashboards read the economy gauges"
    assert summed == []


def test_the_absent_alert_covers_every_core_part_of_the_body() -> None:
    """laborcoin-worker reports the outbox's age itself: were it gone, no other alert
    would notice that events stopped leaving the outbox."""
    groups = yaml.safe_load(RULES.read_text())["groups"]
    [absent] = [rule for group in groups for rule in group["rules"]
                if rule.get("alert") == "NtbServiceAbsent"]
    for service in ("identity", "laborcoin", "laborcoin-worker"):
        assert f'absent(up{{ntb_service="{service}"}})' in absent["expr"]
