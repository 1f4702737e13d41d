"""`/settings` (SPEC §6.1): anyone of the studio switches their own notices on or off —
a member's reminders before booked sessions, a trainer's morning list. What the
studio switched off (bot/settings.py) is said, not offered. The language line is
where a later issue adds the language choice."""

from __future__ import annotations

from telegram import InlineKeyboardButton as Button
from telegram import InlineKeyboardMarkup as Markup
from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import callbacks
from bot.actor import acting_person
from bot.context import TraineryApplication, TraineryContext
from bot.i18n import error_text, render
from bot.replies import answer, show
from domain.errors import DomainError
from domain.reminders.policy import NoticePolicy, lead_words
from domain.reminders.settings import Setting, SettingsView, change_setting, my_settings

NOT_LINKED = "Settings are for people of this studio. Ask the studio's admin for an invite link."
EXPIRED_BUTTON = "This button has expired. Nothing was changed."
LANGUAGE = "Language: English (other languages are coming)"
NAMES = {Setting.REMINDERS: "Reminders", Setting.TRAINER_DAY: "Morning list"}
WIRE = {"rem": Setting.REMINDERS, "day": Setting.TRAINER_DAY}  # the button's word for each


def register(application: TraineryApplication) -> None:
    application.add_handler(CommandHandler("settings", settings_command))
    application.add_handler(CallbackQueryHandler(setting_pressed, pattern=callbacks.SwitchSetting.pattern()))


async def settings_command(update: Update, context: TraineryContext) -> None:
    person = await acting_person(update, context)
    if person is None:
        await show(update, context, NOT_LINKED)
        return
    try:
        view = await my_settings(context.studio, person.id)
    except DomainError as error:
        await show(update, context, error_text(error))
        return
    await _show(update, context, view)


async def setting_pressed(update: Update, context: TraineryContext) -> None:
    data = callbacks.SwitchSetting.parse(update.callback_query.data if update.callback_query else None)
    person = await acting_person(update, context)
    if person is None:
        await answer(update, NOT_LINKED, alert=True)
        return
    if data is None:
        await answer(update, EXPIRED_BUTTON, alert=True)
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
        await answer(update, f"{NAMES[setting]} {'on' if data.on else 'off'}.")
    await _show(update, context, view)


async def _show(update: Update, context: TraineryContext, view: SettingsView) -> None:
    policy = context.services.notice_policy
    await show(update, context, screen(view, policy), keyboard(view, policy))


def screen(view: SettingsView, policy: NoticePolicy) -> str:
    lines = ["<b>Your settings</b>", "", LANGUAGE]
    if view.applies(Setting.REMINDERS):
        lines += ["", _reminders_line(view, policy)]
    if view.applies(Setting.TRAINER_DAY):
        lines += ["", _trainer_day_line(view, policy)]
    if not view.applies(Setting.REMINDERS) and not view.applies(Setting.TRAINER_DAY):
        lines += ["", "Reminders are for members and the morning list for trainers: nothing else to set for you."]
    return "\n".join(lines)


def _reminders_line(view: SettingsView, policy: NoticePolicy) -> str:
    if not policy.leads:
        return "🔔 <b>Reminders</b>: the studio sends none."
    leads = " and ".join(render(lead_words(lead)) for lead in policy.leads)
    if not view.preferences.reminders:
        return f"🔕 <b>Reminders</b>: off. Switched on, you get one {leads} before each session you booked."
    return f"🔔 <b>Reminders</b>: on — {leads} before each session you booked, with how to cancel."


def _trainer_day_line(view: SettingsView, policy: NoticePolicy) -> str:
    at = policy.trainer_day_at
    if at is None:
        return "☀ <b>Morning list</b>: the studio sends none."
    if not view.preferences.trainer_day:
        return f"☀ <b>Morning list</b>: off. Switched on, you get at {at:%H:%M} the sessions you lead that day."
    return f"☀ <b>Morning list</b>: on — at {at:%H:%M}, the sessions you lead that day, with how many are booked."


def keyboard(view: SettingsView, policy: NoticePolicy) -> Markup | None:
    rows = []
    if view.applies(Setting.REMINDERS) and policy.leads:
        on = view.preferences.reminders
        label = "🔕 Switch reminders off" if on else "🔔 Switch reminders on"
        rows.append([Button(label, callback_data=callbacks.SwitchSetting("rem", not on).encode())])
    if view.applies(Setting.TRAINER_DAY) and policy.trainer_day_at is not None:
        on = view.preferences.trainer_day
        label = "Switch the morning list off" if on else "☀ Switch the morning list on"
        rows.append([Button(label, callback_data=callbacks.SwitchSetting("day", not on).encode())])
    return Markup(rows) if rows else None
