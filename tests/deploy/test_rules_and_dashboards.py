"""The Prometheus rules are valid and the checked-in dashboards are what the code makes.

How: `promtool check rules` (Debian's prometheus package) on deploy/grafana/prometheus-rules.yml;
`deploy/grafana/generate.py --check` compares the JSON the code generates with the files.
"""

from __future__ import annotations

import subprocess
import sys

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
