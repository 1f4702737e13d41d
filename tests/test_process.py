"""The real `trainery run` process: start-up checks, polling via the fake Bot API, SIGTERM."""

from __future__ import annotations

import logging
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.cli import RedactToken
from tests.fake_bot_api import FakeBotApi

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "123:ABC"
OWNER = 4242


def bot_env(**settings: str) -> dict[str, str]:
    """The test's environment without any TRAINERY_* of the developer's, plus `settings`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRAINERY_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env.update(settings)
    return env


def run_bot(cwd: Path, **settings: str) -> subprocess.CompletedProcess[str]:
    """For runs that must end by themselves."""
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "run"],
        cwd=cwd, env=bot_env(**settings), capture_output=True, text=True, timeout=30,
    )


def test_the_process_answers_start_migrates_and_stops_on_sigterm(tmp_path: Path) -> None:
    stderr_path = tmp_path / "stderr.log"
    with FakeBotApi(TOKEN) as fake, stderr_path.open("w") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "run"],
            cwd=tmp_path,
            env=bot_env(TRAINERY_BOT_TOKEN=TOKEN, TRAINERY_BOT_API_URL=fake.base_url,
                        TRAINERY_OWNER_IDS=str(OWNER)),
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
        try:
            try:
                fake.wait_until(lambda: fake.waiting_polls() or process.poll() is not None, timeout=30)
                assert process.poll() is None, "the bot exited"
                fake.push_message(OWNER, "/start", first_name="Olga")
                reply = fake.wait_for_message(OWNER, lambda m: m["text"].startswith("Hello"), timeout=10)
            except (AssertionError, TimeoutError) as error:
                raise AssertionError(f"{error}\nbot stderr:\n{stderr_path.read_text()}") from error
            assert "owner" in reply["text"]
            assert [c["command"] for c in fake.commands()] == ["start", "help"]

            stopped_at = time.monotonic()
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=10) == 0
            assert time.monotonic() - stopped_at < 5
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
        assert fake.pending_updates() == 0  # the last offset was confirmed on the way out

    log = stderr_path.read_text()
    assert "Connected as @trainery_test_bot" in log
    assert TOKEN not in log and "ABC" not in log
    with sqlite3.connect(tmp_path / "trainery.sqlite3") as database:
        assert database.execute("SELECT count(*) FROM alembic_version").fetchone() == (1,)
        # One path decides who is acting: the configured owner's first message, /start
        # included, gives them their person with the owner role — and nobody else one.
        people = database.execute("SELECT p.name, r.role, p.telegram_user_id FROM people p JOIN roles r ON r.person_id = p.id")
        assert people.fetchall() == [("Olga", "owner", OWNER)]


def test_without_a_token_it_says_how_to_get_one(tmp_path: Path) -> None:
    started = time.monotonic()
    result = run_bot(tmp_path, TRAINERY_BOT_TOKEN="")
    assert result.returncode != 0
    assert time.monotonic() - started < 15
    assert "@BotFather" in result.stderr and "/newbot" in result.stderr
    assert "TRAINERY_BOT_TOKEN" in result.stderr and ".env" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "trainery.sqlite3").exists()  # stopped before the database


def test_an_unknown_time_zone_is_named(tmp_path: Path) -> None:
    result = run_bot(tmp_path, TRAINERY_BOT_TOKEN=TOKEN, TRAINERY_TIMEZONE="Mars/Olympus")
    assert result.returncode != 0
    assert "TRAINERY_TIMEZONE" in result.stderr and "Mars/Olympus" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "trainery.sqlite3").exists()


def test_an_unreachable_database_is_a_clear_message(tmp_path: Path) -> None:
    url = "postgresql+asyncpg://trainery:s3cret@127.0.0.1:1/trainery"
    result = run_bot(tmp_path, TRAINERY_BOT_TOKEN=TOKEN, TRAINERY_DATABASE_URL=url)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "Cannot open the database" in result.stderr and "127.0.0.1:1" in result.stderr
    assert "Traceback" not in output
    assert TOKEN not in output and "s3cret" not in output


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("nonsense", "this is not a database URL; write e.g. sqlite+aiosqlite:///trainery.sqlite3"),
        ("mysql+aiomysql://shop:s3cret@db/shop", "Trainery stores its data in SQLite or PostgreSQL, not “mysql”"),
        ("sqlite:///studio.db", "through the aiosqlite driver; write sqlite+aiosqlite:///studio.db"),
        ("postgres://shop:s3cret@db/shop", "write postgresql+asyncpg://shop:***@db/shop (with your password"),
        ("sqlite+aiosqlite:////no/such/folder/x.db", "Cannot open the database sqlite+aiosqlite:////no/such/folder/x.db"),
    ],
)
def test_a_bad_database_url_is_one_clear_line(tmp_path: Path, url: str, says: str) -> None:
    """Issue 12: no driver's traceback, the password never shown, exit code not 0."""
    result = run_bot(tmp_path, TRAINERY_BOT_TOKEN=TOKEN, TRAINERY_DATABASE_URL=url)
    assert result.returncode != 0
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith("trainery: ") and says in line
    assert "s3cret" not in line and TOKEN not in line


def test_an_empty_database_url_means_the_default_file(tmp_path: Path) -> None:
    from bot.settings import DEFAULT_DATABASE_URL, Settings

    assert Settings(_env_file=None, database_url=" ").database_url == DEFAULT_DATABASE_URL  # type: ignore[call-arg]


def test_a_token_telegram_refuses_is_a_clear_message(tmp_path: Path) -> None:
    with FakeBotApi(TOKEN) as fake:
        result = run_bot(tmp_path, TRAINERY_BOT_TOKEN="999:WRONG", TRAINERY_BOT_API_URL=fake.base_url)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "Telegram refused the bot token" in result.stderr
    assert "999:WRONG" not in output and "Traceback" not in output


def test_the_log_filter_redacts_the_token_from_messages_and_tracebacks() -> None:
    try:
        raise ValueError(f"POST https://api.telegram.org/bot{TOKEN}/getMe failed")
    except ValueError:
        record = logging.LogRecord(
            "httpx", logging.ERROR, __file__, 1, "url %s", (f"/bot{TOKEN}/x",), sys.exc_info()
        )
    assert RedactToken(TOKEN).filter(record)
    text = logging.Formatter().format(record)
    assert TOKEN not in text and "/bot<bot token>/x" in text and "ValueError" in text
