"""Alembic wiring: services migrate to head at start-up, before they report SERVING.

A service keeps its revisions in `ntb_<service>/migrations/` (shipped in the
package) and its `env.py` is one call: `run_migrations(metadata)`.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

import sqlalchemy as sa
from alembic import command, context
from alembic.config import Config
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from ntbkit.storage.engine import is_postgres


def alembic_config(script_location: str) -> Config:
    config = Config()
    config.set_main_option("script_location", script_location)
    return config


async def upgrade_to_head(engine: AsyncEngine, *, script_location: str, schema: str) -> None:
    """Create the schema if needed and apply every pending revision.

    On PostgreSQL an advisory lock serialises replicas that start together.
    """
    config = alembic_config(script_location)
    async with engine.begin() as connection:
        if is_postgres(engine):
            # Lock first: two processes creating one schema at once collide even with
            # IF NOT EXISTS (pg_namespace's unique index), e.g. intangible-bank and the
            # patent bank, which share a schema, starting together.
            await connection.execute(
                sa.text("SELECT pg_advisory_xact_lock(hashtext(:name))"),
                {"name": f"migrations:{schema}"},
            )
            await connection.execute(sa.text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
        await connection.run_sync(_upgrade, config)


def _upgrade(sync_connection: sa.Connection, config: Config) -> None:
    config.attributes["connection"] = sync_connection
    command.upgrade(config, "head")


def run_migrations(target_metadata: sa.MetaData) -> None:
    """Body of every service's migrations/env.py."""
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run_on(connection, target_metadata)
        return
    # Run from the alembic CLI: the URL comes from NTB_DATABASE_URL.
    url = os.environ.get("NTB_DATABASE_URL", "")
    if not url:
        raise RuntimeError("set NTB_DATABASE_URL to run alembic from the command line")
    asyncio.run(_run_from_url(url, target_metadata))


async def _run_from_url(url: str, target_metadata: sa.MetaData) -> None:
    engine = create_async_engine(url)
    async with engine.begin() as connection:
        await connection.run_sync(_run_on, target_metadata)
    await engine.dispose()


def _run_on(connection: Any, target_metadata: sa.MetaData) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
