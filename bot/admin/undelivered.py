"""`/undelivered [page]` (SPEC §4): admins and owners see the notifications that could
not be delivered — failed for good, or still being retried — and why, newest first.

The reasons are the dispatcher's records, stored in English (they are the operator's
too, in the logs). The known ones are translated where shown: the fixed reasons whole,
the others by their fixed start; what Telegram said inside them stays as Telegram said it."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from telegram import Update

from bot.context import TraineryContext
from bot.i18n import N_, _, ngettext
from bot.identity import roles_of
from bot.notify.texts import HEADINGS, moment
from bot.render import clip, escape, full_moment, pages_for
from domain.delivery import Undelivered
from domain.roles import Role

PAGE_SIZE = 10
SHORT = 40  # characters of a name or title shown: a full page stays under Telegram's 4,096
ONLY_ADMINS = N_("Only admins and owners can see undelivered notifications.")
ALL_DELIVERED = N_("Every notification has been delivered.")
USAGE = N_("Usage: /undelivered [page], e.g. <code>/undelivered</code> or <code>/undelivered 2</code>")

# The dispatcher's reasons (domain/delivery.py, bot/notify/dispatcher.py), as it writes them.
FIXED_REASONS = frozenset(
    {
        N_("no linked chat"),
        N_("blocked the bot"),
        N_("chat not found"),
        N_("account deleted"),
        N_("unknown"),  # no reason recorded
    }
)
# A reason with a detail: the template's text before and after {detail} is fixed.
DETAILED_REASONS = (
    N_("refused by Telegram: {detail}"),
    N_("the chat moved to {detail}"),
    N_("network error: {detail}"),
    N_("Telegram error: {detail}"),
    N_("could not be written ({detail})"),
)


async def undelivered(update: Update, context: TraineryContext) -> None:
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    roles = await roles_of(update, context)
    if not roles & {Role.ADMIN, Role.OWNER}:
        await message.reply_text(_(ONLY_ADMINS))
        return
    page = _page(context.args or [])
    if page is None:
        await message.reply_text(_(USAGE))
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
        return _(ALL_DELIVERED)
    pages = pages_for(total, PAGE_SIZE)
    if pages > 1:
        head = _("<b>Undelivered notifications</b>: {total}, newest first — page {page} of {pages}").format(
            total=total, page=page, pages=pages
        )
    else:
        head = _("<b>Undelivered notifications</b>: {total}, newest first").format(total=total)
    if not items:
        return head + "\n\n" + _("There is no page {page}; the last one is {pages}.").format(page=page, pages=pages)
    lines = [head, ""] + [_entry(item, zone) for item in items]
    if page < pages:
        lines.append(_("Older ones: /undelivered {page}").format(page=page + 1))
    return "\n".join(lines)


def _entry(item: Undelivered, zone: ZoneInfo) -> str:
    title = escape(clip(str(item.payload.get("title", "?")), SHORT))
    when = item.payload.get("start")
    session = f"{title}, {moment(when, zone)}" if isinstance(when, str) else title
    if item.retrying:
        status = ngettext(
            "still retrying after {n} attempt: {reason}", "still retrying after {n} attempts: {reason}", item.attempts
        )
    else:
        status = _("not delivered: {reason}")
    reason = escape(clip(reason_text(item.reason or "unknown"), 3 * SHORT))
    return (
        f"• {full_moment(item.created_at, zone)} — <b>{escape(clip(item.member_name, SHORT))}</b>: "
        f"{_(HEADINGS[item.kind])} ({session})\n"
        f"  {status.format(n=item.attempts, reason=reason)}\n"
    )


def reason_text(reason: str) -> str:
    """A stored reason in the reader's language where it is one the dispatcher writes."""
    if reason in FIXED_REASONS:
        return _(reason)
    for template in DETAILED_REASONS:
        before, _brace, after = template.partition("{detail}")
        if reason.startswith(before) and reason.endswith(after) and len(reason) >= len(before) + len(after):
            detail = reason[len(before) : len(reason) - len(after)]
            return _(template).format(detail=detail)
    return reason
