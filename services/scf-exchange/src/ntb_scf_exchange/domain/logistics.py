"""Logistics flow: registered IoT devices whose Ed25519 keys sign readings, and the
warehouse receipts those readings confirm."""

from __future__ import annotations

import enum
import hashlib
import json
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from ntb_scf_exchange.domain.money import Money
from ntbkit.errors import FailedPrecondition


@dataclass(frozen=True)
class Device:
    device_id: str
    owner_id: str
    kind: str
    public_key: bytes
    registered_at: datetime


@dataclass(frozen=True)
class Attestation:
    device_id: str
    payload: bytes
    signature: bytes
    measured_at: datetime


def verify_attestation(device: Device | None, attestation: Attestation, *, owner_id: str,
                       now: datetime) -> None:
    """Ed25519(device key) over SHA-256(payload), by a device of `owner_id`, not from the
    future, over a JSON reading."""
    if device is None or device.owner_id != owner_id:
        raise FailedPrecondition("DEVICE_NOT_REGISTERED",
                                 "the attesting device is not registered to this party")
    if attestation.measured_at > now:
        raise FailedPrecondition("ATTESTATION_INVALID", "the reading is from the future")
    try:
        json.loads(attestation.payload.decode())
        Ed25519PublicKey.from_public_bytes(device.public_key).verify(
            attestation.signature, hashlib.sha256(attestation.payload).digest())
    except (InvalidSignature, ValueError) as error:
        raise FailedPrecondition("ATTESTATION_INVALID",
                                 "the device's signature does not verify") from error


class ReceiptStatus(enum.Enum):
    ISSUED = "ISSUED"
    PLEDGED = "PLEDGED"
    RELEASED = "RELEASED"


@dataclass(frozen=True)
class WarehouseReceipt:
    receipt_id: str
    warehouse_id: str
    depositor_id: str
    goods_description: str
    quantity: Decimal
    unit: str
    value: Money
    location: str
    attestation: Attestation
    status: ReceiptStatus
    issued_at: datetime
    financing_id: str = ""
    released_at: datetime | None = None

    def pledged(self, financing_id: str) -> WarehouseReceipt:
        if self.status is not ReceiptStatus.ISSUED:
            raise FailedPrecondition("RECEIPT_NOT_ISSUED", f"the receipt is {self.status.value}")
        return replace(self, status=ReceiptStatus.PLEDGED, financing_id=financing_id)

    def unpledged(self) -> WarehouseReceipt:
        return replace(self, status=ReceiptStatus.ISSUED, financing_id="")

    def released(self, at: datetime) -> WarehouseReceipt:
        if self.status is not ReceiptStatus.ISSUED:
            raise FailedPrecondition("RECEIPT_NOT_ISSUED",
                                     f"the receipt is {self.status.value} (pledged receipts "
                                     "stay until their financing closes)")
        return replace(self, status=ReceiptStatus.RELEASED, released_at=at)
