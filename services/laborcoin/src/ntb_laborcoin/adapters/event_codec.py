"""Domain events -> protobuf payloads of ntb.events.v1 and their topics."""

from __future__ import annotations

import base64

from google.protobuf.message import Message

from ntb.common.v1 import common_pb2, verifiable_log_pb2
from ntb.events.v1 import laborcoin_events_pb2 as events
from ntb.laborcoin.v1 import laborcoin_pb2
from ntb_laborcoin.domain.coin import Policy
from ntb_laborcoin.domain.events import (
    AccountOpened,
    CheckpointSigned,
    CoinMinted,
    CoinRetired,
    PolicyChanged,
    PriceUpdated,
)
from ntb_laborcoin.domain.log_entry import LOG_ORIGIN, LogCheckpoint
from ntb_laborcoin.domain.transfers import TransferKind
from ntb_laborcoin.service.unit_of_work import Event
from ntbkit.timestamps import to_timestamp

ACCOUNT_TOPIC = "ntb.laborcoin.account.v1"
TRANSFER_TOPIC = "ntb.laborcoin.transfer.v1"
COIN_TOPIC = "ntb.laborcoin.coin.v1"
PRICE_TOPIC = "ntb.laborcoin.price.v1"
CHECKPOINT_TOPIC = "ntb.laborcoin.checkpoint.v1"

# One transfer.posted per committed transfer: look-ups instead of building these each time.
_TRANSFER_CODES = {name.removeprefix("TRANSFER_CODE_"): number
                   for name, number in laborcoin_pb2.TransferCode.items()}
_FLAGS_OF = {
    kind: laborcoin_pb2.TransferFlags(
        pending=kind is TransferKind.PENDING,
        post_pending_transfer=kind is TransferKind.POST_PENDING,
        void_pending_transfer=kind is TransferKind.VOID_PENDING)
    for kind in TransferKind
}


def signed_tree_head(checkpoint: LogCheckpoint) -> verifiable_log_pb2.SignedTreeHead:
    """The signed note whole; its signature line is the Ed25519 signature of the text."""
    text, _, signatures = checkpoint.note.partition("\n\n")
    return verifiable_log_pb2.SignedTreeHead(
        origin=LOG_ORIGIN, tree_size=checkpoint.tree_size, root_hash=checkpoint.root_hash,
        signed_at=to_timestamp(checkpoint.signed_at), key_id=checkpoint.key_id,
        checkpoint=checkpoint.note, signature=_signature_bytes(signatures))


def _signature_bytes(signature_lines: str) -> bytes:
    line = signature_lines.strip().splitlines()[0]
    return base64.b64decode(line.rsplit(" ", 1)[1])[4:]  # drop the 4-byte key hash



def _lbc(units: int) -> common_pb2.Money:
    return common_pb2.Money(asset="LBC", units=units)


def policy_message(policy: Policy) -> laborcoin_pb2.Policy:
    return laborcoin_pb2.Policy(
        version=policy.version, k=common_pb2.Decimal(value=str(policy.k)),
        p0=common_pb2.Decimal(value=str(policy.p0)),
        retired_share=common_pb2.Decimal(value=str(policy.retired_share)),
        fee_rate=common_pb2.Decimal(value=str(policy.fee_rate)),
        effective_at=to_timestamp(policy.effective_at), set_by=policy.set_by,
        reason=policy.reason)


def encode(event: Event) -> tuple[str, str, Message]:
    if isinstance(event, CoinMinted):
        return COIN_TOPIC, "supply", events.CoinMinted(
            transfer_id=event.transfer.transfer_id, account_id=event.transfer.credit_account_id,
            owner_id=event.owner_id, amount=_lbc(event.transfer.amount),
            outstanding_supply=_lbc(event.outstanding_units), issuance_cap=_lbc(event.cap_units),
            purchase_id=event.purchase_id, minted_at=to_timestamp(event.transfer.created_at))
    if isinstance(event, CoinRetired):
        return COIN_TOPIC, "supply", events.CoinRetired(
            transfer_id=event.transfer.transfer_id, amount=_lbc(event.transfer.amount),
            outstanding_supply=_lbc(event.outstanding_units), reference=event.transfer.reference,
            retired_at=to_timestamp(event.transfer.created_at))
    if isinstance(event, PolicyChanged):
        return COIN_TOPIC, "policy", events.PolicyChanged(
            policy=policy_message(event.policy), previous_version=event.previous_version)
    if isinstance(event, PriceUpdated):
        point = event.point
        return PRICE_TOPIC, "price", events.PriceUpdated(
            price=common_pb2.Decimal(value=str(point.price)),
            previous_price=common_pb2.Decimal(value=str(event.previous_price)),
            reserve=common_pb2.Money(asset="CNY", units=point.reserve_fen),
            outstanding_supply=_lbc(point.outstanding_units), sequence=event.sequence,
            cause=laborcoin_pb2.PriceCause.Value(f"PRICE_CAUSE_{point.cause}"),
            cause_ref=point.cause_ref, effective_at=to_timestamp(point.effective_at))
    if isinstance(event, CheckpointSigned):
        return CHECKPOINT_TOPIC, LOG_ORIGIN, events.CheckpointSigned(
            signed_tree_head=signed_tree_head(event.checkpoint))
    if isinstance(event, AccountOpened):
        return ACCOUNT_TOPIC, event.account_id, events.AccountOpened(
            account_id=event.account_id,
            owner_id=event.owner_id,
            asset=event.asset,
            kind=laborcoin_pb2.AccountKind.Value(f"ACCOUNT_KIND_{event.kind.value}"),
            opened_at=to_timestamp(event.opened_at),
        )
    transfer = event.transfer
    # Keyed by the debit account: one account's transfers stay in order.
    return TRANSFER_TOPIC, transfer.debit_account_id, events.TransferPosted(
        transfer_id=transfer.transfer_id,
        debit_account_id=transfer.debit_account_id,
        credit_account_id=transfer.credit_account_id,
        amount=common_pb2.Money(asset=transfer.asset, units=transfer.amount),
        code=_TRANSFER_CODES[transfer.code],
        flags=_FLAGS_OF[transfer.kind],
        pending_id=transfer.pending_id,
        reference=transfer.reference,
        posted_at=to_timestamp(transfer.created_at),
        debit_owner_id=event.debit_owner_id,
        credit_owner_id=event.credit_owner_id,
    )
