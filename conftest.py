"""Test-wide rules: tests are marked by folder (unit, integration, e2e), and tests that
need PostgreSQL or Kafka fail - never skip - when the server is not there."""

from __future__ import annotations

import pytest


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        path = str(item.path)
        if "/integration/" in path:
            item.add_marker(pytest.mark.integration)
        elif "/e2e/" in path:
            item.add_marker(pytest.mark.e2e)
