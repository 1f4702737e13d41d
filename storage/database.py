"""Engine, sessions and migrations: the process applies pending migrations at start
and refuses a database that a newer version of the code has migrated (SPEC §6.3)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import event, text
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from storage import read_cache, sqlite_driver

MIGRATIONS = Path(__file__).with_name("migrations")
READING = "trainery_reading"  # execution option of read-only units of work
PING_AFTER_IDLE = 10.0  # seconds in the pool after which a PostgreSQL connection is pinged first
_IDLE_SINCE = "trainery_idle_since"
SQLITE_PAGE_CACHE_KB = 512  # per connection


class DatabaseError(Exception):
    """The database cannot be used; the message says why and what to do, in one line."""


class BadDatabaseUrl(DatabaseError):
    """The URL itself is wrong: not a URL, another database, or a driver we lack."""


DRIVERS = {"sqlite": "aiosqlite", "postgresql": "asyncpg"}  # the async drivers installed with Trainery
ALIASES = {"postgres": "postgresql", "pgsql": "postgresql", "sqlite3": "sqlite"}
EXAMPLES = "sqlite+aiosqlite:///trainery.sqlite3 or postgresql+asyncpg://user:password@host/db"


def check_url(url: str) -> URL:
    """The URL parsed, or a one-line reason why Trainery cannot use it — before any
    driver is loaded, so no driver's traceback reaches the person starting the bot."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        raise BadDatabaseUrl(f"this is not a database URL; write e.g. {EXAMPLES}") from None
    backend, _, driver = parsed.drivername.partition("+")
    backend = ALIASES.get(backend, backend)
    if backend not in DRIVERS:
        raise BadDatabaseUrl(
            f"Trainery stores its data in SQLite or PostgreSQL, not “{backend}”; write e.g. {EXAMPLES}"
        )
    if driver != DRIVERS[backend]:
        fixed = parsed.set(drivername=f"{backend}+{DRIVERS[backend]}").render_as_string(hide_password=True)
        hidden = " (with your password where *** stands)" if parsed.password else ""
        raise BadDatabaseUrl(
            f"Trainery talks to {backend} through the {DRIVERS[backend]} driver; write {fixed}{hidden}"
        )
    return parsed


def create_engine(url: str) -> AsyncEngine:
    if url.startswith("sqlite"):
        # The driver: aiosqlite, one trip to its thread per statement (storage/sqlite_driver.py).
        # check_same_thread off: a read runs on the event loop's thread (sqlite_driver.Connection.reading).
        connect = sqlite_driver.connector(url, timeout=30, check_same_thread=False)
        engine = create_async_engine(url, async_creator=connect)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "begin", _sqlite_begin)
    else:
        engine = create_async_engine(url)
        _ping_when_idle(engine.sync_engine)
    read_cache.watch(engine.sync_engine)  # committed writes clear the memo of reads
    return engine


def _ping_when_idle(engine: Engine) -> None:
    """SQLAlchemy's pessimistic disconnect handling (pool_pre_ping), for a connection
    that sat in the pool for PING_AFTER_IDLE seconds or more: the server may have
    restarted or closed it since; a dead one is replaced before anyone uses it. One in
    use within those seconds is not pinged: pool_pre_ping's round trip on every
    checkout cost a burst of screens ~15 % of its CPU (issue 15)."""

    def checkin(_dbapi_connection: Any, record: Any) -> None:
        record.info[_IDLE_SINCE] = time.monotonic()

    def checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.pop(_IDLE_SINCE, None)
        if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE:
            return
        try:
            alive = engine.dialect.do_ping(dbapi_connection)
        except Exception as error:
            raise DisconnectionError(f"a pooled connection idle for a while is gone: {error}") from error
        if not alive:
            raise DisconnectionError("a pooled connection idle for a while is gone")

    event.listen(engine, "checkin", checkin)
    event.listen(engine, "checkout", checkout)  # DisconnectionError: the pool takes a new one


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    # Let SQLAlchemy, not the driver, begin transactions (savepoints need it).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    # Each pooled connection keeps its own page cache (SQLite's default: 2 MB), so up
    # to 15 of them held 30 MB while many people read at once, and the bot's memory
    # peaked above its 150 MB budget in the burst bench; the pages come from the
    # operating system's file cache just as fast. 512 KB each: peak 148-154 -> 128-129
    # MB, and less CPU (bench/README.md, issue 15).
    cursor.execute(f"PRAGMA cache_size=-{SQLITE_PAGE_CACHE_KB}")
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    # IMMEDIATE takes the write lock at the start: two writers queue up (busy
    # timeout) instead of one failing half-way when it first writes. A read
    # (Studio.read) takes no lock: in WAL mode it reads its snapshot beside the
    # writer, so a burst of listings never queues behind — or blocks — a booking.
    # Straight to the driver: through exec_driver_sql a BEGIN paid a statement's whole
    # execution context (events, result) on every unit of work (issue 15).
    reading = bool(connection.get_execution_options().get(READING))
    driver = connection.connection.driver_connection
    if isinstance(driver, sqlite_driver.Connection):
        driver.reading = reading  # its statements run on the event loop's thread
    cursor = connection.connection.cursor()
    try:
        cursor.execute("BEGIN" if reading else "BEGIN IMMEDIATE")
    finally:
        cursor.close()


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


async def migrate(engine: AsyncEngine) -> None:
    """Bring the schema to the newest revision; refuse one newer than this code."""
    async with engine.begin() as connection:
        await connection.run_sync(_upgrade)


def _upgrade(connection: Connection) -> None:
    config = alembic_config()
    known = {script.revision for script in ScriptDirectory.from_config(config).walk_revisions()}
    current = MigrationContext.configure(connection).get_current_heads()
    unknown = [revision for revision in current if revision not in known]
    if unknown:
        raise DatabaseError(
            f"The database is at revision {', '.join(unknown)}, which this version of Trainery "
            "does not know: it was migrated by a newer version. Run that version, or restore a backup."
        )
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


async def open_database(url: str) -> tuple[AsyncEngine, async_sessionmaker[AsyncSession]]:
    """Connect, migrate, and hand back the engine and its session factory."""
    check_url(url)
    engine = create_engine(url)
    try:
        await migrate(engine)
    except DatabaseError:
        await engine.dispose()
        raise
    except Exception as error:  # driver errors differ per database; the message must not
        await engine.dispose()
        raise DatabaseError(f"Cannot open the database {_safe(url)}: {_first_line(error)}") from error
    return engine, create_sessionmaker(engine)


def _safe(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def _first_line(error: Exception) -> str:
    """A driver's message without SQLAlchemy's "Background on this error" and the like."""
    lines = [line for line in str(error).splitlines() if line.strip()]
    return lines[0] if lines else type(error).__name__


async def ping(sessions: async_sessionmaker[AsyncSession]) -> None:
    """Raises unless the database answers a query that reads the schema (on SQLite a bare
    `SELECT 1` never touches the file, so it would answer for a file that is gone)."""
    async with sessions() as session:
        await session.execute(text("SELECT count(*) FROM alembic_version"))
