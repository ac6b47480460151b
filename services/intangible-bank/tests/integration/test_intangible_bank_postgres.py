"""The done-when scenario and the concurrency-sensitive rules on PostgreSQL: the same
tests as tests/api, run against the real database; plus two racing pledges of one
asset, of which exactly one may win (the asset's row lock)."""

from __future__ import annotations

import asyncio

import grpc
import pytest
from bank_flows import cny, confirm_right, cost_only, dec, register, value
from bank_support import Bank, bearer, rid
from test_scenario_api import (
    test_defaulted_asset_is_sold_on_the_patent_bank,
    test_patent_is_valued_rated_pledged_repaid_and_released,
)

from ntb.intangible_bank.v1 import intangible_bank_pb2 as pb

pytestmark = [pytest.mark.integration, pytest.mark.asyncio]

__all__ = ["test_defaulted_asset_is_sold_on_the_patent_bank",
           "test_patent_is_valued_rated_pledged_repaid_and_released"]


async def test_two_racing_pledges_of_one_asset_one_wins(bank: Bank) -> None:
    holder = await bank.principal("ENTERPRISE")
    lenders = [await bank.principal("FINANCIAL_INSTITUTION") for _ in range(2)]
    await bank.settled([holder, *lenders])
    asset = await register(bank, holder, "RACE-1")
    ownership = await confirm_right(bank, asset.asset_id, holder, pb.RIGHT_KIND_OWNERSHIP)
    await value(bank, asset.asset_id, holder, cost_only("1000", 10_000))

    async def borrow(lender: str) -> grpc.StatusCode:
        try:
            await bank.bank.RequestLoan(pb.RequestLoanRequest(
                request_id=rid(), borrower_id=holder, lender_id=lender,
                asset_id=asset.asset_id, confirmation_ids=[ownership.confirmation_id],
                principal=cny(1_000_000), annual_rate=dec("0.05"), term_days=30),
                metadata=bearer(holder))
        except grpc.aio.AioRpcError as error:
            return error.code()
        return grpc.StatusCode.OK

    outcomes = await asyncio.gather(*(borrow(lender) for lender in lenders))
    assert sorted(o.name for o in outcomes) == ["FAILED_PRECONDITION", "OK"]
