"""asset creators: which assets a principal's value-wave price revalues

Revision ID: 0004
Revises: 0003
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    creators = op.create_table(
        "asset_creators",
        sa.Column("asset_id", sa.String(36), primary_key=True),
        sa.Column("principal_id", sa.String(36), primary_key=True, index=True),
    )
    assets = sa.table("assets", sa.column("asset_id", sa.String), sa.column("document", sa.JSON))
    rows = []
    for asset_id, document in op.get_bind().execute(sa.select(assets.c.asset_id,
                                                              assets.c.document)):
        stored = json.loads(document) if isinstance(document, str) else document
        for principal_id in sorted({c.get("principal_id") or "" for c in
                                    stored.get("creators", [])} - {""}):
            rows.append({"asset_id": asset_id, "principal_id": principal_id})
    if rows:
        op.bulk_insert(creators, rows)


def downgrade() -> None:
    op.drop_table("asset_creators")
