"""Command menus per role (SPEC §6.1): each person's chat gets the commands they may
use (Telegram's BotCommandScopeChat), refreshed whenever their roles may have changed,
and in their language (SPEC §3), refreshed when they choose another. Buttons and menus
carry no authority; the domain checks every command again.

Everyone else sees the default menu, set once per language at start: with Telegram's
`language_code` for each language of ours but the studio's, which has none (Telegram
shows it to anyone whose app speaks no language we have a menu for)."""

from __future__ import annotations

import logging

from telegram import Bot, BotCommand, BotCommandScopeChat
from telegram.error import TelegramError

from bot import i18n, texts
from bot.i18n import _
from domain.roles import Role

log = logging.getLogger(__name__)


def commands_for(roles: frozenset[Role]) -> list[BotCommand]:
    """The menu of `roles`, its descriptions in the current language (bot/i18n.py)."""
    entries = (*texts.COMMANDS, *texts.ADMIN_COMMANDS.values())
    menu: dict[str, BotCommand] = {}
    for entry in entries:
        if entry.open_to(roles):
            name = entry.usage.split()[0].removeprefix("/")
            menu.setdefault(name, BotCommand(name, _(entry.what)[:256]))
    return list(menu.values())


def default_menu() -> list[BotCommand]:
    """The menu everyone sees before they are of the studio, in the current language."""
    return [BotCommand(name, _(about)) for name, about in texts.MENU]


async def set_default_menus(bot: Bot) -> None:
    """At start: the default menu once per language (the studio's without a code)."""
    for language in i18n.LANGUAGES:
        with i18n.using(language):
            commands = default_menu()
        if language == i18n.default():
            await bot.set_my_commands(commands)
        else:
            await bot.set_my_commands(commands, language_code=language)


async def refresh_menu(bot: Bot, chat_id: int, roles: frozenset[Role], language: str | None = None) -> None:
    """Best effort: a menu that could not be set is logged; the next /start retries.
    `language`: the person's (bot.language.of_user); None: the current one, which is
    theirs when they are the one writing."""
    with i18n.using(language or i18n.current()):
        commands = commands_for(roles)
    try:
        await bot.set_my_commands(commands, scope=BotCommandScopeChat(chat_id))
    except TelegramError as error:
        log.warning("Could not set the command menu of chat %s: %s", chat_id, error)
