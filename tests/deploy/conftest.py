"""Fixtures of the deploy checks (the helpers live in deploy_checks.py)."""

from __future__ import annotations

from typing import Any

import pytest
from deploy_checks import VALUES, documents, helm_template, tool_paths


@pytest.fixture(scope="session")
def tools() -> dict[str, str]:
    return tool_paths()


@pytest.fixture(scope="session")
def rendered(tools: dict[str, str]) -> dict[str, list[dict[str, Any]]]:
    """The documents of `helm template` for each values set (Kubernetes 1.33)."""
    return {name: documents(helm_template(tools["helm"], files))
            for name, files in VALUES.items()}
