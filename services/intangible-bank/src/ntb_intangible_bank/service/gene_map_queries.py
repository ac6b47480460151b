"""Reading an asset's gene map (any authenticated caller: the history is meant to be
shown and proven to counterparties)."""

from __future__ import annotations

from ntb_intangible_bank.domain.gene import GeneEntry
from ntb_intangible_bank.service.unit_of_work import NewUnit
from ntbkit.errors import NotFound


async def entries(new_unit: NewUnit, asset_id: str, offset: int, limit: int
                  ) -> list[GeneEntry]:
    async with new_unit() as unit:
        if await unit.assets.get(asset_id) is None:
            raise NotFound("asset", asset_id)
        return await unit.gene.page(asset_id, offset, limit)
