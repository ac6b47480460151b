"""What intangible-bank knows of identity's principals, from identity's events:
kind, KYC, value-wave price (cost approach) and credit wave (rating, reports)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class PrincipalView:
    principal_id: str
    kind: str = ""
    kyc_status: str = ""
    hourly_value_fen: int | None = None
    value_sequence: int = 0
    credit_score: int = 0
    credit_reasons: list[tuple[str, str]] = field(default_factory=list)
    credit_sequence: int = 0
    enterprise_rating: str = ""
