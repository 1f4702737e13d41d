"""Issue 16: one INFO line per handled update, with its ids, kind, outcome and
duration — never what the person wrote, their name, or the bot token. Through the
real Application against the fake Bot API."""

from __future__ import annotations

import logging
import re

import pytest
from telegram import Update
from telegram.ext import MessageHandler, filters

from bot.cli import RedactToken
from bot.context import TraineryApplication, TraineryContext
from tests.bot_harness import MEMBER, TOKEN, app, database_url, fake
from tests.fake_bot_api import FakeBotApi
from tests.phone import Phone

__all__ = ["app", "database_url", "fake"]  # fixtures, used by name

NAME = "Maximilian"  # the person's Telegram first name; the studio knows them as "Member 0"
LINE = re.compile(r"update (\d+) user (\d+) chat (\d+) (.+): (ok|failed \(\w+\)) in (\d+) ms")


@pytest.fixture(autouse=True)
def logging_as_the_process_does(caplog: pytest.LogCaptureFixture) -> None:
    """INFO everywhere, with the token filter `trainery run` installs (bot/cli.py)."""
    caplog.set_level(logging.INFO)
    caplog.handler.addFilter(RedactToken(TOKEN))


def update_lines(caplog: pytest.LogCaptureFixture) -> list[re.Match[str]]:
    lines = [r.getMessage() for r in caplog.records if r.name == "trainery.updates"]
    assert all(r.levelno == logging.INFO for r in caplog.records if r.name == "trainery.updates")
    matches = [LINE.fullmatch(line) for line in lines]
    assert all(matches), lines
    return [m for m in matches if m]


def assert_private(caplog: pytest.LogCaptureFixture, *secrets: str) -> None:
    for record in caplog.records:
        text = record.getMessage()
        for secret in (NAME, "Member 0", TOKEN, *secrets):
            assert secret not in text, (secret, text)


async def test_each_update_is_one_line_with_its_ids_and_kind(
    app: TraineryApplication, fake: FakeBotApi, caplog: pytest.LogCaptureFixture
) -> None:
    member = Phone(app, fake, MEMBER, NAME)
    await member.send("/my")
    await member.send("/book@trainery_test_bot tomorrow please")
    screen = member.screen(with_buttons=True)
    data = screen["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    await member.press(data, screen["message_id"])
    await member.send("my knee hurts since Tuesday")

    lines = update_lines(caplog)
    prefix = data.split(":")[0]
    assert [m.group(4) for m in lines] == ["command /my", "command /book", f"button {prefix}", "text"]
    assert all(m.group(2) == m.group(3) == str(MEMBER) and m.group(5) == "ok" for m in lines)
    assert len({m.group(1) for m in lines}) == 4  # each update by its own id
    assert_private(caplog, "knee", "tomorrow please")


async def test_a_failing_update_says_so_by_the_error_class_only(
    app: TraineryApplication, fake: FakeBotApi, caplog: pytest.LogCaptureFixture
) -> None:
    async def explode(update: Update, context: TraineryContext) -> None:
        raise RuntimeError("a detail the log line does not need")

    app.add_handler(MessageHandler(filters.Regex("^boom"), explode), group=1)
    member = Phone(app, fake, MEMBER, NAME)
    await member.send("boom, said Maximilian")

    [line] = update_lines(caplog)
    assert line.group(4) == "text" and line.group(5) == "failed (RuntimeError)"
    assert_private(caplog, "boom")


def test_a_command_is_named_without_its_arguments() -> None:
    from bot.update_log import kind

    def message(text: str) -> Update:
        return Update.de_json(
            {"update_id": 1, "message": {"message_id": 1, "date": 0, "text": text,
                                         "chat": {"id": 5, "type": "private"}, "from": {"id": 5, "is_bot": False, "first_name": NAME}}},
            None,
        )

    assert kind(message("/cancel_session 12 because Anna is ill")) == "command /cancel_session"
    assert kind(message("/")) == "text"
    assert kind(message("/" + "x" * 40)) == "text"  # no command of ours is that long
    assert kind(message("hello /my")) == "text"
