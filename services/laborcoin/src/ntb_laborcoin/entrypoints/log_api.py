"""The verifiable-log part of laborcoin's gRPC API (mixed into LaborCoinApi)."""

from __future__ import annotations

from ntb.common.v1 import verifiable_log_pb2
from ntb.laborcoin.v1 import laborcoin_pb2 as pb
from ntb_laborcoin.adapters.event_codec import signed_tree_head
from ntb_laborcoin.domain.checkpoint import VerifierKey
from ntb_laborcoin.domain.log_entry import Anchor
from ntb_laborcoin.entrypoints import transfer_codec
from ntb_laborcoin.service import queries, transparency_log
from ntb_laborcoin.service.unit_of_work import NewUnit
from ntbkit.auth import current_caller
from ntbkit.grpc import ServicerContext
from ntbkit.timestamps import to_timestamp
from ntbkit.validation import Violations

PUBLIC_METHODS = tuple(
    f"/ntb.laborcoin.v1.LaborCoinService/{name}"
    for name in ("GetSignedTreeHead", "GetConsistencyProof", "GetLogKeys")
)


class LogApi:
    new_unit: NewUnit
    log_key: VerifierKey

    async def GetSignedTreeHead(
        self, request: pb.GetSignedTreeHeadRequest, context: ServicerContext
    ) -> pb.GetSignedTreeHeadResponse:
        v = Violations()
        v.check(request.tree_size >= 0, "tree_size", "must be >= 0")
        v.raise_if_any()
        head = await transparency_log.signed_head(self.new_unit, request.tree_size)
        return pb.GetSignedTreeHeadResponse(signed_tree_head=signed_tree_head(head))

    async def GetInclusionProof(
        self, request: pb.GetInclusionProofRequest, context: ServicerContext
    ) -> pb.GetInclusionProofResponse:
        v = Violations()
        which = request.WhichOneof("leaf")
        v.check(which is not None, "leaf", "set transfer_id, anchor_id or leaf_index")
        if which == "transfer_id":
            v.require_uuid(request.transfer_id, "transfer_id")
        if which == "anchor_id":
            v.require_uuid(request.anchor_id, "anchor_id")
        v.check(request.leaf_index >= 0 and request.tree_size >= 0, "tree_size", ">= 0")
        v.raise_if_any()
        found = await transparency_log.inclusion(
            self.new_unit, transfer_id=request.transfer_id, anchor_id=request.anchor_id,
            leaf_index=request.leaf_index if which == "leaf_index" else -1,
            tree_size=request.tree_size)
        response = pb.GetInclusionProofResponse(
            proof=verifiable_log_pb2.InclusionProof(
                leaf_index=found.leaf_index, tree_size=found.head.tree_size,
                leaf_data=found.leaf_data, leaf_hash=found.leaf_hash,
                audit_path=found.audit_path),
            signed_tree_head=signed_tree_head(found.head))
        if isinstance(found.leaf, Anchor):
            response.anchor.CopyFrom(anchor_message(found.leaf))
        else:
            # A transfer's proof names it: like GetTransfer, only its parties read it.
            await queries.get_transfer(self.new_unit, current_caller(), found.leaf.transfer_id)
            response.transfer.CopyFrom(transfer_codec.transfer(found.leaf))
        return response

    async def GetAnchor(
        self, request: pb.GetAnchorRequest, context: ServicerContext
    ) -> pb.GetAnchorResponse:
        v = Violations()
        v.require_uuid(request.anchor_id, "anchor_id")
        v.raise_if_any()
        found = await transparency_log.anchor(self.new_unit, request.anchor_id)
        return pb.GetAnchorResponse(anchor=anchor_message(found))

    async def GetConsistencyProof(
        self, request: pb.GetConsistencyProofRequest, context: ServicerContext
    ) -> pb.GetConsistencyProofResponse:
        v = Violations()
        v.check(request.first_tree_size >= 1, "first_tree_size", "must be >= 1")
        v.check(request.second_tree_size == 0
                or request.second_tree_size >= request.first_tree_size,
                "second_tree_size", "0 (latest) or >= first_tree_size")
        v.raise_if_any()
        proof, head = await transparency_log.consistency(
            self.new_unit, first_size=request.first_tree_size,
            second_size=request.second_tree_size)
        return pb.GetConsistencyProofResponse(
            proof=verifiable_log_pb2.ConsistencyProof(
                first_tree_size=request.first_tree_size, second_tree_size=head.tree_size,
                proof=proof),
            signed_tree_head=signed_tree_head(head))

    async def GetLogKeys(
        self, request: pb.GetLogKeysRequest, context: ServicerContext
    ) -> pb.GetLogKeysResponse:
        return pb.GetLogKeysResponse(keys=[verifiable_log_pb2.PublicKey(
            key_id=self.log_key.encode(), algorithm="Ed25519",
            public_key=self.log_key.public_key)])


def anchor_message(anchor: Anchor) -> pb.Anchor:
    return pb.Anchor(
        anchor_id=anchor.anchor_id, source=anchor.source, subject=anchor.subject,
        digest_sha256=anchor.digest, recorded_at=to_timestamp(anchor.recorded_at),
        leaf_index=-1 if anchor.leaf_index is None else anchor.leaf_index,
    )
