"""Command menus per role (SPEC §6.1): each person's chat gets the commands they may
use (Telegram's BotCommandScopeChat), refreshed whenever their roles may have changed.
Buttons and menus carry no authority; the domain checks every command again."""

from __future__ import annotations

import logging

from telegram import Bot, BotCommand, BotCommandScopeChat
from telegram.error import TelegramError

from bot import texts
from bot.i18n import _
from domain.roles import Role

log = logging.getLogger(__name__)


def commands_for(roles: frozenset[Role]) -> list[BotCommand]:
    """The menu of `roles`, its descriptions in the current language."""
    entries = (*texts.COMMANDS, *texts.ADMIN_COMMANDS.values())
    menu: dict[str, BotCommand] = {}
    for entry in entries:
        if entry.open_to(roles):
            name = entry.usage.split()[0].removeprefix("/")
            menu.setdefault(name, BotCommand(name, _(entry.what)[:256]))
    return list(menu.values())


async def refresh_menu(bot: Bot, chat_id: int, roles: frozenset[Role]) -> None:
    """Best effort: a menu that could not be set is logged; the next /start retries."""
    try:
        await bot.set_my_commands(commands_for(roles), scope=BotCommandScopeChat(chat_id))
    except TelegramError as error:
        log.warning("Could not set the command menu of chat %s: %s", chat_id, error)
