"""Makes the helpers next to identity's unit tests (identity_server.py) importable under
pytest's importlib import mode."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
