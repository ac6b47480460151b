"""Fixtures of the fx-model API tests (see `fx_api_support`): a running fx-model
(`server`) and a stub on it (`fx`)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fx_api_support import fx, server

__all__ = ["fx", "server"]
