"""Inline mode (SPEC §4): where a command needs a name, an admin types
`@bot member an`, `@bot trainer to`, `@bot space stu` (or just `@bot an`) and picks
from the matching names; the chosen name is sent into the chat to copy into the line.
Inline mode must be switched on for the bot with @BotFather (/setinline)."""

from __future__ import annotations

from telegram import InlineQueryResultArticle, InputTextMessageContent, Update

from bot.actor import acting_person
from bot.context import TraineryContext
from bot.i18n import pgettext
from domain.setup.people import names_matching

KINDS = ("member", "trainer", "space")  # the words typed first, in English like the commands
CACHE_SECONDS = 5  # names change when an admin adds someone; keep Telegram's cache short


def split_query(query: str) -> tuple[tuple[str, ...], str]:
    first, _, rest = query.strip().partition(" ")
    kind = first.lower().removesuffix("s")
    if kind in KINDS:
        return (kind,), rest
    return KINDS, query


async def inline_names(update: Update, context: TraineryContext) -> None:
    query = update.inline_query
    if query is None:
        return
    actor = await acting_person(update, context)
    if actor is None or not actor.is_admin:
        await query.answer([], cache_time=CACHE_SECONDS, is_personal=True)  # names are for admins
        return
    kinds, text = split_query(query.query)
    hits = await names_matching(context.studio, actor.id, kinds, text)
    results = [
        InlineQueryResultArticle(
            id=f"{kind}:{index}",
            title=name,
            description=kind_label(kind),
            input_message_content=InputTextMessageContent(name, parse_mode=None),
        )
        for index, (kind, name) in enumerate(hits)
    ]
    await query.answer(results, cache_time=CACHE_SECONDS, is_personal=True)


def kind_label(kind: str) -> str:
    """What a name is, under it, in the admin's language (a label: the word alone)."""
    labels = {
        "member": pgettext("inline kind", "member"),
        "trainer": pgettext("inline kind", "trainer"),
        "space": pgettext("inline kind", "space"),
    }
    return labels[kind]
