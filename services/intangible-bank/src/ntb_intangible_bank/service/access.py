"""Reaching an asset inside a unit of work: its row lock, and who may change it."""

from __future__ import annotations

from ntb_intangible_bank.domain.assets import Asset
from ntb_intangible_bank.service.unit_of_work import IntangibleBankUnitOfWork
from ntbkit.auth import Caller
from ntbkit.errors import NotFound, PermissionDenied


async def locked_asset(unit: IntangibleBankUnitOfWork, asset_id: str) -> Asset:
    asset = await unit.assets.get(asset_id, for_update=True)
    if asset is None:
        raise NotFound("asset", asset_id)
    return asset


def require_holder(asset: Asset, caller: Caller) -> None:
    if not asset.holds(caller.subject) and not caller.acts_for_others:
        raise PermissionDenied("only a holder of the asset (or an operator) may do this")
