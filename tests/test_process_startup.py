"""Issue 16, robustness of `trainery run`'s start-up in the real process: a port another
program holds (the webhook's, the health server's) is one clear line and exit 1; a
SIGTERM at any moment of start-up — while a request to Telegram is in flight — ends
the process cleanly with exit 0 and no traceback."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fake_bot_api import FakeBotApi
from tests.test_process import TOKEN, bot_env, run_bot
from tests.test_production import free_port

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("setting", ["TRAINERY_HEALTH_PORT", "TRAINERY_WEBHOOK_PORT"])
def test_a_port_in_use_is_one_line_and_exit_1(tmp_path: Path, setting: str) -> None:
    with socket.socket() as busy, FakeBotApi(TOKEN) as fake:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        webhook = {"TRAINERY_WEBHOOK_URL": f"http://127.0.0.1:{port}/hook"} if "WEBHOOK" in setting else {}
        result = run_bot(
            tmp_path, TRAINERY_BOT_TOKEN=TOKEN, TRAINERY_BOT_API_URL=fake.base_url, **{setting: str(port)}, **webhook
        )
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1] == (
        f"trainery: port {port} is already in use by another program; stop it, or set {setting} to a free port"
    )
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("in_flight", "webhook"),
    [("getMe", False), ("setMyCommands", False), ("deleteWebhook", False), ("setWebhook", True)],
)
def test_a_stop_at_any_moment_of_start_up_exits_cleanly(tmp_path: Path, in_flight: str, webhook: bool) -> None:
    # Each call takes 0.6 s; the fake records it half-way, so when the test sees it the
    # bot is still waiting for Telegram's answer — the moment SIGTERM once broke.
    with FakeBotApi(TOKEN, latency=0.6) as fake:
        port = free_port()
        hook = {"TRAINERY_WEBHOOK_URL": f"http://127.0.0.1:{port}/hook", "TRAINERY_WEBHOOK_PORT": str(port)}
        process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "run"],
            cwd=tmp_path,
            env=bot_env(TRAINERY_BOT_TOKEN=TOKEN, TRAINERY_BOT_API_URL=fake.base_url, **(hook if webhook else {})),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            fake.wait_until(lambda: fake.calls(in_flight) or process.poll() is not None, timeout=30, what=in_flight)
            process.send_signal(signal.SIGTERM)
            _, stderr = process.communicate(timeout=30)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
    assert process.returncode == 0, stderr
    assert "Traceback" not in stderr and "Error" not in stderr, stderr
    assert stderr.splitlines()[-1].endswith("INFO trainery: Stopped")
