"""The Internet Patent Bank process's settings: intangible-bank's (same NTB_INTANGIBLE_BANK_
prefix, schema, service name and migrations; a Helm Deployment of the same image sets
NTB_INTANGIBLE_BANK_SERVES=patent-bank) with the patent bank's own defaults."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ntb_intangible_bank.settings import Settings


class PatentBankSettings(Settings):
    serves: Literal["intangible-bank", "patent-bank"] = "patent-bank"
    grpc_port: int = 50057
    relay_poll_interval_s: float = Field(
        1.0, description="The schema's one outbox is relayed by intangible-bank's process, "
        "which polls it often; this process's relay only sweeps it now and then (rarely a "
        "row goes out twice; consumers drop it by its event id).")
