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


class ShipmentStatus(enum.Enum):
    BOOKED = "BOOKED"
    PICKED_UP = "PICKED_UP"
    IN_TRANSIT = "IN_TRANSIT"
    DELIVERED = "DELIVERED"
    EXCEPTION = "EXCEPTION"


_ORDER = [ShipmentStatus.BOOKED, ShipmentStatus.PICKED_UP, ShipmentStatus.IN_TRANSIT,
          ShipmentStatus.DELIVERED]
ATTESTED = frozenset({ShipmentStatus.PICKED_UP, ShipmentStatus.DELIVERED})


@dataclass(frozen=True)
class ShipmentEvent:
    status: ShipmentStatus
    location: str
    occurred_at: datetime
    note: str
    attestation: Attestation | None


@dataclass(frozen=True)
class Shipment:
    shipment_id: str
    purchase_order_id: str
    shipper_id: str
    carrier_id: str
    consignee_id: str
    goods_description: str
    quantity: Decimal
    unit: str
    origin: str
    destination: str
    status: ShipmentStatus
    created_at: datetime
    events: tuple[ShipmentEvent, ...] = ()

    def with_event(self, event: ShipmentEvent) -> Shipment:
        """Status moves forward (or to EXCEPTION); pick-up and delivery need a reading."""
        if self.status in (ShipmentStatus.DELIVERED,):
            raise FailedPrecondition("SHIPMENT_DELIVERED", "the shipment was delivered")
        forward = (event.status is ShipmentStatus.EXCEPTION or (
            self.status is not ShipmentStatus.EXCEPTION
            and _ORDER.index(event.status) > _ORDER.index(self.status)) or (
            self.status is ShipmentStatus.EXCEPTION and event.status is not
            ShipmentStatus.BOOKED))
        if not forward:
            raise FailedPrecondition("STATUS_NOT_FORWARD",
                                     f"{self.status.value} cannot move to {event.status.value}")
        if event.status in ATTESTED and event.attestation is None:
            raise FailedPrecondition("ATTESTATION_REQUIRED",
                                     f"{event.status.value} needs a device reading")
        return replace(self, status=event.status, events=(*self.events, event))
