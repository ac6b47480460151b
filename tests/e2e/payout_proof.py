"""DESIGN §5 step 8, shared by both modes: the bank fetches the inclusion proof of the
worker's payout and verifies it with `ntb verify` and the log's public key only."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import grpc
from google.protobuf import json_format
from labor_market_scenario import CALL_TIMEOUT_S, LaborMarket, Outcome
from typer.testing import CliRunner

from ntb.laborcoin.v1 import laborcoin_pb2 as lcpb
from ntb_cli.__main__ import app as cli


async def verify_payout_offline(market: LaborMarket, outcome: Outcome, workdir: Path) -> None:
    for _ in range(200):  # the sealer signs a new head about every half second
        try:
            proof = await market.ledger.GetInclusionProof(lcpb.GetInclusionProofRequest(
                transfer_id=outcome.payout_transfer_id), metadata=market.auth,
                timeout=CALL_TIMEOUT_S)
            break
        except grpc.aio.AioRpcError as error:
            assert error.code() in (grpc.StatusCode.FAILED_PRECONDITION,
                                    grpc.StatusCode.NOT_FOUND), error
            await asyncio.sleep(0.1)
    else:
        raise AssertionError("the payout was never sealed into the log")
    payout = proof.transfer
    assert payout.transfer_id == outcome.payout_transfer_id
    assert payout.amount.units == outcome.order.settlement.net.units
    assert payout.code == lcpb.TRANSFER_CODE_ORDER_SETTLEMENT
    assert payout.reference == f"order:{outcome.order.order_id}"
    keys = await market.ledger.GetLogKeys(lcpb.GetLogKeysRequest(), timeout=CALL_TIMEOUT_S)
    (workdir / "checkpoint").write_text(proof.signed_tree_head.checkpoint)
    (workdir / "proof.json").write_text(json_format.MessageToJson(proof.proof))
    arguments = ["verify", "inclusion", "--checkpoint", str(workdir / "checkpoint"),
                 "--vkey", keys.keys[0].key_id, "--proof", str(workdir / "proof.json")]
    verified = CliRunner().invoke(cli, arguments)
    assert verified.exit_code == 0, verified.output
    tampered = json.loads((workdir / "proof.json").read_text())
    tampered["leafIndex"] = str(int(tampered.get("leafIndex", 0)) + 1)
    (workdir / "proof.json").write_text(json.dumps(tampered))
    assert CliRunner().invoke(cli, arguments).exit_code == 1
