"""`/undelivered [page]` (SPEC §4): admins and owners see the notifications that could
not be delivered — failed for good, or still being retried — and why, newest first."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from telegram import Update

from bot.context import TraineryContext
from bot.i18n import _
from bot.identity import roles_of
from bot.notify.texts import HEADINGS, moment
from bot.render import clip, escape, full_moment, pages_for, plural
from domain.delivery import Undelivered
from domain.roles import Role

PAGE_SIZE = 10
SHORT = 40  # characters of a name or title shown: a full page stays under Telegram's 4,096
ONLY_ADMINS = "Only admins and owners can see undelivered notifications."
ALL_DELIVERED = "Every notification has been delivered."
USAGE = "Usage: /undelivered [page], e.g. <code>/undelivered</code> or <code>/undelivered 2</code>"


async def undelivered(update: Update, context: TraineryContext) -> None:
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    roles = await roles_of(update, context)
    if not roles & {Role.ADMIN, Role.OWNER}:
        await message.reply_text(ONLY_ADMINS)
        return
    page = _page(context.args or [])
    if page is None:
        await message.reply_text(USAGE)
        return
    store = context.services.queue("/undelivered")
    items, total = await store.undelivered(PAGE_SIZE, (page - 1) * PAGE_SIZE)
    await message.reply_text(listing(items, total, page, context.settings.zone))


def _page(args: list[str]) -> int | None:
    if not args:
        return 1
    if len(args) == 1 and args[0].isascii() and args[0].isdigit() and int(args[0]) >= 1:
        return int(args[0])
    return None


def listing(items: list[Undelivered], total: int, page: int, zone: ZoneInfo) -> str:
    if total == 0:
        return ALL_DELIVERED
    pages = pages_for(total, PAGE_SIZE)
    head = f"<b>Undelivered notifications</b>: {total}, newest first"
    if pages > 1:
        head += f" — page {page} of {pages}"
    if not items:
        return f"{head}\n\nThere is no page {page}; the last one is {pages}."
    lines = [head, ""] + [_entry(item, zone) for item in items]
    if page < pages:
        lines.append(f"Older ones: /undelivered {page + 1}")
    return "\n".join(lines)


def _entry(item: Undelivered, zone: ZoneInfo) -> str:
    title = escape(clip(str(item.payload.get("title", "?")), SHORT))
    when = item.payload.get("start")
    session = f"{title}, {moment(when, zone)}" if isinstance(when, str) else title
    if item.retrying:
        status = f"still retrying after {plural(item.attempts, 'attempt')}"
    else:
        status = "not delivered"
    reason = escape(clip(_(item.reason) if item.reason else "unknown", 3 * SHORT))  # domain/delivery.py
    return (
        f"• {full_moment(item.created_at, zone)} — <b>{escape(clip(item.member_name, SHORT))}</b>: "
        f"{HEADINGS[item.kind]} ({session})\n"
        f"  {status}: {reason}\n"
    )
