"""/demo (SPEC §6.1): an owner loads the demo studio into an empty database and gets
the invite links of its demo trainer and members to try every flow at once."""

from __future__ import annotations

from telegram import Update

from bot.actor import acting_person
from bot.context import TraineryContext
from bot.i18n import _, error_text
from bot.render import escape, short_date
from domain.errors import DomainError
from domain.roles import Role
from domain.setup.demo import load_demo


async def demo(update: Update, context: TraineryContext) -> None:
    message = update.effective_message
    if message is None:
        return
    owner = await acting_person(update, context)
    if owner is None or not owner.holds(Role.OWNER):
        await message.reply_text(_("Only the studio's owner can load the demo studio."))
        return
    try:
        links = await load_demo(context.studio, owner.id)
    except DomainError as error:
        await message.reply_text(escape(error_text(error)))
        return
    bot = context.bot.username
    # The demo's names (Studio A, Yoga, …) are data, stored as domain/setup/demo.py writes
    # them: the description names them so, in every language, as /sessions will show them.
    lines = [
        _(
            "<b>Demo studio loaded</b>: Studio A and Outdoor court; Yoga (Tue, Thu 18:00) and HIIT "
            "(Mon, Wed, Fri 07:00), both open; the closed Back course (Sat 10:00, 8 sessions); "
            "three members with passes and bookings over the coming weeks."
        ),
        "",
        _("Open these links on other Telegram accounts (each works once, until {until}):").format(
            until=short_date(links.until, context.settings.zone)
        ),
        _("• trainer {name}: {link}").format(
            name=escape(links.trainer[0]), link=f"https://t.me/{bot}?start={links.trainer[1]}"
        ),
        *(
            _("• member {name}: {link}").format(name=escape(name), link=f"https://t.me/{bot}?start={token}")
            for name, token in links.members
        ),
        "",
        _(
            "Then try <code>/sessions week</code>, open a session and change or cancel it; "
            "<code>/schedules</code>, <code>/templates</code> and <code>/members</code> show the setup."
        ),
    ]
    await message.reply_text("\n".join(lines))
