"""Versioned data of the matching engine, shipped inside the package.

``weights-v<N>.json`` holds the scoring weights of version N; a new version is a new
file (never an edit of an old one), so a score can always be explained by its version.
"""

from __future__ import annotations

import json
from importlib import resources

from ntb_matching.domain.model import ScoringWeights

CURRENT_WEIGHTS_VERSION = "v1"


def load_weights(version: str = CURRENT_WEIGHTS_VERSION) -> ScoringWeights:
    """The scoring weights of `version` (e.g. "v1"), validated."""
    if not version.startswith("v") or not version[1:].isdigit():
        raise ValueError(f"weights version {version!r} is not v<N>")
    text = resources.files(__name__).joinpath(f"weights-{version}.json").read_text("utf-8")
    weights = ScoringWeights.from_mapping(json.loads(text))
    if weights.version != version:
        raise ValueError(f"weights-{version}.json declares version {weights.version!r}")
    return weights
