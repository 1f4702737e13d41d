"""Answering on a phone: every button press is answered, and the bot edits its own
message in place rather than piling new ones. Telegram's 400 "message is not
modified" (a double tap on the same view) is not an error."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest

from bot.context import TraineryContext


async def answer(update: Update, text: str | None = None, *, alert: bool = False) -> None:
    query = update.callback_query
    if query is None:
        return
    try:
        await query.answer(text, show_alert=alert)
    except BadRequest:
        pass  # "query is too old": the press was long ago; the view below still updates


async def show(
    update: Update, context: TraineryContext, text: str, markup: InlineKeyboardMarkup | None = None
) -> int | None:
    """Edit the pressed message in place, or send a new one for a typed command.
    Returns the id of the message that now shows `text`."""
    query = update.callback_query
    if query is not None and isinstance(query.message, Message):
        if context.bot_data.receipts is not None:  # an outcome filling in here gives way to this screen
            context.bot_data.receipts.leave(query.message.chat_id, query.message.message_id)
        try:
            await query.message.edit_text(text, reply_markup=markup)
        except BadRequest as error:
            if "not modified" not in str(error).lower():
                raise
        return query.message.message_id
    chat = update.effective_chat
    if chat is None:
        return None
    sent = await context.bot.send_message(chat.id, text, reply_markup=markup)
    return sent.message_id


async def retire(context: TraineryContext, chat_id: int, message_id: int | None, text: str) -> None:
    """Replace an older message's buttons with a plain line, so they cannot be pressed."""
    if message_id is None:
        return
    try:
        await context.bot.edit_message_text(text, chat_id=chat_id, message_id=message_id)
    except BadRequest:
        pass  # deleted by the person, or already showing this text
