"""One INFO line per handled update, for the operator (README "Backups and logs"):

    update 812 user 1004 chat 1004 command /book: ok in 35 ms
    update 813 user 1004 chat 1004 button C1: failed (OperationalError) in 30012 ms

Ids and the kind of update only: the command's name, the button's prefix, or "text" —
never what a person wrote, never a name (people's names are personal data, and a
message may hold anything). The bot token never appears here either way.

A handler in the first group notes the start; one in the last group writes the line;
the error handler (bot/app.py) marks the update failed in between. All three run in
the task that processes the update, so a context variable carries the note.
"""

from __future__ import annotations

import logging
import re
import time
from contextvars import ContextVar
from dataclasses import dataclass

from telegram import Update
from telegram.ext import TypeHandler

from bot.context import TraineryApplication, TraineryContext

log = logging.getLogger("trainery.updates")

FIRST_GROUP = -100  # before every feature's handlers
LAST_GROUP = 100  # after them
_COMMAND = re.compile(r"/([A-Za-z0-9_]{1,32})(?:@\w+)?(?:\s|$)")
_PREFIX = re.compile(r"([A-Za-z]{1,4}\d{0,3}):")  # `C1` of `C1:…`: what routes a button


@dataclass
class Handling:
    update_id: int
    started: float
    error: str | None = None


_current: ContextVar[Handling | None] = ContextVar("trainery_update", default=None)


def register(application: TraineryApplication) -> None:
    application.add_handler(TypeHandler(Update, _begin), group=FIRST_GROUP)
    application.add_handler(TypeHandler(Update, _end), group=LAST_GROUP)


def mark_failed(update: object, error: BaseException | None) -> None:
    """Called by the error handler: the line for this update says it failed, and why (the class only)."""
    handling = _current.get()
    if isinstance(update, Update) and handling is not None and handling.update_id == update.update_id:
        handling.error = type(error).__name__ if error is not None else "error"


async def _begin(update: Update, _context: TraineryContext) -> None:
    _current.set(Handling(update.update_id, time.monotonic()))


async def _end(update: Update, _context: TraineryContext) -> None:
    handling = _current.get()
    if handling is None or handling.update_id != update.update_id:
        return
    _current.set(None)
    milliseconds = (time.monotonic() - handling.started) * 1000
    outcome = "ok" if handling.error is None else f"failed ({handling.error})"
    log.info("%s: %s in %.0f ms", describe(update), outcome, milliseconds)


def describe(update: Update) -> str:
    user, chat = update.effective_user, update.effective_chat
    return f"update {update.update_id} user {user.id if user else '-'} chat {chat.id if chat else '-'} {kind(update)}"


def kind(update: Update) -> str:
    """What the update is, without its words: a command's name, a button's prefix, "text"."""
    if update.callback_query is not None:
        prefix = _PREFIX.match(update.callback_query.data or "")
        return f"button {prefix.group(1)}" if prefix else "button ?"
    message = update.message or update.edited_message
    if message is None:
        return "other"
    edited = "edited " if update.edited_message is not None else ""
    if message.text is None:
        return f"{edited}message without text"
    command = _COMMAND.match(message.text)
    return f"{edited}command /{command.group(1)}" if command else f"{edited}text"
