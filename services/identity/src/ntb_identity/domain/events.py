"""What identity tells the other services happened (past tense)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ntb_identity.domain.model import PrincipalKind


@dataclass(frozen=True)
class PrincipalRegistered:
    principal_id: str
    kind: PrincipalKind
    display_name: str
    country_code: str
    region: str
    industry_code: str
    registered_at: datetime
