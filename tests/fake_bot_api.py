"""A fake Telegram Bot API server that answers like Telegram at the HTTP level.

Stdlib only: a `ThreadingHTTPServer` on 127.0.0.1 (a free port) in a background
thread, so the same fake serves an in-process `Application` and a bot process
started by a test (pass `fake.base_url` as TRAINERY_BOT_API_URL).

    with FakeBotApi() as fake:
        bot = telegram.Bot(token, base_url=fake.base_url)
        fake.push_message(42, "/start")            # queued for getUpdates
        reply = fake.wait_for_message(42, lambda m: "Hello" in m["text"])

What it does like Telegram: URLs `/bot<token>/<method>` (method names case-free),
GET query strings, JSON, form-encoded (what PTB sends: every non-string value
JSON-encoded) and multipart bodies; `{"ok": true, "result": ...}` or
`{"ok": false, "error_code": N, "description": ..., "parameters": {...}}`;
message ids counted per chat and shared with the user's own messages; HTML
parse mode turned into plain text plus entities, refusing bad HTML with
"can't parse entities"; the edit errors ("message is not modified", "message to
edit not found", "message can't be edited"); editMessageText without
reply_markup removes the inline keyboard; Telegram's limits — a text over 4,096
characters after entity parsing ("message is too long"), an inline keyboard of more
than 100 buttons ("reply markup is too long"), callback data over 64 bytes
("BUTTON_DATA_INVALID");
long polling with offset confirmation and 409 for a second concurrent poller;
setWebhook (url, secret_token; getUpdates refused with 409 while one is set) and deleteWebhook;
"chat not found" for chats that never wrote to the bot.

Faults for tests: `fail_next`, `disconnect_next`, `block_chat`, a global
`rate_limit` (messages per second, 429 with retry_after beyond it) and a
`chat_rate_limit` (messages per second to any one chat, likewise).

Latency: `FakeBotApi(latency=0.15)` or `latency=(0.05, 0.3)` gives every call a
round trip like Telegram's from far away (see `__init__`); 0 by default.
"""

from __future__ import annotations

import asyncio
import base64
import email.parser
import email.policy
import itertools
import json
import random
import re
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urlsplit

T = TypeVar("T")
Latency = float | tuple[float, float]  # seconds: fixed, or a (low, high) range
JSON = dict[str, Any]

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
BLOCKED = "Forbidden: bot was blocked by the user"
QUERY_INVALID = "Bad Request: query is too old and response timeout expired or query ID is invalid"
CONFLICT = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)
# Form values stay strings for these; everything else is JSON-decoded, as PTB
# JSON-encodes every non-string value (`RequestData.json_parameters`).
STRING_FIELDS = frozenset(
    {"text", "caption", "parse_mode", "callback_query_id", "url", "inline_message_id",
     "language_code", "secret_token", "description", "short_description", "name", "query"}
)
SENDING_METHODS = frozenset({"sendmessage"})
# Telegram's limits. A text is measured as Telegram measures it: the visible text after
# entity parsing (tags gone, `&amp;` one character), trimmed, counted in Unicode
# characters (code points) — the Bot API documents "1-4096 characters after entities
# parsing", TDLib counts code points, and a text of 4,096 emoji (8,192 UTF-16 code
# units) is accepted. Entity offsets, unlike the limit, count UTF-16 code units.
MAX_TEXT = 4096
MAX_BUTTONS = 100  # inline buttons on one message, all rows together
MAX_CALLBACK_DATA = 64  # bytes
TOO_LONG = "Bad Request: message is too long"
MARKUP_TOO_LONG = "Bad Request: reply markup is too long"


class ApiError(Exception):
    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code, self.description, self.retry_after = code, description, retry_after

    def body(self) -> JSON:
        body: JSON = {"ok": False, "error_code": self.code, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def bad_request(reason: str) -> ApiError:
    return ApiError(400, f"Bad Request: {reason}")


@dataclass(frozen=True)
class Call:
    """One request the fake answered (or refused: `status` is the HTTP status)."""

    method: str  # as Telegram documents it, e.g. "sendMessage"
    params: JSON
    token: str
    status: int
    at: float
    content_type: str = ""  # of the request's body: JSON, a form, multipart (or none)


@dataclass
class _Fault:
    code: int | None  # None: close the connection without an answer
    description: str
    retry_after: int | None
    times: int


@dataclass
class _State:
    updates: deque[JSON] = field(default_factory=deque)
    messages: dict[tuple[int, int], JSON] = field(default_factory=dict)
    last_message_id: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    chats: dict[int, JSON] = field(default_factory=dict)
    users: dict[int, JSON] = field(default_factory=dict)
    blocked: set[int] = field(default_factory=set)
    queries: dict[str, JSON] = field(default_factory=dict)
    answers: dict[str, JSON] = field(default_factory=dict)
    inline_queries: dict[str, JSON] = field(default_factory=dict)
    inline_answers: dict[str, JSON] = field(default_factory=dict)
    commands: dict[str, list[JSON]] = field(default_factory=dict)
    faults: dict[str, deque[_Fault]] = field(default_factory=lambda: defaultdict(deque))
    calls: list[Call] = field(default_factory=list)
    sent_at: deque[float] = field(default_factory=deque)
    chat_sent_at: dict[int, deque[float]] = field(default_factory=lambda: defaultdict(deque))
    webhook_url: str = ""
    webhook_secret: str = ""
    allowed_updates: list[str] = field(default_factory=list)
    poll_generation: int = 0
    waiting_polls: int = 0


class FakeBotApi:
    def __init__(
        self,
        token: str | None = None,
        *,
        rate_limit: int | None = None,
        bot_username: str = "trainery_test_bot",
        chat_rate_limit: int | None = None,
        latency: Latency = 0.0,
    ) -> None:
        """`token`: when set, other tokens get 401 Unauthorized like Telegram.
        `rate_limit`: messages per second over all chats; beyond it, 429.
        `chat_rate_limit`: messages per second to one chat; beyond it, 429.
        `latency`: the round trip of every call in seconds, fixed or a (low, high)
        range drawn from uniformly; half passes before Telegram handles the call (when
        it counts against the limits), half before the answer reaches the bot."""
        self.token = token
        self.latency = latency
        self.rate_limit = rate_limit
        self.chat_rate_limit = chat_rate_limit
        self.bot_username = bot_username
        self._state = _State()
        self._changed = threading.Condition(threading.RLock())
        self._update_ids = itertools.count(1)
        self._query_ids = itertools.count(1)
        self._closing = False
        self._proxy_credentials: set[tuple[str, str]] = set()
        self._seen_token = ""  # the bot's id in getMe is the token's number, as in Telegram
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._methods: dict[str, Callable[[JSON], Any]] = {
            name.removeprefix("_api_").lower(): getattr(self, name)
            for name in dir(self)
            if name.startswith("_api_")
        }

    def round_trip(self) -> float:
        """One call's round trip in seconds, as `latency` says (see __init__)."""
        if isinstance(self.latency, tuple):
            low, high = self.latency
            return random.uniform(low, high)
        return float(self.latency)

    # -- lifecycle -----------------------------------------------------------

    def start(self) -> FakeBotApi:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True  # long polls must not hold up stop()
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, name="fake-bot-api"
        )
        self._thread.daemon = True
        self._thread.start()
        return self

    def stop(self) -> None:
        with self._changed:
            self._closing = True
            self._changed.notify_all()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeBotApi:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        assert self._server is not None, "start() the fake first"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def base_url(self) -> str:
        """For `telegram.Bot(base_url=...)` and TRAINERY_BOT_API_URL."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self.url}/file/bot"

    # -- what the user does ----------------------------------------------------

    def user_message(self, user_id: int, text: str, **user: Any) -> JSON:
        """An update carrying a private message from `user_id`, not queued (for
        `Update.de_json` + `Application.process_update`). `user`: first_name,
        last_name, username, language_code."""
        with self._changed:
            sender = self._user(user_id, **user)
            chat = self._private_chat(sender)
            message = {
                "message_id": self._next_message_id(chat["id"]),
                "from": sender,
                "chat": chat,
                "date": int(time.time()),
                "text": text,
            }
            if entities := command_entities(text):
                message["entities"] = entities
            self._state.messages[(chat["id"], message["message_id"])] = message
            return {"update_id": next(self._update_ids), "message": message}

    def push_message(self, user_id: int, text: str, **user: Any) -> JSON:
        """Like `user_message`, and queued for getUpdates."""
        return self.push_update(self.user_message(user_id, text, **user))

    def user_callback(self, user_id: int, message_id: int, data: str, *, strict: bool = True) -> JSON:
        """An update for a press on a button of the bot's message `message_id` in the
        user's private chat. `strict`: the data must be on one of the message's current
        buttons, as a Telegram client only sends those; False forges a press."""
        with self._changed:
            message = self._state.messages.get((user_id, message_id))
            if message is None or not message["from"].get("is_bot"):
                raise ValueError(f"no bot message {message_id} in chat {user_id}")
            if strict and data not in _callback_data(message.get("reply_markup")):
                raise ValueError(f"message {message_id} has no button with data {data!r}")
            query_id = str(next(self._query_ids))
            query = {
                "id": query_id,
                "from": self._user(user_id),
                "message": dict(message),
                "chat_instance": f"-{user_id}",
                "data": data,
            }
            self._state.queries[query_id] = query
            return {"update_id": next(self._update_ids), "callback_query": query}

    def user_inline_query(self, user_id: int, query: str) -> JSON:
        """An update for `@bot <query>` typed by `user_id` (inline mode)."""
        with self._changed:
            query_id = str(next(self._query_ids))
            inline = {"id": query_id, "from": self._user(user_id), "query": query, "offset": ""}
            self._state.inline_queries[query_id] = inline
            return {"update_id": next(self._update_ids), "inline_query": inline}

    def inline_answer(self, inline_query_id: str) -> JSON | None:
        """The answerInlineQuery parameters for that query, or None while unanswered."""
        with self._changed:
            return self._state.inline_answers.get(inline_query_id)

    def push_callback(self, user_id: int, message_id: int, data: str, *, strict: bool = True) -> JSON:
        return self.push_update(self.user_callback(user_id, message_id, data, strict=strict))

    def push_update(self, update: JSON) -> JSON:
        with self._changed:
            allowed = self._state.allowed_updates
            # Telegram does not even keep the kinds of update a bot did not ask for.
            if not allowed or set(update) - {"update_id"} <= set(allowed):
                self._state.updates.append(update)
                self._changed.notify_all()
        return update

    def add_chat(self, user_id: int, **user: Any) -> None:
        """Makes a private chat known without a message (Telegram only lets bots write
        to people who started them)."""
        with self._changed:
            self._private_chat(self._user(user_id, **user))

    # -- faults ----------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        code: int = 429,
        *,
        description: str | None = None,
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        """The next `times` calls of `method` fail with `code` (429 defaults to retry_after=1)."""
        if code == 429 and retry_after is None:
            retry_after = 1
        text = description or _default_description(code, retry_after)
        with self._changed:
            self._state.faults[method.lower()].append(_Fault(code, text, retry_after, times))

    def disconnect_next(self, method: str, *, times: int = 1) -> None:
        """The next `times` calls of `method` get the connection closed, no answer
        (PTB raises NetworkError)."""
        with self._changed:
            self._state.faults[method.lower()].append(_Fault(None, "", None, times))

    def block_chat(self, chat_id: int) -> None:
        """The user blocked the bot: sendMessage to them gets 403."""
        with self._changed:
            self._state.blocked.add(chat_id)

    def unblock_chat(self, chat_id: int) -> None:
        with self._changed:
            self._state.blocked.discard(chat_id)

    # -- what the test sees ------------------------------------------------------

    def webhook(self) -> tuple[str, str]:
        """The webhook as setWebhook left it: (url, secret_token); ("", "") after deleteWebhook."""
        with self._changed:
            return self._state.webhook_url, self._state.webhook_secret

    def calls(self, method: str | None = None) -> list[Call]:
        """Answered calls, oldest answer first (a long poll counts when it returns)."""
        with self._changed:
            return [c for c in self._state.calls if method is None or c.method.lower() == method.lower()]

    def sent_messages(self, chat_id: int | None = None) -> list[JSON]:
        """The bot's messages as they are now (edits applied, deleted ones gone),
        ordered by chat, then oldest first."""
        with self._changed:
            return [
                json.loads(json.dumps(message))
                for (chat, _), message in sorted(self._state.messages.items())
                if message["from"].get("is_bot") and (chat_id is None or chat == chat_id)
            ]

    def message(self, chat_id: int, message_id: int) -> JSON | None:
        with self._changed:
            message = self._state.messages.get((chat_id, message_id))
            return json.loads(json.dumps(message)) if message else None

    def answer_of(self, callback_query_id: str) -> JSON | None:
        """The answerCallbackQuery parameters for that query, or None while unanswered."""
        with self._changed:
            return self._state.answers.get(callback_query_id)

    def commands(self, scope: JSON | None = None, language_code: str = "") -> list[JSON]:
        with self._changed:
            return list(self._state.commands.get(_scope_key(scope, language_code), []))

    def pending_updates(self) -> int:
        """Updates not yet confirmed by a getUpdates offset."""
        with self._changed:
            return len(self._state.updates)

    def waiting_polls(self) -> int:
        """getUpdates calls now waiting for an update: 1 once a bot is polling."""
        with self._changed:
            return self._state.waiting_polls

    def wait_until(self, check: Callable[[], T], timeout: float = 5.0, what: str = "condition") -> T:
        """Blocks until `check()` is truthy and returns it. Re-checked on every change of
        the fake and every 0.1 s, so it may also watch other things (a process exiting)."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while not (result := check()):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"fake Bot API: no {what} within {timeout}s")
                self._changed.wait(min(remaining, 0.1))
            return result

    def wait_for_message(
        self,
        chat_id: int,
        predicate: Callable[[JSON], bool] | None = None,
        timeout: float = 5.0,
        *,
        after: int = 0,
    ) -> JSON:
        """The first bot message in `chat_id` with message_id > `after` that satisfies
        `predicate`. Blocks this thread: from async tests use `wait_for_message_async`."""

        def found() -> JSON | None:
            for message in self.sent_messages(chat_id):
                if message["message_id"] > after and (predicate is None or predicate(message)):
                    return message
            return None

        try:
            return self.wait_until(found, timeout, f"message in chat {chat_id}")
        except TimeoutError as error:
            texts = [m.get("text") for m in self.sent_messages(chat_id)]
            raise TimeoutError(f"{error}; the bot sent there: {texts!r}") from None

    async def wait_for_message_async(
        self,
        chat_id: int,
        predicate: Callable[[JSON], bool] | None = None,
        timeout: float = 5.0,
        *,
        after: int = 0,
    ) -> JSON:
        """`wait_for_message` without blocking the event loop the bot runs on."""
        return await asyncio.to_thread(self.wait_for_message, chat_id, predicate, timeout, after=after)

    # -- request handling (server threads) -------------------------------------------

    def proxy_credentials(self) -> list[tuple[str, str]]:
        """(user, password) of every distinct Proxy-Authorization the fake was sent:
        standing in for a proxy (absolute request URLs work), it shows what a bot behind
        one would send it."""
        with self._changed:
            return sorted(self._proxy_credentials)

    def _note_proxy_credentials(self, header: str | None) -> None:
        if header and header.startswith("Basic "):
            user, _, password = base64.b64decode(header.removeprefix("Basic ")).decode().partition(":")
            with self._changed:
                self._proxy_credentials.add((user, password))

    def handle(self, token: str, method: str, params: JSON, content_type: str = "") -> tuple[int, JSON | None]:
        """The HTTP status and body for one call; body None: drop the connection."""
        implementation = self._methods.get(method.lower())
        self._seen_token = token
        try:
            if self.token is not None and token != self.token:
                raise ApiError(401, "Unauthorized")
            if implementation is None:
                raise ApiError(404, "Not Found")
            self._inject_fault(method)
            result = implementation(params)
            status, body = 200, {"ok": True, "result": result}
        except _Disconnect:
            status, body = 0, None
        except ApiError as error:
            status, body = error.code, error.body()
        except (KeyError, TypeError, ValueError) as error:  # parameters of the wrong shape
            status, body = 400, bad_request(f"invalid parameters: {error}").body()
        with self._changed:
            name = implementation.__name__.removeprefix("_api_") if implementation else method
            kind = content_type.split(";")[0].strip().lower()
            self._state.calls.append(Call(name, params, token, status, time.time(), kind))
            self._changed.notify_all()
        return status, body

    def _inject_fault(self, method: str) -> None:
        with self._changed:
            queue = self._state.faults.get(method.lower())
            if not queue:
                return
            fault = queue[0]
            fault.times -= 1
            if fault.times <= 0:
                queue.popleft()
        if fault.code is None:
            raise _Disconnect
        raise ApiError(fault.code, fault.description, fault.retry_after)

    # -- Bot API methods -----------------------------------------------------------------

    def _api_getMe(self, params: JSON) -> JSON:
        return self._bot_user() | {
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": True,  # the studio turns inline mode on with @BotFather
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _api_setWebhook(self, params: JSON) -> bool:
        with self._changed:
            self._state.webhook_url = str(params.get("url", ""))
            self._state.webhook_secret = str(params.get("secret_token", ""))
            if params.get("drop_pending_updates"):
                self._state.updates.clear()
        return True

    def _api_deleteWebhook(self, params: JSON) -> bool:
        with self._changed:
            self._state.webhook_url = ""
            self._state.webhook_secret = ""
            if params.get("drop_pending_updates"):
                self._state.updates.clear()
        return True

    def _api_getWebhookInfo(self, params: JSON) -> JSON:
        with self._changed:
            return {"url": self._state.webhook_url, "has_custom_certificate": False,
                    "pending_update_count": len(self._state.updates)}

    def _api_getUpdates(self, params: JSON) -> list[JSON]:
        offset, limit = int(params.get("offset", 0)), int(params.get("limit", 100))
        deadline = time.monotonic() + float(params.get("timeout", 0))
        with self._changed:
            if self._state.webhook_url:
                raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active; "
                               "use deleteWebhook to delete the webhook first")
            if "allowed_updates" in params:
                self._state.allowed_updates = list(params["allowed_updates"] or [])
            self._state.poll_generation += 1
            generation = self._state.poll_generation
            self._changed.notify_all()  # a poll already waiting ends with 409
            self._confirm(offset)
            self._state.waiting_polls += 1
            self._changed.notify_all()
            try:
                self._long_poll(generation, deadline)
            finally:
                self._state.waiting_polls -= 1
            return [json.loads(json.dumps(u)) for u in list(self._state.updates)[: max(1, min(limit, 100))]]

    def _long_poll(self, generation: int, deadline: float) -> None:
        while not self._state.updates and not self._closing:
            if self._state.poll_generation != generation:
                raise ApiError(409, CONFLICT)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            self._changed.wait(remaining)

    def _confirm(self, offset: int) -> None:
        updates = self._state.updates
        if offset < 0:
            while len(updates) > -offset:
                updates.popleft()
        while updates and updates[0]["update_id"] < offset:
            updates.popleft()

    def _api_setMyCommands(self, params: JSON) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise bad_request("BOT_COMMANDS_TOO_MUCH" if isinstance(commands, list) else "commands required")
        for command in commands:
            if not re.fullmatch(r"[a-z0-9_]{1,32}", str(command.get("command", ""))):
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        with self._changed:
            key = _scope_key(params.get("scope"), params.get("language_code", ""))
            self._state.commands[key] = [dict(c) for c in commands]
        return True

    def _api_getMyCommands(self, params: JSON) -> list[JSON]:
        return self.commands(params.get("scope"), params.get("language_code", ""))

    def _api_deleteMyCommands(self, params: JSON) -> bool:
        with self._changed:
            self._state.commands.pop(_scope_key(params.get("scope"), params.get("language_code", "")), None)
        return True

    def _api_sendChatAction(self, params: JSON) -> bool:
        self._chat(params.get("chat_id"))
        return True

    def _api_sendMessage(self, params: JSON) -> JSON:
        text, entities = _formatted(params)
        markup = _inline_markup(params.get("reply_markup"))
        with self._changed:
            chat = self._chat(params.get("chat_id"))
            if chat["id"] in self._state.blocked:
                raise ApiError(403, BLOCKED)
            self._throttle(chat["id"])
            message: JSON = {
                "message_id": self._next_message_id(chat["id"]),
                "from": self._bot_user(),
                "chat": chat,
                "date": int(time.time()),
                "text": text,
            }
            if entities:
                message["entities"] = entities
            if markup:
                message["reply_markup"] = markup
            if replied := self._replied(chat["id"], params.get("reply_parameters")):
                message["reply_to_message"] = replied
            self._state.messages[(chat["id"], message["message_id"])] = message
            return message

    def _api_editMessageText(self, params: JSON) -> JSON:
        text, entities = _formatted(params)
        # Like Telegram: an edit without reply_markup removes the inline keyboard.
        markup = _inline_markup(params.get("reply_markup"))
        return self._edit(params, text=text, entities=entities, reply_markup=markup)

    def _api_editMessageReplyMarkup(self, params: JSON) -> JSON:
        return self._edit(params, reply_markup=_inline_markup(params.get("reply_markup")))

    def _api_deleteMessage(self, params: JSON) -> bool:
        with self._changed:
            key = (self._chat(params.get("chat_id"))["id"], int(params.get("message_id", 0)))
            if key not in self._state.messages:
                raise bad_request("message to delete not found")
            del self._state.messages[key]
        return True

    def _api_answerCallbackQuery(self, params: JSON) -> bool:
        query_id = str(params.get("callback_query_id", ""))
        if len(str(params.get("text", ""))) > 200:
            raise bad_request("MESSAGE_TOO_LONG")
        with self._changed:
            if query_id not in self._state.queries or query_id in self._state.answers:
                raise ApiError(400, QUERY_INVALID)
            self._state.answers[query_id] = dict(params)
        return True

    def _api_answerInlineQuery(self, params: JSON) -> bool:
        query_id = str(params.get("inline_query_id", ""))
        results = params.get("results")
        if isinstance(results, str):
            results = json.loads(results)
        if not isinstance(results, list) or len(results) > 50:
            raise bad_request("RESULTS_TOO_MUCH" if isinstance(results, list) else "results must be an array")
        if len({r.get("id") for r in results}) != len(results):
            raise bad_request("RESULT_ID_DUPLICATE")
        with self._changed:
            if query_id not in self._state.inline_queries or query_id in self._state.inline_answers:
                raise ApiError(400, QUERY_INVALID)
            self._state.inline_answers[query_id] = {**params, "results": results}
        return True

    # -- helpers (called with the lock held) ----------------------------------------------------

    def _edit(self, params: JSON, **changes: Any) -> JSON:
        if "inline_message_id" in params:
            raise bad_request("inline messages are not supported by the fake")
        with self._changed:
            chat = self._chat(params.get("chat_id"))
            message = self._state.messages.get((chat["id"], int(params.get("message_id", 0))))
            if message is None:
                raise bad_request("message to edit not found")
            if not message["from"].get("is_bot"):
                raise bad_request("message can't be edited")
            updated = {k: v for k, v in message.items() if k not in changes} | {
                k: v for k, v in changes.items() if v
            }
            if _content(updated) == _content(message):
                raise ApiError(400, NOT_MODIFIED)
            updated["edit_date"] = int(time.time())
            self._state.messages[(chat["id"], message["message_id"])] = updated
            return updated

    def _throttle(self, chat_id: int) -> None:
        now = time.monotonic()
        windows = [(self._state.sent_at, self.rate_limit)]
        if self.chat_rate_limit:
            windows.append((self._state.chat_sent_at[chat_id], self.chat_rate_limit))
        for window, limit in windows:
            if not limit:
                continue
            while window and now - window[0] >= 1.0:
                window.popleft()
            if len(window) >= limit:
                wait = max(1, round(1.0 - (now - window[0]) + 0.499))
                raise ApiError(429, f"Too Many Requests: retry after {wait}", retry_after=wait)
        for window, limit in windows:
            if limit:
                window.append(now)

    def _chat(self, chat_id: Any) -> JSON:
        if isinstance(chat_id, str) and re.fullmatch(r"-?\d+", chat_id):
            chat_id = int(chat_id)
        chat = self._state.chats.get(chat_id) if isinstance(chat_id, int) else None
        if chat is None:
            raise bad_request("chat not found")
        return chat

    def _replied(self, chat_id: int, reply: Any) -> JSON | None:
        if not isinstance(reply, dict) or "message_id" not in reply:
            return None
        replied = self._state.messages.get((chat_id, int(reply["message_id"])))
        if replied is None and not reply.get("allow_sending_without_reply"):
            raise bad_request("message to be replied not found")
        return {k: v for k, v in replied.items() if k != "reply_to_message"} if replied else None

    def _user(self, user_id: int, **details: Any) -> JSON:
        user = self._state.users.setdefault(
            user_id, {"id": user_id, "is_bot": False, "first_name": f"User{user_id}", "language_code": "en"}
        )
        user.update({k: v for k, v in details.items() if v is not None})
        return dict(user)

    def _private_chat(self, user: JSON) -> JSON:
        chat = {"id": user["id"], "type": "private", "first_name": user["first_name"]}
        for optional in ("last_name", "username"):
            if optional in user:
                chat[optional] = user[optional]
        self._state.chats[user["id"]] = chat
        return dict(chat)

    def _next_message_id(self, chat_id: int) -> int:
        self._state.last_message_id[chat_id] += 1
        return self._state.last_message_id[chat_id]

    def _bot_user(self) -> JSON:
        prefix = (self.token or self._seen_token).split(":")[0]
        bot_id = int(prefix) if prefix.isdigit() else 1
        return {"id": bot_id, "is_bot": True, "first_name": "Trainery Test", "username": self.bot_username}


class _Disconnect(Exception):
    """A fault: close the connection without answering."""


def _default_description(code: int, retry_after: int | None) -> str:
    return {
        400: "Bad Request",
        401: "Unauthorized",
        403: BLOCKED,
        404: "Not Found",
        409: CONFLICT,
        429: f"Too Many Requests: retry after {retry_after}",
        500: "Internal Server Error",
        502: "Bad Gateway",
    }.get(code, "Error")


def _scope_key(scope: Any, language_code: Any) -> str:
    return json.dumps(scope or {"type": "default"}, sort_keys=True) + "|" + str(language_code or "")


def _content(message: JSON) -> tuple[Any, ...]:
    return message.get("text"), message.get("entities"), message.get("reply_markup")


def _callback_data(markup: JSON | None) -> set[str]:
    rows = (markup or {}).get("inline_keyboard", [])
    return {button["callback_data"] for row in rows for button in row if "callback_data" in button}


def _inline_markup(markup: Any) -> JSON | None:
    """Only inline keyboards appear on a Message; validated like Telegram does."""
    if not isinstance(markup, dict) or "inline_keyboard" not in markup:
        return None
    if sum(len(row) for row in markup["inline_keyboard"]) > MAX_BUTTONS:
        raise ApiError(400, MARKUP_TOO_LONG)
    for row in markup["inline_keyboard"]:
        for button in row:
            if not button.get("text"):
                raise bad_request("can't parse inline keyboard button: button text is empty")
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode()) <= MAX_CALLBACK_DATA:
                raise bad_request("BUTTON_DATA_INVALID")
    return markup


def _formatted(params: JSON) -> tuple[str, list[JSON]]:
    """The text Telegram stores, and its entities (parse mode applied, text trimmed)."""
    raw = params.get("text")
    if not isinstance(raw, str):
        raw = "" if raw is None else str(raw)
    mode = str(params.get("parse_mode") or "").lower()
    if mode == "html":
        text, entities = parse_html(raw)
    elif mode:
        raise bad_request(f"parse_mode {params['parse_mode']!r} is not supported by the fake (HTML only)")
    else:
        text, entities = raw, list(params.get("entities") or [])
    text, entities = _trim(text, entities)
    if not text:
        raise bad_request("message text is empty")
    if len(text) > MAX_TEXT:
        raise ApiError(400, TOO_LONG)
    entities += [e for e in command_entities(text) if not _overlaps(e, entities)]
    return text, sorted(entities, key=lambda e: (e["offset"], -e["length"]))


def _trim(text: str, entities: list[JSON]) -> tuple[str, list[JSON]]:
    stripped = text.strip()
    if stripped == text:
        return text, entities
    shift = utf16_len(text[: len(text) - len(text.lstrip())])
    end = utf16_len(stripped)
    kept = []
    for entity in entities:
        start, stop = max(entity["offset"] - shift, 0), min(entity["offset"] + entity["length"] - shift, end)
        if stop > start:
            kept.append(entity | {"offset": start, "length": stop - start})
    return stripped, kept


def _overlaps(entity: JSON, others: list[JSON]) -> bool:
    start, stop = entity["offset"], entity["offset"] + entity["length"]
    return any(o["offset"] < stop and start < o["offset"] + o["length"] for o in others
               if o["type"] in ("code", "pre", "text_link"))


def utf16_len(text: str) -> int:
    """Telegram counts offsets and lengths in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


_COMMAND = re.compile(r"(?<![\w/])/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?(?![\w/])")


def command_entities(text: str) -> list[JSON]:
    """The bot_command entities Telegram attaches to "/command" words."""
    return [
        {"type": "bot_command", "offset": utf16_len(text[: m.start()]), "length": utf16_len(m.group())}
        for m in _COMMAND.finditer(text)
    ]


# -- HTML parse mode ---------------------------------------------------------------------

_TAG = re.compile(r"<(/?)([a-zA-Z][\w-]*)((?:\s+[\w-]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>\"']+))?)*)\s*>")
_ATTR = re.compile(r"([\w-]+)(?:\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s>\"']+))?")
_CHAR_REF = re.compile(r"&(#\d+|#[xX][0-9a-fA-F]+|lt|gt|amp|quot);")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_TAG_TYPES = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline",
    "ins": "underline", "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough",
    "tg-spoiler": "spoiler", "span": "spoiler", "code": "code", "pre": "pre", "a": "text_link",
    "blockquote": "blockquote", "tg-emoji": "custom_emoji",
}


def _parse_error(reason: str) -> ApiError:
    return bad_request(f"can't parse entities: {reason}")


def parse_html(source: str) -> tuple[str, list[JSON]]:
    """Telegram's HTML parse mode: the plain text and its entities, or 400."""
    out: list[str] = []
    entities: list[JSON] = []
    stack: list[tuple[str, int, dict[str, str]]] = []
    position = 0
    i = 0
    while i < len(source):
        char = source[i]
        if char == "<":
            match = _TAG.match(source, i)
            byte_offset = len(source[:i].encode())
            if match is None:
                raise _parse_error(f'Unsupported start tag "" at byte offset {byte_offset}')
            closing, name = match.group(1) == "/", match.group(2).lower()
            if name not in _TAG_TYPES:
                kind = "end" if closing else "start"
                raise _parse_error(f'Unsupported {kind} tag "{name}" at byte offset {byte_offset}')
            if closing:
                if not stack or stack[-1][0] != name:
                    expected = f'"</{stack[-1][0]}>"' if stack else "no end tag"
                    raise _parse_error(
                        f'Unmatched end tag at byte offset {byte_offset}, expected {expected}, found "</{name}>"'
                    )
                opened, start, attrs = stack.pop()
                if entity := _entity(opened, start, position - start, attrs, stack):
                    entities.append(entity)
            else:
                attrs = {k.lower(): (v or "").strip("\"'") for k, v in _ATTR.findall(match.group(3))}
                if name == "span" and attrs.get("class") != "tg-spoiler":
                    raise _parse_error(f'Unsupported start tag "span" at byte offset {byte_offset}')
                stack.append((name, position, attrs))
            i = match.end()
            continue
        if char == "&" and (ref := _CHAR_REF.match(source, i)):
            text = _decode(ref.group(1))
            i = ref.end()
        else:
            text = char
            i += 1
        out.append(text)
        position += utf16_len(text)
    if stack:
        raise _parse_error(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    return "".join(out), entities


def _decode(reference: str) -> str:
    if reference.startswith("#"):
        number = reference[1:]
        return chr(int(number[1:], 16) if number[:1] in "xX" else int(number))
    return _NAMED[reference]


def _entity(
    tag: str, offset: int, length: int, attrs: dict[str, str], parents: list[tuple[str, int, dict[str, str]]]
) -> JSON | None:
    if length == 0:
        return None  # Telegram drops empty entities
    entity: JSON = {"type": _TAG_TYPES[tag], "offset": offset, "length": length}
    if tag == "a":
        if not attrs.get("href"):
            return None
        entity["url"] = attrs["href"]
    if tag == "blockquote" and "expandable" in attrs:
        entity["type"] = "expandable_blockquote"
    if tag == "tg-emoji":
        entity["custom_emoji_id"] = attrs.get("emoji-id", "")
    if tag == "code" and parents and parents[-1][0] == "pre":
        language = attrs.get("class", "").removeprefix("language-")
        if language:
            parents[-1][2]["language"] = language  # becomes the enclosing pre's language
        return None
    if tag == "pre" and attrs.get("language"):
        entity["language"] = attrs["language"]
    return entity


# -- HTTP --------------------------------------------------------------------------------

_PATH = re.compile(r"^/bot([^/]+)/([A-Za-z]+)/?$")


def _handler_for(fake: FakeBotApi) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as httpx expects
        # Headers and body go out in two writes; with Nagle's algorithm the body waits
        # for the client's delayed ACK (40 ms), which capped the fake at ~22 answers a
        # second on one connection — slower than the Telegram it stands in for.
        disable_nagle_algorithm = True

        def do_GET(self) -> None:
            self._answer()

        def do_POST(self) -> None:
            self._answer()

        def _answer(self) -> None:
            fake._note_proxy_credentials(self.headers.get("Proxy-Authorization"))
            url = urlsplit(self.path)
            params = dict(parse_qsl(url.query))
            params = {k: _decode_form_value(k, v) for k, v in params.items()}
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            match = _PATH.match(url.path)
            if match is None:
                return self._send(404, ApiError(404, "Not Found").body())
            try:
                params |= _parse_body(self.headers.get("Content-Type", ""), body)
            except ValueError as error:
                return self._send(400, bad_request(f"can't parse request body: {error}").body())
            half_trip = fake.round_trip() / 2
            if half_trip > 0:  # each request has a thread of its own: delays overlap, as on a network
                time.sleep(half_trip)
            status, answer = fake.handle(match.group(1), match.group(2), params, self.headers.get("Content-Type", ""))
            if half_trip > 0:
                time.sleep(half_trip)
            if answer is None:
                self.close_connection = True
                self.connection.close()
                return
            self._send(status, answer)

        def _send(self, status: int, body: JSON) -> None:
            payload = json.dumps(body).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except OSError:
                pass  # the client gave up (a cancelled long poll); so does Telegram

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib's name
            pass  # request lines carry the token; tests read `fake.calls()` instead

    return Handler


def _parse_body(content_type: str, body: bytes) -> JSON:
    if not body:
        return {}
    kind = content_type.split(";")[0].strip().lower()
    if kind == "application/json":
        value = json.loads(body)
        if not isinstance(value, dict):
            raise ValueError("JSON body must be an object")
        return value
    if kind == "application/x-www-form-urlencoded":
        return {k: _decode_form_value(k, v) for k, v in parse_qsl(body.decode(), keep_blank_values=True)}
    if kind == "multipart/form-data":
        return _parse_multipart(content_type, body)
    raise ValueError(f"unsupported Content-Type {content_type!r}")


def _parse_multipart(content_type: str, body: bytes) -> JSON:
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    params: JSON = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        content = part.get_payload(decode=True) or b""
        if part.get_filename() is not None:
            params[str(name)] = {"filename": part.get_filename(), "content": content}
        else:
            params[str(name)] = _decode_form_value(str(name), content.decode())
    return params


def _decode_form_value(name: str, value: str) -> Any:
    if name in STRING_FIELDS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value
