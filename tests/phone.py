"""A person's phone for bot tests: real `Update`s from the fake Bot API, processed by
the real Application; what the person sees is read back from the fake."""

from __future__ import annotations

from typing import Any

from telegram import Update

from bot.context import TraineryApplication
from tests.fake_bot_api import FakeBotApi

JSON = dict[str, Any]


class Phone:
    def __init__(self, app: TraineryApplication, fake: FakeBotApi, user_id: int, name: str = "Tester") -> None:
        self.app, self.fake, self.user_id, self.name = app, fake, user_id, name
        self.last_query: str | None = None
        self.pressed: list[str] = []

    async def send(self, text: str) -> JSON:
        """Type `text`; returns the bot's newest message afterwards."""
        update = self.fake.user_message(self.user_id, text, first_name=self.name)
        await self.app.process_update(Update.de_json(update, self.app.bot))
        return self.screen()

    async def tap(self, label: str, message: JSON | None = None) -> JSON:
        """Press the button whose text contains `label` on `message` (default: the
        newest bot message with buttons); returns that message as it is afterwards."""
        message = message or self.screen(with_buttons=True)
        data = button_data(message, label)
        await self.press(data, message["message_id"])
        return self.fake.message(self.user_id, message["message_id"]) or {}

    async def press(self, data: str, message_id: int, *, forged: bool = False) -> JSON | None:
        """Press raw callback data; `forged` sends data the message does not carry."""
        update = self.fake.user_callback(self.user_id, message_id, data, strict=not forged)
        self.last_query = update["callback_query"]["id"]
        self.pressed.append(self.last_query)
        await self.app.process_update(Update.de_json(update, self.app.bot))
        return self.answer()

    def answer(self) -> JSON | None:
        return self.fake.answer_of(self.last_query) if self.last_query else None

    def screen(self, *, with_buttons: bool = False) -> JSON:
        messages = self.fake.sent_messages(self.user_id)
        if with_buttons:
            messages = [m for m in messages if m.get("reply_markup")]
        assert messages, "the bot has shown nothing"
        return messages[-1]

    def messages(self) -> list[JSON]:
        return self.fake.sent_messages(self.user_id)


def buttons(message: JSON) -> list[tuple[str, str]]:
    markup = message.get("reply_markup") or {}
    return [(b["text"], b.get("callback_data", "")) for row in markup.get("inline_keyboard", []) for b in row]


def labels(message: JSON) -> list[str]:
    return [text for text, _ in buttons(message)]


def button_data(message: JSON, label: str) -> str:
    matches = [data for text, data in buttons(message) if label in text]
    assert matches, f"no button {label!r} on {labels(message)!r}"
    return matches[0]
