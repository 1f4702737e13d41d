"""`/settings` (SPEC §6.1): anyone of the studio switches their own notices on or off —
a member's reminders before booked sessions, a trainer's morning list — and chooses
their language (SPEC §3; `/language` opens the same choice). What the studio switched
off (bot/settings.py) is said, not offered."""

from __future__ import annotations

from telegram import InlineKeyboardButton as Button
from telegram import InlineKeyboardMarkup as Markup
from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import callbacks, i18n
from bot.actor import acting_person
from bot.context import TraineryApplication, TraineryContext
from bot.i18n import N_, _, error_text, render
from bot.menus import refresh_menu
from bot.replies import answer, show
from bot.texts import EXPIRED_BUTTON
from domain.errors import DomainError
from domain.reminders.policy import NoticePolicy, lead_words
from domain.reminders.settings import Setting, SettingsView, change_language, change_setting, my_settings

NOT_LINKED = N_("Settings are for people of this studio. Ask the studio's admin for an invite link.")
LANGUAGE_NAMES = {code: i18n.own_name(code) for code in i18n.LANGUAGES}
WIRE = {"rem": Setting.REMINDERS, "day": Setting.TRAINER_DAY}  # the button's word for each


def register(application: TraineryApplication) -> None:
    application.add_handler(CommandHandler("settings", settings_command))
    application.add_handler(CommandHandler("language", language_command))
    application.add_handler(CallbackQueryHandler(setting_pressed, pattern=callbacks.SwitchSetting.pattern()))
    application.add_handler(CallbackQueryHandler(language_pressed, pattern=callbacks.ChooseLanguage.pattern()))


async def settings_command(update: Update, context: TraineryContext) -> None:
    view = await _own_settings(update, context)
    if view is not None:
        await _show(update, context, view)


async def language_command(update: Update, context: TraineryContext) -> None:
    """`/language`: the choice of /settings alone."""
    view = await _own_settings(update, context)
    if view is None:
        return
    text = "\n".join([_("<b>Language</b>"), "", language_line(view), "", _("Choose the language of this bot:")])
    await show(update, context, text, Markup([language_row(view)]))


async def _own_settings(update: Update, context: TraineryContext) -> SettingsView | None:
    """The sender's settings; None when they have none (told why)."""
    person = await acting_person(update, context)
    if person is None:
        await show(update, context, _(NOT_LINKED))
        return None
    try:
        return await my_settings(context.studio, person.id)
    except DomainError as error:
        await show(update, context, error_text(error))
        return None


async def setting_pressed(update: Update, context: TraineryContext) -> None:
    data = callbacks.SwitchSetting.parse(update.callback_query.data if update.callback_query else None)
    person = await acting_person(update, context)
    if person is None:
        await answer(update, _(NOT_LINKED), alert=True)
        return
    if data is None:
        await answer(update, _(EXPIRED_BUTTON), alert=True)
        return
    setting = WIRE[data.setting]
    try:
        view = await change_setting(context.studio, person.id, setting, data.on)
    except DomainError as error:
        # Refused (not their role): nothing changed. Say why, then show the settings as they are.
        await answer(update, error_text(error)[:200], alert=True)
        try:
            view = await my_settings(context.studio, person.id)
        except DomainError:
            return
    else:
        await answer(update, _switched(setting, data.on))
    await _show(update, context, view)


async def language_pressed(update: Update, context: TraineryContext) -> None:
    """Their language from now on: saved, this reply and their menu in it already."""
    data = callbacks.ChooseLanguage.parse(update.callback_query.data if update.callback_query else None)
    person = await acting_person(update, context)
    user, chat = update.effective_user, update.effective_chat
    if person is None or user is None:
        await answer(update, _(NOT_LINKED), alert=True)
        return
    if data is None:
        await answer(update, _(EXPIRED_BUTTON), alert=True)
        return
    try:
        view = await change_language(context.studio, person.id, data.language, i18n.LANGUAGES)
    except DomainError as error:
        await answer(update, error_text(error)[:200], alert=True)
        return
    context.bot_data.languages.chose(user.id, person.id, data.language)
    i18n.use(data.language)  # the rest of this update speaks it
    await answer(update, _("This bot speaks {language} with you now.").format(language=LANGUAGE_NAMES[data.language]))
    await _show(update, context, view)
    if chat is not None:
        await refresh_menu(context.bot, chat.id, person.roles if person.active else frozenset(), data.language)


def _switched(setting: Setting, on: bool) -> str:
    if setting is Setting.REMINDERS:
        return _("Reminders on.") if on else _("Reminders off.")
    return _("Morning list on.") if on else _("Morning list off.")


async def _show(update: Update, context: TraineryContext, view: SettingsView) -> None:
    policy = context.services.notice_policy
    await show(update, context, screen(view, policy), keyboard(view, policy))


def screen(view: SettingsView, policy: NoticePolicy) -> str:
    lines = [_("<b>Your settings</b>"), "", language_line(view)]
    if view.applies(Setting.REMINDERS):
        lines += ["", _reminders_line(view, policy)]
    if view.applies(Setting.TRAINER_DAY):
        lines += ["", _trainer_day_line(view, policy)]
    if not view.applies(Setting.REMINDERS) and not view.applies(Setting.TRAINER_DAY):
        lines += ["", _("Reminders are for members and the morning list for trainers: nothing else to set for you.")]
    return "\n".join(lines)


def language_line(view: SettingsView) -> str:
    """The language they read now: their choice, or where it came from."""
    name = LANGUAGE_NAMES[i18n.current()]
    if view.preferences.language is not None:
        return _("🌐 <b>Language</b>: {language}.").format(language=name)
    return _("🌐 <b>Language</b>: {language}, from your Telegram app or the studio. Choose one to keep it.").format(
        language=name
    )


def _leads(policy: NoticePolicy) -> str:
    words = [render(lead_words(lead)) for lead in policy.leads]
    if len(words) == 1:
        return words[0]
    return _("{leads} and {last}").format(leads=", ".join(words[:-1]), last=words[-1])


def _reminders_line(view: SettingsView, policy: NoticePolicy) -> str:
    if not policy.leads:
        return _("🔔 <b>Reminders</b>: the studio sends none.")
    if not view.preferences.reminders:
        return _("🔕 <b>Reminders</b>: off. Switched on, you get one {leads} before each session you booked.").format(
            leads=_leads(policy)
        )
    return _("🔔 <b>Reminders</b>: on — {leads} before each session you booked, with how to cancel.").format(
        leads=_leads(policy)
    )


def _trainer_day_line(view: SettingsView, policy: NoticePolicy) -> str:
    at = policy.trainer_day_at
    if at is None:
        return _("☀ <b>Morning list</b>: the studio sends none.")
    if not view.preferences.trainer_day:
        return _("☀ <b>Morning list</b>: off. Switched on, you get at {time} the sessions you lead that day.").format(
            time=f"{at:%H:%M}"
        )
    return _("☀ <b>Morning list</b>: on — at {time}, the sessions you lead that day, with how many are booked.").format(
        time=f"{at:%H:%M}"
    )


def keyboard(view: SettingsView, policy: NoticePolicy) -> Markup:
    rows = []
    if view.applies(Setting.REMINDERS) and policy.leads:
        on = view.preferences.reminders
        label = _("🔕 Switch reminders off") if on else _("🔔 Switch reminders on")
        rows.append([Button(label, callback_data=callbacks.SwitchSetting("rem", not on).encode())])
    if view.applies(Setting.TRAINER_DAY) and policy.trainer_day_at is not None:
        on = view.preferences.trainer_day
        label = _("Switch the morning list off") if on else _("☀ Switch the morning list on")
        rows.append([Button(label, callback_data=callbacks.SwitchSetting("day", not on).encode())])
    rows.append(language_row(view))
    return Markup(rows)


def language_row(view: SettingsView) -> list[Button]:
    """One button per language, by its own name; the one they chose is ticked."""
    chosen = view.preferences.language
    return [
        Button(("✓ " if code == chosen else "") + name, callback_data=callbacks.ChooseLanguage(code).encode())
        for code, name in LANGUAGE_NAMES.items()
    ]
