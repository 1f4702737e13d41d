"""/start and /help (SPEC §6.1): who this person is and what they may do."""

from __future__ import annotations

from telegram import Update

from bot import language, texts
from bot.context import TraineryContext
from bot.i18n import _, error_text
from bot.identity import roles_of
from bot.menus import refresh_menu
from bot.render import escape
from domain.errors import DomainError
from domain.setup import invites as invitations


async def start(update: Update, context: TraineryContext) -> None:
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    if context.args:
        await redeem(update, context, context.args[0])
        return
    roles = await roles_of(update, context)
    await refresh_menu(context.bot, message.chat_id, roles)
    await message.reply_text(
        texts.start(
            user.first_name,
            roles,
            owners_configured=bool(context.settings.owner_ids),
            user_id=user.id,
        )
    )


async def redeem(update: Update, context: TraineryContext, token: str) -> None:
    """`/start <token>`: an invite deep link links this chat, once."""
    user, message = update.effective_user, update.effective_message
    assert user is not None and message is not None
    try:
        redeemed = await invitations.redeem(context.studio, token, user.id, message.chat_id)
    except DomainError as error:
        await message.reply_text(escape(error_text(error)))
        return
    await language.linked(update, context)
    roles = await roles_of(update, context)
    await refresh_menu(context.bot, message.chat_id, roles)
    if redeemed.already:
        await message.reply_text(texts.linked_already(redeemed.person.name, roles))
        return
    await message.reply_text(texts.welcome(redeemed.person.name, redeemed.role))


async def help_command(update: Update, context: TraineryContext) -> None:
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    roles = await roles_of(update, context)
    for text in texts.help_(roles):
        await message.reply_text(text)


async def not_understood(update: Update, context: TraineryContext) -> None:
    """Anything no other handler took — an unknown command, stray text, a sticker:
    answered, so nobody is left wondering, and nothing changes."""
    message = update.effective_message
    if message is None:
        return
    text = message.text or ""
    if text.startswith("/"):
        await message.reply_text(texts.unknown_command(text.split()[0][:40]))
    else:
        await message.reply_text(_(texts.NOT_UNDERSTOOD))
