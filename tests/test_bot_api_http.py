"""The bot's HTTP client to the Bot API (bot/bot_api_http.py, aiohttp under PTB's
request interface) keeps PTB's contract: what Telegram answers comes back as the same
objects and exceptions as with PTB's own client, a slow Telegram is a time-out and a
broken connection a network error."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.request import RequestData
from telegram.request._requestparameter import RequestParameter

from bot.bot_api_http import BotApiRequest
from tests.fake_bot_api import FakeBotApi

TOKEN = "123456:test-token"
CHAT = 5001


@pytest.fixture
def fake() -> Iterator[FakeBotApi]:
    with FakeBotApi(TOKEN) as api:
        api.add_chat(CHAT)
        yield api


def bot_on(fake: FakeBotApi, request: BotApiRequest | None = None) -> Bot:
    return Bot(TOKEN, base_url=fake.base_url, request=request or BotApiRequest())


async def test_a_message_goes_out_and_comes_back_as_telegram_answered(fake: FakeBotApi) -> None:
    async with bot_on(fake) as bot:
        first = await bot.send_message(CHAT, "<b>Training updated</b> — Tue 01 Dec", parse_mode="HTML")
        second = await bot.send_message(CHAT, "again")
        edited = await bot.edit_message_text("changed", CHAT, first.message_id)
    assert second.message_id > first.message_id and first.chat.id == CHAT
    assert edited is not True and fake.calls("editMessageText")[-1].params["text"] == "changed"
    sent = fake.calls("sendMessage")[0].params
    assert (sent["text"], sent["parse_mode"]) == ("<b>Training updated</b> — Tue 01 Dec", "HTML")


async def test_the_parameters_go_as_one_json_object_as_the_bot_api_takes_them(fake: FakeBotApi) -> None:
    """Not a form: quoting kilobytes of non-ASCII text for one cost more CPU than the
    rest of a reply. Objects stay objects, numbers numbers."""
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Book Tue 18:00 · Müller", callback_data="b:7")]])
    async with bot_on(fake) as bot:
        sent = await bot.send_message(CHAT, "Training — Übung «Yoga»", reply_markup=keyboard)
    call = fake.calls("sendMessage")[-1]
    assert call.content_type == "application/json"
    assert call.params["chat_id"] == CHAT and call.params["text"] == "Training — Übung «Yoga»"
    assert call.params["reply_markup"] == {"inline_keyboard": [[{"text": "Book Tue 18:00 · Müller", "callback_data": "b:7"}]]}
    assert sent.reply_markup == keyboard


async def test_telegrams_refusals_are_ptbs_exceptions(fake: FakeBotApi) -> None:
    async with bot_on(fake) as bot:
        fake.fail_next("sendMessage", 429, retry_after=3)
        with pytest.raises(RetryAfter) as flood:
            await bot.send_message(CHAT, "one")
        assert flood.value.retry_after == 3
        fake.block_chat(CHAT)
        with pytest.raises(Forbidden):
            await bot.send_message(CHAT, "two")
        with pytest.raises(BadRequest, match="not found"):
            await bot.send_message(CHAT + 1, "to nobody")


async def test_a_file_goes_as_multipart_beside_the_other_fields(fake: FakeBotApi) -> None:
    request = BotApiRequest()
    await request.initialize()
    try:
        data = RequestData(
            [
                RequestParameter.from_input("chat_id", CHAT),
                RequestParameter.from_input("text", "with a file"),
                RequestParameter.from_input("document", InputFile(b"backup bytes", filename="studio.sqlite3")),
            ]
        )
        await request.post(f"{fake.base_url}{TOKEN}/sendMessage", data)
    finally:
        await request.shutdown()
    call = fake.calls("sendMessage")[-1]
    params = call.params
    assert call.content_type == "multipart/form-data"
    assert params["text"] == "with a file"
    assert params["document"] == {"filename": "studio.sqlite3", "content": b"backup bytes"}


async def test_a_slow_telegram_is_a_time_out() -> None:
    """Within the default 5 s read time-out a 1.5 s answer arrives; not within a call's own 0.3 s."""
    with FakeBotApi(TOKEN, latency=1.5) as slow:
        slow.add_chat(CHAT)
        async with bot_on(slow) as bot:
            with pytest.raises(TimedOut):
                await bot.send_message(CHAT, "late", read_timeout=0.3)
            assert (await bot.send_message(CHAT, "in time")).text == "in time"


async def test_a_dropped_connection_is_a_network_error(fake: FakeBotApi) -> None:
    async with bot_on(fake) as bot:
        fake.disconnect_next("sendMessage")
        with pytest.raises(NetworkError):
            await bot.send_message(CHAT, "lost")
        assert (await bot.send_message(CHAT, "the next one")).text == "the next one"


async def test_nobody_listening_is_a_network_error() -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    request = BotApiRequest(connect_timeout=1.0)
    await request.initialize()
    try:
        with pytest.raises(NetworkError, match="Cannot connect"):
            await request.post(f"http://127.0.0.1:{port}/bot{TOKEN}/getMe")
    finally:
        await request.shutdown()


async def test_a_proxy_from_the_environment_carries_the_calls(
    fake: FakeBotApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    """HTTP_PROXY (credentials in its URL) as httpx honours it, NO_PROXY too. The fake
    stands in for the proxy: a host that does not exist is only reachable through it."""
    monkeypatch.setenv("HTTP_PROXY", fake.base_url.replace("http://", "http://user:secret@").removesuffix("/bot"))
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    bot = Bot(TOKEN, base_url="http://api.telegram.invalid/bot", request=BotApiRequest())
    async with bot:
        assert (await bot.send_message(CHAT, "through the proxy")).text == "through the proxy"
    monkeypatch.setenv("NO_PROXY", "api.telegram.invalid")
    bot = Bot(TOKEN, base_url="http://api.telegram.invalid/bot", request=BotApiRequest(connect_timeout=2.0))
    with pytest.raises(NetworkError):
        async with bot:  # getMe, straight to a host that does not exist
            pass
    assert [c.params["text"] for c in fake.calls("sendMessage")] == ["through the proxy"]
    assert fake.proxy_credentials() == [("user", "secret")]


async def test_it_must_be_initialized_and_can_be_shut_down_twice() -> None:
    request = BotApiRequest()
    with pytest.raises(RuntimeError, match="not initialized"):
        await request.do_request("http://127.0.0.1:1/", "POST")
    await request.initialize()
    await request.shutdown()
    await request.shutdown()
    assert request.read_timeout == 5.0
