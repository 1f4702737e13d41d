"""`trainery backup <file>`: a consistent copy of the SQLite database while the bot runs.

SQLite's online backup API copies the pages under one read transaction on its own
synchronous connection. The bot runs in WAL mode, where readers do not block
writers, so the bot keeps writing meanwhile and the copy is the database exactly as
of the moment the copy began: every transaction committed before it, none after.

The copy is written to a temporary file beside the target and renamed into place,
so an interrupted backup never leaves a half-written file under the target's name.
PostgreSQL has its own tool for this, `pg_dump`; the message says how to call it.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from pathlib import Path

from storage.database import DatabaseError, check_url

BUSY_TIMEOUT = 30.0  # seconds to wait for a lock, as the bot's own connections do


class BackupError(DatabaseError):
    """The backup cannot be taken; the message says why, in one line."""


def backup(url: str, target: Path, *, force: bool = False) -> int:
    """Copy the database at `url` to `target`; the copy's size in bytes."""
    source = sqlite_path(url)
    target = target.expanduser().absolute()
    _check_target(source, target, force)
    partial = _temporary_beside(target)
    try:
        _copy(source, partial)
        os.replace(partial, target)
    except sqlite3.Error as error:
        raise BackupError(f"the backup of {source} failed: {error}") from None
    except OSError as error:
        raise BackupError(f"cannot write {target}: {error.strerror}") from None
    finally:
        partial.unlink(missing_ok=True)
    return target.stat().st_size


def sqlite_path(url: str) -> Path:
    """The database file behind a SQLite URL; PostgreSQL gets a pointer to pg_dump."""
    parsed = check_url(url)
    if parsed.get_backend_name() != "sqlite":
        plain = parsed.set(drivername="postgresql").render_as_string(hide_password=True)
        raise BackupError(
            "TRAINERY_DATABASE_URL is a PostgreSQL database: back it up with pg_dump, e.g. "
            f"pg_dump --format=custom --file=trainery.dump '{plain}' (restore with pg_restore)"
        )
    if not parsed.database or parsed.database == ":memory:":
        raise BackupError("TRAINERY_DATABASE_URL names no database file to back up")
    source = Path(parsed.database).expanduser().absolute()
    if not source.is_file():
        raise BackupError(f"there is no database at {source} (TRAINERY_DATABASE_URL)")
    return source


def _check_target(source: Path, target: Path, force: bool) -> None:
    if target.is_dir():
        raise BackupError(f"{target} is a folder; name the backup file, e.g. {target / 'trainery-backup.sqlite3'}")
    if not target.parent.is_dir():
        raise BackupError(f"the folder {target.parent} does not exist")
    if target.exists() and target.resolve() == source.resolve():
        raise BackupError(f"{target} is the database itself; name another file")
    if target.exists() and not force:
        raise BackupError(f"{target} already exists; choose another name, or add --force to replace it")


def _temporary_beside(target: Path) -> Path:
    try:
        handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent)
    except OSError as error:
        raise BackupError(f"cannot write in {target.parent}: {error.strerror}") from None
    os.close(handle)
    return Path(name)


def _copy(source: Path, destination: Path) -> None:
    # mode=rw: never create a database where none was; the copy only reads.
    reader = sqlite3.connect(f"{source.as_uri()}?mode=rw", uri=True, timeout=BUSY_TIMEOUT)
    try:
        writer = sqlite3.connect(destination)
        try:
            # pages=-1 (the default): one step under one read transaction, so the copy
            # is one snapshot; the bot's writes go on into the WAL meanwhile.
            reader.backup(writer)
        finally:
            writer.close()
    finally:
        reader.close()
