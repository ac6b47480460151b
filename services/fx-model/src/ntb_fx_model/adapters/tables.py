"""fx-model's tables (its schema only; changed only through Alembic migrations).

`indicator_datasets`: every accepted upload, one row per version (1, 2, ...), its
content stored as indicator CSV text (the packaged format, whatever it was uploaded
in), so the active data set survives restarts and every version stays readable.
`coin_prices`: the latest Labor Coin price laborcoin announced (`price.updated`).
"""

from __future__ import annotations

import sqlalchemy as sa

from ntbkit.storage.messaging_tables import add_messaging_tables

metadata = sa.MetaData()

indicator_datasets = sa.Table(
    "indicator_datasets",
    metadata,
    sa.Column("version", sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
              primary_key=True, autoincrement=False),
    sa.Column("dataset_id", sa.String(64), nullable=False, unique=True),
    sa.Column("format", sa.String(32), nullable=False),
    sa.Column("sha256", sa.LargeBinary(32), nullable=False),
    sa.Column("row_count", sa.Integer(), nullable=False),
    sa.Column("country_count", sa.Integer(), nullable=False),
    sa.Column("years", sa.String(2000), nullable=False),  # "2010,2011,..."
    sa.Column("description", sa.String(200), nullable=False),
    sa.Column("indicator_code", sa.String(32), nullable=False),
    sa.Column("values_applied", sa.Integer(), nullable=False),
    sa.Column("content", sa.Text(), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

coin_prices = sa.Table(
    "coin_prices",
    metadata,
    sa.Column("asset", sa.String(16), primary_key=True),
    sa.Column("price", sa.String(64), nullable=False),  # decimal text, CNY per coin
    sa.Column("sequence", sa.BigInteger(), nullable=False),
    sa.Column("effective_at", sa.DateTime(timezone=True), nullable=False),
)

add_messaging_tables(metadata)
