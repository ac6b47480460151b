"""Fixed SQL through asyncpg itself, inside a session's transaction, for hot paths.

SQLAlchemy Core spends CPU on every statement (coercion, cache keys, parameter and
result processing); on a path that runs thousands of times a second that was most
of the cost. Fixed SQL text sent straight to asyncpg is prepared once per
connection (asyncpg's statement cache) and costs little after that. Errors come
back as SQLAlchemy's exception types, so callers handle one family either way.
"""

from __future__ import annotations

from typing import Any

import asyncpg  # type: ignore[import-untyped]
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

_TRANSIENT = (
    asyncpg.PostgresConnectionError, asyncpg.InterfaceError, OSError,
    asyncpg.TransactionRollbackError,  # serialization failure, deadlock
    asyncpg.OperatorInterventionError,  # statement timeout, admin shutdown
    asyncpg.LockNotAvailableError,
)


_DRIVER = "ntbkit.driver"  # session.info key: (the session transaction, its asyncpg driver)


async def driver_of(session: AsyncSession) -> Any:
    """The asyncpg connection under the session, inside the session's open transaction.

    Remembered for the transaction: reaching it through the session costs a greenlet
    switch and a pool look-up, and a unit of work asks several times. A new transaction
    (after a commit the connection may serve another session) looks it up again."""
    transaction = session.sync_session.get_transaction()
    cached = session.info.get(_DRIVER)
    if cached is not None and cached[0] is transaction and transaction is not None \
            and transaction.is_active:
        return cached[1]
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    driver = raw.driver_connection
    assert driver is not None
    if not driver.is_in_transaction():
        # SQLAlchemy's asyncpg adapter sends BEGIN lazily, before its first statement,
        # and tracks the transaction it commits. Begin it now, without a statement:
        # a "SELECT 1" for it was one more round trip per unit of work.
        adapter: Any = raw.dbapi_connection
        await adapter._start_transaction()
    session.info[_DRIVER] = (session.sync_session.get_transaction(), driver)
    return driver


async def fetch(driver: Any, sql: str, *args: Any) -> list[Any]:
    """Rows of one statement; a broken unique key is IntegrityError (a concurrent twin
    won), a retryable failure OperationalError (the client sees UNAVAILABLE)."""
    try:
        return list(await driver.fetch(sql, *args))
    except asyncpg.IntegrityConstraintViolationError as error:
        raise IntegrityError(sql, None, error) from error
    except _TRANSIENT as error:
        raise OperationalError(sql, None, error) from error
    except asyncpg.PostgresError as error:
        raise DBAPIError(sql, None, error) from error


async def connection_driver(connection: AsyncConnection) -> Any:
    """The asyncpg connection under an engine connection that runs no SQLAlchemy
    statement itself (the caller opens its own `driver.transaction()`)."""
    driver = (await connection.get_raw_connection()).driver_connection
    assert driver is not None
    return driver
