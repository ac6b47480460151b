"""Fixtures of the intangible-bank API tests (see `bank_support`)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bank_support import bank, bank_with_log

__all__ = ["bank", "bank_with_log"]
