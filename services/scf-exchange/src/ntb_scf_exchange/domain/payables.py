"""Credit sharing: a confirmed invoice becomes a digital payable of the core enterprise
that its holder can split and pass down the chain. Splitting conserves face exactly:
the children's faces always sum to the parent's."""

from __future__ import annotations

import enum
import hashlib
import json
from dataclasses import dataclass, replace
from datetime import date, datetime

from ntb_scf_exchange.domain.money import Money
from ntbkit.errors import FailedPrecondition

SPLITS_MAX = 100


class PayableStatus(enum.Enum):
    OUTSTANDING = "OUTSTANDING"
    SPLIT = "SPLIT"
    ENCUMBERED = "ENCUMBERED"
    SETTLED = "SETTLED"
    OVERDUE = "OVERDUE"


@dataclass(frozen=True)
class Payable:
    payable_id: str
    root_payable_id: str
    parent_payable_id: str
    tier: int
    obligor_id: str
    holder_id: str
    face: Money
    maturity_date: date
    invoice_id: str
    status: PayableStatus
    created_at: datetime
    anchor_id: str
    anchor_digest: bytes
    encumbrance_id: str = ""

    @property
    def held(self) -> bool:
        return self.status in (PayableStatus.OUTSTANDING, PayableStatus.ENCUMBERED,
                               PayableStatus.OVERDUE)

    def encumbered(self, by: str) -> Payable:
        if self.status is not PayableStatus.OUTSTANDING:
            raise FailedPrecondition("PAYABLE_NOT_OUTSTANDING",
                                     f"the payable is {self.status.value}")
        return replace(self, status=PayableStatus.ENCUMBERED, encumbrance_id=by)


@dataclass(frozen=True)
class Split:
    recipient_id: str
    units: int


@dataclass(frozen=True)
class Operation:
    """What is anchored: a confirmation or a split, with every child it created."""

    name: str  # "confirm" | "split"
    parent_id: str  # the invoice for "confirm", the split payable for "split"
    root_payable_id: str
    obligor_id: str
    asset: str
    maturity_date: date
    children: tuple[tuple[str, str, int], ...]  # (payable_id, holder_id, units)

    def canonical(self) -> bytes:
        body = {
            "asset": self.asset, "maturity_date": self.maturity_date.isoformat(),
            "children": [{"holder_id": h, "payable_id": p, "units": u}
                         for p, h, u in self.children],
            "obligor_id": self.obligor_id, "operation": self.name,
            "parent_payable_id": self.parent_id, "root_payable_id": self.root_payable_id,
        }
        return json.dumps(body, sort_keys=True, separators=(",", ":")).encode()

    def digest(self) -> bytes:
        return hashlib.sha256(self.canonical()).digest()


def split_payable(parent: Payable, splits: tuple[Split, ...], *, child_ids: tuple[str, ...],
                  anchor_id: str, today: date, at: datetime
                  ) -> tuple[Payable, tuple[Payable, ...], Operation]:
    """The parent becomes SPLIT; one child per split in order, then the holder's rest."""
    if parent.status is not PayableStatus.OUTSTANDING:
        raise FailedPrecondition("PAYABLE_NOT_OUTSTANDING", f"the payable is {parent.status.value}")
    if parent.maturity_date <= today:
        raise FailedPrecondition("PAYABLE_MATURED", "the payable is at or past maturity")
    if any(s.recipient_id == parent.holder_id for s in splits):
        raise FailedPrecondition("RECIPIENT_IS_HOLDER", "a split goes to another principal")
    passed = sum(s.units for s in splits)
    if passed > parent.face.units:
        raise FailedPrecondition("SPLITS_EXCEED_FACE",
                                 f"splits total {passed} > face {parent.face.units}")
    parts = [(s.recipient_id, s.units) for s in splits]
    if passed < parent.face.units:
        parts.append((parent.holder_id, parent.face.units - passed))
    assert len(child_ids) >= len(parts)
    shares = tuple((child_ids[i], holder, units) for i, (holder, units) in enumerate(parts))
    operation = Operation("split", parent.payable_id, parent.root_payable_id, parent.obligor_id,
                          parent.face.asset, parent.maturity_date, shares)
    digest = operation.digest()
    children = tuple(
        Payable(payable_id=pid, root_payable_id=parent.root_payable_id,
                parent_payable_id=parent.payable_id,
                tier=parent.tier + 1 if holder != parent.holder_id else parent.tier,
                obligor_id=parent.obligor_id, holder_id=holder,
                face=Money(parent.face.asset, units), maturity_date=parent.maturity_date,
                invoice_id=parent.invoice_id, status=PayableStatus.OUTSTANDING, created_at=at,
                anchor_id=anchor_id, anchor_digest=digest)
        for pid, holder, units in shares)
    assert sum(c.face.units for c in children) == parent.face.units, "face is conserved"
    return replace(parent, status=PayableStatus.SPLIT), children, operation


def confirm_invoice(*, payable_id: str, invoice_id: str, obligor_id: str, holder_id: str,
                    face: Money, maturity_date: date, anchor_id: str, at: datetime
                    ) -> tuple[Payable, Operation]:
    """The core enterprise's irrevocable payment undertaking: a tier-1 payable."""
    operation = Operation("confirm", invoice_id, payable_id, obligor_id, face.asset,
                          maturity_date, ((payable_id, holder_id, face.units),))
    payable = Payable(payable_id=payable_id, root_payable_id=payable_id, parent_payable_id="",
                      tier=1, obligor_id=obligor_id, holder_id=holder_id, face=face,
                      maturity_date=maturity_date, invoice_id=invoice_id,
                      status=PayableStatus.OUTSTANDING, created_at=at, anchor_id=anchor_id,
                      anchor_digest=operation.digest())
    return payable, operation
