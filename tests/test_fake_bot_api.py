"""The fake Bot API answers like Telegram, seen through a real `telegram.Bot`."""

from __future__ import annotations

import asyncio
import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import BadRequest, Conflict, EndPointNotFound, Forbidden, InvalidToken, NetworkError, RetryAfter

from tests.fake_bot_api import FakeBotApi, utf16_len

TOKEN = "123:ABC"
ANN, BEN = 42, 43


@pytest.fixture
def fake() -> Iterator[FakeBotApi]:
    with FakeBotApi(TOKEN) as api:
        api.add_chat(ANN, first_name="Ann")
        api.add_chat(BEN, first_name="Ben")
        yield api


@pytest.fixture
async def bot(fake: FakeBotApi) -> AsyncIterator[Bot]:
    async with Bot(TOKEN, base_url=fake.base_url) as real_bot:
        yield real_bot


def keyboard(*data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(d, callback_data=d) for d in data]])


def raw_call(fake: FakeBotApi, path: str, body: bytes | None = None, content_type: str = "") -> tuple[int, dict]:
    request = urllib.request.Request(fake.url + path, data=body, headers={"Content-Type": content_type})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


async def test_get_me_names_the_bot_after_its_token(bot: Bot) -> None:
    assert bot.bot.id == 123 and bot.bot.is_bot and bot.username == "trainery_test_bot"


async def test_message_ids_increase_per_chat_and_count_the_users_messages(fake: FakeBotApi, bot: Bot) -> None:
    first = await bot.send_message(ANN, "one")
    second = await bot.send_message(ANN, "two")
    other = await bot.send_message(BEN, "one")
    incoming = fake.push_message(ANN, "hi")["message"]
    third = await bot.send_message(ANN, "three")
    assert (first.message_id, second.message_id, other.message_id) == (1, 2, 1)
    assert incoming["message_id"] == 3 and third.message_id == 4
    assert [m["text"] for m in fake.sent_messages(ANN)] == ["one", "two", "three"]


async def test_html_becomes_text_and_entities(bot: Bot) -> None:
    sent = await bot.send_message(ANN, "<b>Yoga</b> &amp; <code>/help</code> — &lt;3", parse_mode=ParseMode.HTML)
    assert sent.text == "Yoga & /help — <3"
    assert [(e.type, e.offset, e.length) for e in sent.entities] == [("bold", 0, 4), ("code", 7, 5)]


@pytest.mark.parametrize("text", ["<b>open", "<foo>x</foo>", "<b>x</i>", "a < b"])
async def test_bad_html_is_refused(bot: Bot, text: str) -> None:
    with pytest.raises(BadRequest, match="Can't parse entities"):
        await bot.send_message(ANN, text, parse_mode=ParseMode.HTML)


async def test_editing_to_the_same_content_is_not_modified(fake: FakeBotApi, bot: Bot) -> None:
    sent = await bot.send_message(ANN, "<b>Yoga</b>", parse_mode=ParseMode.HTML, reply_markup=keyboard("v1:a"))
    with pytest.raises(BadRequest, match="not modified"):
        await bot.edit_message_text(
            "<b>Yoga</b>", ANN, sent.message_id, parse_mode=ParseMode.HTML, reply_markup=keyboard("v1:a")
        )
    with pytest.raises(BadRequest, match="not modified"):
        await bot.edit_message_reply_markup(ANN, sent.message_id, reply_markup=keyboard("v1:a"))
    assert [c.status for c in fake.calls("editMessageText")] == [400]


async def test_edit_without_markup_removes_the_keyboard(fake: FakeBotApi, bot: Bot) -> None:
    sent = await bot.send_message(ANN, "Yoga", reply_markup=keyboard("v1:a"))
    edited = await bot.edit_message_text("Yoga, moved", ANN, sent.message_id)
    assert edited.text == "Yoga, moved" and edited.edit_date is not None
    assert edited.reply_markup is None
    assert fake.message(ANN, sent.message_id) == fake.sent_messages(ANN)[0]


async def test_edit_errors(fake: FakeBotApi, bot: Bot) -> None:
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("x", ANN, 99)
    users_message = fake.push_message(ANN, "hello")["message"]["message_id"]
    with pytest.raises(BadRequest, match="Message can't be edited"):
        await bot.edit_message_text("x", ANN, users_message)


async def test_flood_limit_raises_retry_after(fake: FakeBotApi, bot: Bot, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")  # PTB 22's future: retry_after as a timedelta
    fake.fail_next("sendMessage", 429, retry_after=3)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(ANN, "x")
    assert caught.value.retry_after == timedelta(seconds=3)
    assert (await bot.send_message(ANN, "again")).message_id == 1  # the failed one used no id


async def test_blocked_chat_is_forbidden(fake: FakeBotApi, bot: Bot) -> None:
    fake.block_chat(ANN)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(ANN, "x")
    fake.unblock_chat(ANN)
    await bot.send_message(ANN, "x")


async def test_unknown_chat_is_not_found(bot: Bot) -> None:
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(777, "x")


async def test_global_rate_limit(fake: FakeBotApi, bot: Bot, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    fake.rate_limit = 3
    for n in range(3):
        await bot.send_message(ANN if n % 2 else BEN, "x")
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(ANN, "x")
    assert caught.value.retry_after == timedelta(seconds=1)


async def test_dropped_connection_is_a_network_error(fake: FakeBotApi, bot: Bot) -> None:
    fake.disconnect_next("sendMessage")
    with pytest.raises(NetworkError):
        await bot.send_message(ANN, "x")
    await bot.send_message(ANN, "x")


async def test_wrong_token_and_unknown_method(fake: FakeBotApi, bot: Bot) -> None:
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("noSuchMethod")
    stranger = Bot("999:WRONG", base_url=fake.base_url)
    with pytest.raises(InvalidToken):
        await stranger.initialize()  # its getMe gets 401 Unauthorized
    await stranger.shutdown()
    assert fake.calls("getMe")[-1].status == 401


def test_raw_http_answers_json_form_and_get(fake: FakeBotApi) -> None:
    assert raw_call(fake, f"/bot{TOKEN}/nope", b"{}", "application/json") == (
        404, {"ok": False, "error_code": 404, "description": "Not Found"}
    )
    status, body = raw_call(fake, f"/bot{TOKEN}/sendMessage", b'{"chat_id": 42, "text": "123"}', "application/json")
    assert status == 200 and body["ok"] and body["result"]["text"] == "123"
    status, body = raw_call(fake, f"/bot{TOKEN}/sendMessage", b"chat_id=42&text=7", "application/x-www-form-urlencoded")
    assert body["result"]["text"] == "7"  # a form's text stays a string
    status, body = raw_call(fake, f"/bot{TOKEN}/getMe?x=1")
    assert body["result"]["username"] == "trainery_test_bot"
    fake.fail_next("getMe", 429, retry_after=5)
    assert raw_call(fake, f"/bot{TOKEN}/getMe") == (
        429,
        {"ok": False, "error_code": 429, "description": "Too Many Requests: retry after 5",
         "parameters": {"retry_after": 5}},
    )


async def test_long_polling_waits_for_an_update_and_offset_confirms(fake: FakeBotApi, bot: Bot) -> None:
    threading.Timer(0.2, fake.push_message, (ANN, "/start")).start()
    started = time.monotonic()
    updates = await bot.get_updates(timeout=5)
    assert time.monotonic() - started < 3
    assert [u.message.text for u in updates] == ["/start"]
    assert updates[0].message.entities[0].type == "bot_command"
    assert await bot.get_updates(offset=updates[0].update_id + 1, timeout=0) == ()
    assert fake.pending_updates() == 0


async def test_long_polling_times_out_empty(bot: Bot) -> None:
    started = time.monotonic()
    assert await bot.get_updates(timeout=1) == ()
    assert 0.9 < time.monotonic() - started < 3


async def test_a_second_poller_ends_the_first_with_conflict(fake: FakeBotApi, bot: Bot) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.to_thread(fake.wait_until, lambda: fake.waiting_polls() == 1)
    async with Bot(TOKEN, base_url=fake.base_url) as second:
        await second.get_updates(timeout=0)
    with pytest.raises(Conflict, match="terminated by other getUpdates request"):
        await first


async def test_callback_queries_are_answered_once(fake: FakeBotApi, bot: Bot) -> None:
    sent = await bot.send_message(ANN, "Pick", reply_markup=keyboard("v1:yes", "v1:no"))
    update = fake.push_callback(ANN, sent.message_id, "v1:yes")
    query = update["callback_query"]
    assert query["message"]["message_id"] == sent.message_id and query["from"]["id"] == ANN
    await bot.answer_callback_query(query["id"], text="Saved")
    assert fake.answer_of(query["id"])["text"] == "Saved"
    with pytest.raises(BadRequest, match="(?i)query is too old"):
        await bot.answer_callback_query(query["id"])
    with pytest.raises(ValueError):
        fake.push_callback(ANN, sent.message_id, "v1:forged")
    assert fake.push_callback(ANN, sent.message_id, "v1:forged", strict=False)


async def test_callback_data_over_64_bytes_is_refused(bot: Bot) -> None:
    with pytest.raises(BadRequest, match="Button_data_invalid"):
        await bot.send_message(ANN, "x", reply_markup=keyboard("x" * 65))
    with pytest.raises(BadRequest, match="Button_data_invalid"):
        await bot.send_message(ANN, "x", reply_markup=keyboard("é" * 33))  # 66 bytes, 33 characters
    await bot.send_message(ANN, "x", reply_markup=keyboard("x" * 64))
    await bot.send_message(ANN, "x", reply_markup=keyboard("é" * 32))


# -- Telegram's limits: 4,096 characters of visible text, 100 buttons --------------------


@pytest.mark.parametrize(
    ("text", "visible"),
    [
        ("x" * 4096, 4096),
        ("<b>" + "x" * 4095 + "</b>y", 4096),  # tags are not text
        ("&amp;" * 4096, 4096),  # an entity is one character
        ("💪" * 4096, 4096),  # characters, not UTF-16 code units (that would be 8,192)
        ("\n " + "x" * 4096 + " \n\n", 4096),  # Telegram trims before it counts
    ],
)
async def test_a_text_of_4096_visible_characters_is_sent(bot: Bot, text: str, visible: int) -> None:
    sent = await bot.send_message(ANN, text, parse_mode=ParseMode.HTML)
    assert len(sent.text) == visible


@pytest.mark.parametrize("text", ["x" * 4097, "<i>" + "x" * 4097 + "</i>", "&lt;" * 4097, "💪" * 4097, "x\n" * 2049])
async def test_a_longer_text_is_refused(fake: FakeBotApi, bot: Bot, text: str) -> None:
    with pytest.raises(BadRequest, match="^Message is too long$"):
        await bot.send_message(ANN, text, parse_mode=ParseMode.HTML)
    assert fake.calls("sendMessage")[-1].status == 400 and fake.sent_messages(ANN) == []


async def test_an_edit_to_a_longer_text_is_refused_and_changes_nothing(fake: FakeBotApi, bot: Bot) -> None:
    sent = await bot.send_message(ANN, "short", reply_markup=keyboard("v1:a"))
    with pytest.raises(BadRequest, match="^Message is too long$"):
        await bot.edit_message_text("x" * 4097, ANN, sent.message_id)
    assert fake.message(ANN, sent.message_id)["text"] == "short"
    await bot.edit_message_text("x" * 4096, ANN, sent.message_id)


def grid(count: int, per_row: int = 8) -> InlineKeyboardMarkup:
    buttons = [InlineKeyboardButton(str(n), callback_data=f"b{n}") for n in range(count)]
    return InlineKeyboardMarkup([buttons[i : i + per_row] for i in range(0, count, per_row)])


async def test_100_buttons_are_sent_and_101_refused(fake: FakeBotApi, bot: Bot) -> None:
    sent = await bot.send_message(ANN, "many", reply_markup=grid(100))
    assert sum(len(row) for row in sent.reply_markup.inline_keyboard) == 100
    for markup in (grid(101), grid(101, per_row=1)):
        with pytest.raises(BadRequest, match="^Reply markup is too long$"):
            await bot.send_message(ANN, "too many", reply_markup=markup)
    with pytest.raises(BadRequest, match="^Reply markup is too long$"):
        await bot.edit_message_text("too many", ANN, sent.message_id, reply_markup=grid(101))
    with pytest.raises(BadRequest, match="^Reply markup is too long$"):
        await bot.edit_message_reply_markup(ANN, sent.message_id, reply_markup=grid(101))
    assert fake.message(ANN, sent.message_id)["text"] == "many"
    assert [m["text"] for m in fake.sent_messages(ANN)] == ["many"]


def test_the_raw_answers_carry_telegrams_descriptions(fake: FakeBotApi) -> None:
    too_long = json.dumps({"chat_id": ANN, "text": "x" * 4097}).encode()
    assert raw_call(fake, f"/bot{TOKEN}/sendMessage", too_long, "application/json") == (
        400, {"ok": False, "error_code": 400, "description": "Bad Request: message is too long"}
    )
    markup = {"inline_keyboard": [[{"text": "b", "callback_data": "b"}]] * 101}
    too_many = json.dumps({"chat_id": ANN, "text": "x", "reply_markup": markup}).encode()
    assert raw_call(fake, f"/bot{TOKEN}/sendMessage", too_many, "application/json")[1]["description"] == (
        "Bad Request: reply markup is too long"
    )
    bad_data = json.dumps({"chat_id": ANN, "text": "x", "reply_markup": {"inline_keyboard": [[
        {"text": "b", "callback_data": "x" * 65}]]}}).encode()
    assert raw_call(fake, f"/bot{TOKEN}/sendMessage", bad_data, "application/json")[1]["description"] == (
        "Bad Request: BUTTON_DATA_INVALID"
    )


async def test_commands_menu(fake: FakeBotApi, bot: Bot) -> None:
    await bot.set_my_commands([("start", "Begin"), ("help", "Commands")])
    assert [c.command for c in await bot.get_my_commands()] == ["start", "help"]
    with pytest.raises(BadRequest):
        await bot.set_my_commands([("Bad Command", "x")])
    await bot.delete_my_commands()
    assert fake.commands() == []


def test_command_entities_count_utf16(fake: FakeBotApi) -> None:
    message = fake.user_message(ANN, "💪 /sessions week mine")["message"]
    assert message["entities"] == [{"type": "bot_command", "offset": utf16_len("💪 "), "length": 9}]
    assert utf16_len("💪 ") == 3


async def test_wait_for_message_sees_later_messages(fake: FakeBotApi, bot: Bot) -> None:
    await bot.send_message(ANN, "old")
    waiting = asyncio.create_task(fake.wait_for_message_async(ANN, lambda m: m["text"] == "new", after=1))
    await asyncio.sleep(0.05)
    await bot.send_message(ANN, "new")
    assert (await waiting)["message_id"] == 2
    with pytest.raises(TimeoutError, match="the bot sent there"):
        await fake.wait_for_message_async(ANN, lambda m: m["text"] == "never", timeout=0.1)


async def test_latency_delays_every_call_by_its_round_trip(fake: FakeBotApi, bot: Bot) -> None:
    fake.latency = 0.2
    started = time.monotonic()
    await bot.get_me()
    assert time.monotonic() - started >= 0.2  # a lower bound: sleeping never ends early


def test_latency_range_is_drawn_from_within_it(fake: FakeBotApi) -> None:
    fake.latency = (0.05, 0.3)
    trips = [fake.round_trip() for _ in range(200)]
    assert all(0.05 <= trip <= 0.3 for trip in trips)
    assert len(set(trips)) > 1
    fake.latency = 0.0
    assert fake.round_trip() == 0.0
