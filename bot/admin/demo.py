"""/demo (SPEC §6.1): an owner loads the demo studio into an empty database and gets
the invite links of its demo trainer and members to try every flow at once."""

from __future__ import annotations

from telegram import Update

from bot.actor import acting_person
from bot.context import TraineryContext
from bot.i18n import error_text
from bot.render import escape
from domain.errors import DomainError
from domain.roles import Role
from domain.setup.demo import load_demo


async def demo(update: Update, context: TraineryContext) -> None:
    message = update.effective_message
    if message is None:
        return
    owner = await acting_person(update, context)
    if owner is None or not owner.holds(Role.OWNER):
        await message.reply_text("Only the studio's owner can load the demo studio.")
        return
    try:
        links = await load_demo(context.studio, owner.id)
    except DomainError as error:
        await message.reply_text(escape(error_text(error)))
        return
    bot = context.bot.username
    until = links.until.astimezone(context.settings.zone).strftime("%d %b %Y")
    lines = [
        "<b>Demo studio loaded</b>: Studio A and Outdoor court; Yoga (Tue, Thu 18:00) and HIIT "
        "(Mon, Wed, Fri 07:00), both open; the closed Back course (Sat 10:00, 8 sessions); "
        "three members with passes and bookings over the coming weeks.",
        "",
        f"Open these links on other Telegram accounts (each works once, until {until}):",
        f"• trainer {escape(links.trainer[0])}: https://t.me/{bot}?start={links.trainer[1]}",
        *(f"• member {escape(name)}: https://t.me/{bot}?start={token}" for name, token in links.members),
        "",
        "Then try <code>/sessions week</code>, open a session and change or cancel it; "
        "<code>/schedules</code>, <code>/templates</code> and <code>/members</code> show the setup.",
    ]
    await message.reply_text("\n".join(lines))
