"""`trainery backup <file>`: a consistent copy while another connection keeps writing,
and the real process's answers (written, refused, PostgreSQL)."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from storage.backup import BackupError, backup
from tests.test_process import bot_env

PADDING = "x" * 400  # makes the database a few MB, so the copy takes a while


def make_database(path: Path, rows: int) -> None:
    with sqlite3.connect(path) as database:
        database.execute("PRAGMA journal_mode=WAL")
        database.execute("CREATE TABLE entry (id INTEGER PRIMARY KEY, padding TEXT NOT NULL)")
        database.executemany("INSERT INTO entry (padding) VALUES (?)", [(PADDING,)] * rows)
    database.close()


class Writer(threading.Thread):
    """Commits one row at a time until stopped, as the bot does; `committed` holds the
    ids whose commit returned."""

    def __init__(self, path: Path) -> None:
        super().__init__(daemon=True)
        self.path = path
        self.committed: list[int] = []
        self.stop = threading.Event()
        self.started_writing = threading.Event()

    def run(self) -> None:
        database = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        try:
            while not self.stop.is_set():
                database.execute("BEGIN IMMEDIATE")
                cursor = database.execute("INSERT INTO entry (padding) VALUES (?)", (PADDING,))
                database.execute("COMMIT")
                assert cursor.lastrowid is not None
                self.committed.append(cursor.lastrowid)
                if len(self.committed) >= 20:
                    self.started_writing.set()
        finally:
            database.close()


def test_a_backup_taken_during_writes_is_whole_and_holds_every_earlier_commit(tmp_path: Path) -> None:
    source = tmp_path / "trainery.sqlite3"
    make_database(source, rows=10_000)
    writer = Writer(source)
    writer.start()
    overlapped = 0
    try:
        assert writer.started_writing.wait(10)
        for attempt in range(5):  # on a loaded machine the writer may sit out one copy
            copy = tmp_path / f"copy-{attempt}.sqlite3"
            before = list(writer.committed)
            size = backup(f"sqlite+aiosqlite:///{source}", copy)
            overlapped += len(writer.committed) > len(before)  # commits landed during the copy
            assert size == copy.stat().st_size > 4_000_000
            with sqlite3.connect(copy) as database:
                assert database.execute("PRAGMA integrity_check").fetchone() == ("ok",)
                ids = {row[0] for row in database.execute("SELECT id FROM entry")}
            database.close()
            assert set(before) <= ids
            assert set(range(1, 10_001)) <= ids
            if overlapped >= 2:
                break
    finally:
        writer.stop.set()
        writer.join(10)
    assert overlapped >= 2, "the writer never wrote while a backup ran"
    assert not list(tmp_path.glob("*.partial"))


def test_an_existing_file_is_kept_unless_forced(tmp_path: Path) -> None:
    source, copy = tmp_path / "trainery.sqlite3", tmp_path / "copy.sqlite3"
    make_database(source, rows=3)
    copy.write_text("an older backup")
    with pytest.raises(BackupError, match="already exists.*--force"):
        backup(f"sqlite+aiosqlite:///{source}", copy)
    assert copy.read_text() == "an older backup"
    backup(f"sqlite+aiosqlite:///{source}", copy, force=True)
    with sqlite3.connect(copy) as database:
        assert database.execute("SELECT count(*) FROM entry").fetchone() == (3,)
    database.close()


@pytest.mark.parametrize(
    ("target", "says"),
    [
        ("missing/copy.sqlite3", "does not exist"),
        (".", "is a folder"),
        ("trainery.sqlite3", "is the database itself"),
    ],
)
def test_bad_targets_are_refused_and_the_database_is_untouched(tmp_path: Path, target: str, says: str) -> None:
    source = tmp_path / "trainery.sqlite3"
    make_database(source, rows=3)
    with pytest.raises(BackupError, match=says):
        backup(f"sqlite+aiosqlite:///{source}", tmp_path / target, force=True)
    with sqlite3.connect(source) as database:
        assert database.execute("SELECT count(*) FROM entry").fetchone() == (3,)
    database.close()


def test_no_database_file_is_created_where_there_was_none(tmp_path: Path) -> None:
    with pytest.raises(BackupError, match="there is no database at"):
        backup(f"sqlite+aiosqlite:///{tmp_path / 'nothing.sqlite3'}", tmp_path / "copy.sqlite3")
    assert list(tmp_path.iterdir()) == []


def run_backup(cwd: Path, *arguments: str, **settings: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "backup", *arguments],
        cwd=cwd, env=bot_env(**settings), capture_output=True, text=True, timeout=30,
    )


@pytest.mark.e2e
def test_the_process_writes_a_backup_and_refuses_to_overwrite_it(tmp_path: Path) -> None:
    make_database(tmp_path / "trainery.sqlite3", rows=5)  # the default URL, without a token

    done = run_backup(tmp_path, "copy.sqlite3")
    assert done.returncode == 0, done.stderr
    size = (tmp_path / "copy.sqlite3").stat().st_size
    assert done.stdout == f"Backed up the database to {tmp_path / 'copy.sqlite3'} ({size:,} bytes)\n"
    assert done.stderr == ""

    refused = run_backup(tmp_path, "copy.sqlite3")
    assert refused.returncode == 1
    assert refused.stdout == ""
    assert refused.stderr.count("\n") == 1 and "Traceback" not in refused.stderr
    assert "already exists" in refused.stderr and "--force" in refused.stderr

    forced = run_backup(tmp_path, "--force", "copy.sqlite3")
    assert forced.returncode == 0, forced.stderr


@pytest.mark.e2e
def test_the_process_points_postgresql_to_pg_dump_without_the_password(tmp_path: Path) -> None:
    url = "postgresql+asyncpg://trainery:secret@db.example/trainery"
    answer = run_backup(tmp_path, "copy.sqlite3", TRAINERY_DATABASE_URL=url)
    assert answer.returncode == 1
    assert answer.stderr.count("\n") == 1 and "Traceback" not in answer.stderr
    assert "pg_dump --format=custom --file=trainery.dump 'postgresql://trainery:***@db.example/trainery'" in answer.stderr
    assert "secret" not in answer.stderr
    assert not (tmp_path / "copy.sqlite3").exists()


@pytest.mark.e2e
def test_the_process_names_a_bad_path_in_one_line(tmp_path: Path) -> None:
    make_database(tmp_path / "trainery.sqlite3", rows=1)
    answer = run_backup(tmp_path, "no/such/folder/copy.sqlite3")
    assert answer.returncode == 1
    assert answer.stderr == f"trainery: the folder {tmp_path / 'no/such/folder'} does not exist\n"
