"""/start and /help (SPEC §6.1): who this person is and what they may do."""

from __future__ import annotations

from telegram import Update

from bot import texts
from bot.context import TraineryContext
from bot.identity import roles_of
from bot.menus import refresh_menu


async def start(update: Update, context: TraineryContext) -> None:
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    if context.args:
        # `/start <token>` is an invite deep link; invites come in a later issue,
        # so every token is unknown and nothing changes.
        await message.reply_text(texts.INVITE_INVALID)
        return
    roles = await roles_of(context.settings, context.sessionmaker, user.id)
    await refresh_menu(context.bot, message.chat_id, roles)
    await message.reply_text(
        texts.start(
            user.first_name,
            roles,
            owners_configured=bool(context.settings.owner_ids),
            user_id=user.id,
        )
    )


async def help_command(update: Update, context: TraineryContext) -> None:
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    roles = await roles_of(context.settings, context.sessionmaker, user.id)
    await message.reply_text(texts.help_(roles))
