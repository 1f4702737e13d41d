"""The one-line admin commands (SPEC §4, §6.1). Each parses its “;”-separated fields,
calls one domain command, and answers with the result — or, for a wrong or
incomplete line, with the problem, its usage line and an example, changing nothing."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from datetime import date, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from telegram import Update
from telegram.ext import CommandHandler

from bot import texts
from bot.actor import acting_person
from bot.admin.schedule_words import RecurrenceError, to_rrule
from bot.context import TraineryApplication, TraineryContext
from bot.menus import refresh_menu
from bot.ranges import parse_time
from bot.render import day_and_clock, escape, plural
from domain.bookings.enrol import Enrolment
from domain.errors import DomainError
from domain.passes import Pass, PassTemplate
from domain.roles import Person, Role
from domain.schedule import Schedule
from domain.setup import people as setup_people
from domain.setup.invites import invite
from domain.setup.names import SetupError, match
from domain.setup.passes import add_template, grant_pass, passes_of
from domain.setup.passes import templates as list_templates
from domain.setup.people import find_person
from domain.setup.schedules import (
    ScheduleDraft,
    add_schedule,
    list_schedules,
    schedules_screen,
)
from domain.setup.spaces import add_space, list_spaces

FULL_SHOWN = 8  # full sessions named in a grant's reply; the rest are counted
FRESH = " (a fresh link: invited before, not linked yet)"


class UsageError(ValueError):
    """The line does not fit the command's usage; the message says what is wrong."""


Run = Callable[[TraineryContext, Person, list[str]], Awaitable[str]]


def fields(text: str, command: str) -> list[str]:
    rest = text.split(maxsplit=1)[1] if len(text.split(maxsplit=1)) > 1 else ""
    return [field.strip() for field in rest.split(";")] if rest.strip() else []


def need(args: list[str], least: int, most: int) -> None:
    if not least <= len(args) <= most or any(not a for a in args[:least]):
        raise UsageError("Some fields are missing." if len(args) < least else "That line has fields too many or empty.")


def whole(text: str, what: str) -> int:
    if not (text.strip().isascii() and text.strip().isdigit()):
        raise UsageError(f"The {what} must be a whole number, not “{text}”.")
    return int(text)


# -- the commands -------------------------------------------------------------------------


async def space_add(context: TraineryContext, actor: Person, args: list[str]) -> str:
    need(args, 1, 2)
    maximum = whole(args[1], "maximum capacity") if len(args) > 1 and args[1] else None
    space = await add_space(context.studio, actor.id, args[0], maximum)
    limit = f", at most {space.max_capacity}" if space.max_capacity else ""
    return f"Space added: <b>{escape(space.name)}</b>{limit}."


async def spaces(context: TraineryContext, actor: Person, args: list[str]) -> str:
    found = await list_spaces(context.studio, actor.id)
    lines = [f"• {escape(s.name)}" + (f" (at most {s.max_capacity})" if s.max_capacity else "") for s in found]
    return "<b>Spaces</b>\n" + ("\n".join(lines) if lines else "None yet. Add one with /space_add.")


def people_list(role: Role, title: str) -> Run:
    async def run(context: TraineryContext, actor: Person, args: list[str]) -> str:
        roles = (role, Role.OWNER) if role is Role.ADMIN else (role,)
        found = await setup_people.people(context.studio, actor.id, *roles)
        lines = [f"• {escape(label)}" + ("" if p.telegram_user_id else " — not linked yet") for label, p in found]
        return f"<b>{title}</b>\n" + ("\n".join(lines) if lines else "None yet.")

    return run


async def label_of(context: TraineryContext, actor: Person, person: Person) -> str:
    """The name to tell `person` apart by: `Anna Berg #14` when someone shares the name."""
    return (await setup_people.labels(context.studio, actor.id)).get(person.id, person.name)


async def appoint(context: TraineryContext, actor: Person, args: list[str]) -> str:
    need(args, 2, 2)
    try:
        role = Role(args[0].lower())
    except ValueError:
        raise UsageError(f"“{args[0]}” is not a role: admin, trainer or member.") from None
    if role is Role.OWNER:
        raise UsageError("Owners are named in TRAINERY_OWNER_IDS.")
    person = await setup_people.appoint(context.studio, actor.id, args[1], role)
    chat = person.chat_id or person.telegram_user_id
    if chat is not None:  # their menu shows the new role's commands at once
        await refresh_menu(context.bot, chat, person.roles)
    name = await label_of(context, actor, person)
    return f"{escape(name)} is now {'an' if role is Role.ADMIN else 'a'} {role.value}."


async def template_add(context: TraineryContext, actor: Person, args: list[str]) -> str:
    need(args, 3, 4)
    sessions = None if args[1].lower() == "unlimited" else whole(args[1], "number of sessions")
    days = whole(args[2], "validity in days")
    titles = [t.strip() for t in args[3].split(",") if t.strip()] if len(args) > 3 else []
    template = await add_template(context.studio, actor.id, args[0], sessions, days, titles)
    return f"Pass template added: {describe_template(template, await list_schedules(context.studio, actor.id))}"


def describe_template(template: PassTemplate, schedules: list[Schedule]) -> str:
    sessions = "unlimited sessions" if template.sessions is None else f"{template.sessions} sessions"
    covered = [s.title for s in schedules if template.covers(s)]
    covers = f", covers {escape(', '.join(covered))}" if covered else ", covers no schedule yet"
    return f"<b>{escape(template.name)}</b>: {sessions}, valid {template.validity.days} days{covers}"


async def templates(context: TraineryContext, actor: Person, args: list[str]) -> str:
    found, schedules = await list_templates(context.studio, actor.id), await list_schedules(context.studio, actor.id)
    lines = [f"• {describe_template(t, schedules)}" for t in found]
    return "<b>Pass templates</b>\n" + ("\n".join(lines) if lines else "None yet. Add one with /template_add.")


async def pass_grant(context: TraineryContext, actor: Person, args: list[str]) -> str:
    need(args, 2, 2)
    member = await find_person(context.studio, actor.id, args[0], Role.MEMBER)
    template = match(
        args[1], [(t.name, t) for t in await list_templates(context.studio, actor.id) if t.active], "pass template"
    )
    assert isinstance(template, PassTemplate)
    granted = await grant_pass(context.studio, actor.id, member.id, template.id)
    name = await label_of(context, actor, member)
    _, passes = await passes_of(context.studio, actor.id, name)
    now = next(p for p in passes if p.id == granted.pass_.id)
    lines = [f"Granted to {escape(name)}: {describe_pass(now, template, context)}."]
    if granted.enrolment is not None:
        lines += enrolment_lines(granted.enrolment, context.settings.zone)
    return "\n".join(lines)


def enrolment_lines(enrolment: Enrolment, zone: ZoneInfo) -> list[str]:
    """What the grant of a closed schedule's pass did: where the member is enrolled,
    which sessions were full, and what the pass keeps (nothing is left unsaid)."""
    course = escape(enrolment.title)
    first, last = enrolment.booked[0], enrolment.booked[-1]
    span = day_and_clock(first.start, zone) + ("" if first is last else f" – {day_and_clock(last.start, zone)}")
    lines = [f"Enrolled in {plural(len(enrolment.booked), 'session')} of {course}: {span}."]
    if enrolment.held:
        lines.append(f"Already booked on {plural(enrolment.held, 'session')} of it before this pass.")
    if enrolment.full:
        shown = ", ".join(day_and_clock(o.start, zone) for o in enrolment.full[:FULL_SHOWN])
        more = f" and {len(enrolment.full) - FULL_SHOWN} more" if len(enrolment.full) > FULL_SHOWN else ""
        lines.append(f"⚠️ Full, so not enrolled: {shown}{more}.")
    if enrolment.sessions_left:  # the pass outlasted the course's sessions
        others = [f"{n} {what}" for n, what in ((enrolment.held, "booked already"), (len(enrolment.full), "full")) if n]
        why = f"{course} has only {plural(enrolment.ahead, 'session')} ahead within the pass's validity"
        why += f" ({', '.join(others)})" if others else ""
        lines.append(f"⚠️ {plural(enrolment.sessions_left, 'session')} of the pass stay unused: {why}.")
    return lines


def describe_pass(pass_: Pass, template: PassTemplate, context: TraineryContext) -> str:
    left = "unlimited" if pass_.sessions_left is None else f"{pass_.sessions_left} of {template.sessions} sessions left"
    until = pass_.expires_at.astimezone(context.settings.zone).strftime("%d %b %Y")
    state = "" if pass_.active else " (inactive)"
    return f"<b>{escape(template.name)}</b>, {left}, valid until {until}{state}"


async def passes(context: TraineryContext, actor: Person, args: list[str]) -> str:
    need(args, 1, 1)
    member, found = await passes_of(context.studio, actor.id, args[0])
    names = {t.id: t for t in await list_templates(context.studio, actor.id)}
    lines = [f"• {describe_pass(p, names[p.template_id], context)}" for p in found]
    name = await label_of(context, actor, member)
    return f"<b>Passes of {escape(name)}</b>\n" + ("\n".join(lines) if lines else "None yet.")


async def schedule_add(context: TraineryContext, actor: Person, args: list[str]) -> str:
    need(args, 8, 10)
    draft = schedule_draft(args)
    schedule = await add_schedule(context.studio, actor.id, draft)
    kind = "closed" if schedule.closed else "open"
    return f"Schedule added: <b>{escape(schedule.title)}</b> ({kind}). See it with /sessions."


def schedule_draft(args: list[str]) -> ScheduleDraft:
    title, repeats, first, at, minutes, capacity, space, trainer, *options = args
    try:
        rrule = to_rrule(repeats)
        starts_on = date.fromisoformat(first)
    except RecurrenceError as error:
        raise UsageError(str(error)) from None
    except ValueError:
        raise UsageError(f"“{first}” is not a date like 2026-12-01.") from None
    parsed = parse_time(at)
    if parsed is None:
        raise UsageError(f"“{at}” is not a time like 18:00.")
    closed_with, deadline = None, None
    for option in options:
        word, _, value = option.partition(" ")
        if word.lower() == "closed" and value.strip():
            closed_with = value.strip()
        elif word.lower() == "deadline":
            deadline = timedelta(hours=whole(value, "deadline in hours"))
        else:
            raise UsageError(f"“{option}” is not an option: use “closed <template>” or “deadline <hours>”.")
    return ScheduleDraft(
        title=title,
        rrule=rrule,
        starts_on=starts_on,
        start_time=time(*parsed),
        duration=timedelta(minutes=whole(minutes, "duration in minutes")),
        capacity=whole(capacity, "capacity"),
        space=space,
        trainer=trainer,
        closed_with=closed_with,
        booking_deadline=deadline,
    )


async def schedules(context: TraineryContext, actor: Person, args: list[str]) -> str:
    found, directory = await schedules_screen(context.studio, actor.id)
    lines = [
        f"• <b>{escape(s.title)}</b>: {escape(s.rrule)} from {s.starts_on} at {s.start_time:%H:%M}, "
        f"{int(s.duration.total_seconds() // 60)} min, {s.default_capacity} spots, "
        f"{escape(directory.space_name(s.default_space_id))}, {escape(directory.trainer_name(s.default_trainer_id))}"
        + (" — closed" if s.closed else "")
        for s in found
    ]
    return "<b>Schedules</b>\n" + ("\n".join(lines) if lines else "None yet. Add one with /schedule_add.")


def inviting(role: Role) -> Run:
    async def run(context: TraineryContext, actor: Person, args: list[str]) -> str:
        names = [name.strip() for arg in args for name in arg.split(",") if name.strip()]
        if not names:
            raise UsageError("Name who to invite.")
        if len(names) > 1 and role is not Role.MEMBER:
            raise UsageError("Invite one at a time; many at once is for members.")
        links = await invite(context.studio, actor.id, role, names)
        zone, bot = context.settings.zone, context.bot.username
        until = links[0].until.astimezone(zone).strftime("%d %b %Y %H:%M")
        lines = [
            f"• {escape(link.label)}: https://t.me/{bot}?start={link.token}" + (FRESH if link.fresh else "")
            for link in links
        ]
        return (
            f"<b>Invite links</b> for {'members' if role is Role.MEMBER else f'the {role.value}'} — "
            f"send each person their own; each works once, until {until}.\n" + "\n".join(lines)
        )

    return run


RUNS: dict[str, Run] = {
    "invite_member": inviting(Role.MEMBER),
    "invite_trainer": inviting(Role.TRAINER),
    "invite_admin": inviting(Role.ADMIN),
    "space_add": space_add,
    "spaces": spaces,
    "trainers": people_list(Role.TRAINER, "Trainers"),
    "members": people_list(Role.MEMBER, "Members"),
    "admins": people_list(Role.ADMIN, "Admins and owners"),
    "appoint": appoint,
    "template_add": template_add,
    "templates": templates,
    "pass_grant": pass_grant,
    "passes": passes,
    "schedule_add": schedule_add,
    "schedules": schedules,
}


def handler(name: str) -> Callable[[Update, TraineryContext], Coroutine[Any, Any, None]]:
    help_ = texts.ADMIN_COMMANDS[name]

    async def handle(update: Update, context: TraineryContext) -> None:
        message = update.effective_message
        if message is None:
            return
        actor = await acting_person(update, context)
        if actor is None or not actor.is_admin:
            await message.reply_text("Only admins can do that.")
            return
        try:
            reply = await RUNS[name](context, actor, fields(message.text or "", name))
        except (UsageError, SetupError) as problem:
            reply = texts.usage(help_, str(problem))
        except DomainError as error:
            reply = escape(error.text)
        await message.reply_text(reply)

    return handle


def register(application: TraineryApplication) -> None:
    for name in RUNS:
        application.add_handler(CommandHandler(name, handler(name)))
