"""The one-line admin commands (SPEC §4, §6.1). Each parses its “;”-separated fields,
calls one domain command, and answers with the result — or, for a wrong or
incomplete line, with the problem, its usage line and an example, changing nothing.

Every answer keeps Telegram's limits (4,096 characters, 100 buttons): the lists are
`Listing`s, shown a page at a time with ◀ Previous / Next ▶ (`AdminListPage`,
`PassesPage`), and many invite links go out in several messages. Each page size is
the number of the longest possible lines that fit (tests/test_limits.py checks it)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import callbacks, language, texts
from bot.actor import acting_person
from bot.admin.schedule_words import ONCE, RecurrenceError, to_rrule, to_words
from bot.context import TraineryApplication, TraineryContext
from bot.i18n import N_, _, error_text, ngettext, pgettext, render
from bot.menus import refresh_menu
from bot.ranges import parse_time
from bot.render import Listing, calendar_day, clip, clock, day_and_clock, escape, listing_page
from bot.render import date_and_clock as until_words
from bot.render import month as month_and_year
from bot.replies import answer, show
from bot.sessions.texts import members_told, trainers_told
from bot.texts import EXPIRED_BUTTON
from domain.bookings.enrol import Enrolment
from domain.directory import Directory
from domain.errors import DomainError
from domain.passes import Pass, PassTemplate
from domain.recurrence import original_starts
from domain.roles import Person, Role
from domain.schedule import Schedule
from domain.schedule_review import ScheduleWarning, ScheduleWarningKind
from domain.setup import people as setup_people
from domain.setup.invites import InviteReview, Link, ReviewChanged, confirm_invites, invite, review_invites
from domain.setup.names import SetupError, labelled, match
from domain.setup.passes import add_template, grant_pass, passes_of, passes_of_member
from domain.setup.passes import templates as list_templates
from domain.setup.people import find_person
from domain.setup.schedule_edit import (
    CancellingNeedsConfirmation,
    EditOutcome,
    ScheduleEdit,
    ScheduleEditNeedsConfirmation,
    edit_schedule,
    end_schedule,
    midnight,
    skip_date,
)
from domain.setup.schedules import (
    ScheduleDraft,
    ScheduleNeedsConfirmation,
    add_schedule,
    list_schedules,
    schedules_screen,
)
from domain.setup.spaces import add_space, list_spaces

FULL_SHOWN = 8  # full sessions named in a grant's reply; the rest are counted
# Marks after a line (English here: tests/test_limits.py measures them); shown with _().
FRESH = N_(" (a fresh link: invited before, not linked yet)")
CLOSED = N_(" — closed")  # a space no session may use any more
RETIRED = N_(" — retired, granted no more")
ONLY_ADMINS = N_("Only admins can do that.")


class UsageError(ValueError):
    """The line does not fit the command's usage; the message says what is wrong."""


# Lines a page, from the longest line each list can hold (names and titles: at most
# 100 characters), so a page of the longest lines stays under 4,096 characters with
# room for a heading and the span line. In characters, the longest line of
PEOPLE_PAGE = 25  # /members, /trainers, /admins: "• " + 106 (name #id) + " — not linked yet" = 125
SPACES_PAGE = 25  # /spaces: "• " + 100 + " (at most " + 18 digits + ")" + CLOSED 9 = 139
TEMPLATES_PAGE = 10  # /templates: 2 + 100 + ~60 + ", covers " + COVERS_SHOWN + RETIRED 27 = 358
SCHEDULES_PAGE = 5  # /schedules: 2 + 5 × 100 (title, space, trainer #id, template) + RULE_SHOWN + ~80 = 710
PASSES_PAGE = (
    18  # /passes: "• " + 100 + " #id" (two of one template) + ", 9999 of 9999 sessions left, valid until …" ≈ 190
)
COVERS_SHOWN = 160  # characters of a template's schedule titles (no bound of their own)
RULE_SHOWN = 120  # characters of a recurrence rule (repeated days make it any length)
INVITES_PER_MESSAGE = 15  # "• " + 106 (name #id) + ": https://t.me/" + 32 + "?start=" + 32 + FRESH 47 = 241
MAX_INVITES = 75  # names in one /invite_member: five messages of links at most
BUTTON_TITLE = 40  # characters of a schedule's title on its button
CARD_AHEAD = timedelta(days=400)  # how far a card looks for a schedule's next session
ERAS_SHOWN = 8  # a card's earlier values: ~330 characters each at most (names of 100), within 4,096

REVIEWS = "invite_reviews"  # chat_data key: reviews of /invite_member awaiting Confirm
REVIEWS_KEPT = 5  # per chat; an older review's Confirm finds nothing, creating nothing
# A review within 4,096 characters whatever the line: three lists of names clipped to
# REVIEW_SHOWN, and EXISTING_SHOWN reasons (each up to ~420: two labels and what to do).
REVIEW_SHOWN = 560
EXISTING_SHOWN = 4


@dataclass(frozen=True)
class WithButtons:
    """One message with buttons (a review awaiting Confirm)."""

    text: str
    markup: InlineKeyboardMarkup | None


# A reply: one message; a list, shown a page at a time; several messages, each
# within the limits, all sent (invite links, which are shown only once); or one
# message with buttons.
Reply = str | Listing | list[str] | WithButtons
Run = Callable[[TraineryContext, Person, list[str]], Awaitable[Reply]]
ListRun = Callable[[TraineryContext, Person, list[str]], Awaitable[Listing]]
CONFIRM = "confirm"  # the last field of a /schedule_add line that confirms its warnings
ECHO_LIMIT = 1000  # characters of the line shown back for copying; a longer one is only described
WARNINGS_SHOWN = 8  # with the line, well within Telegram's 4,096 characters


def fields(text: str, command: str) -> list[str]:
    rest = text.split(maxsplit=1)[1] if len(text.split(maxsplit=1)) > 1 else ""
    return [field.strip() for field in rest.split(";")] if rest.strip() else []


def need(args: list[str], least: int, most: int) -> None:
    if not least <= len(args) <= most or any(not a for a in args[:least]):
        raise UsageError(
            _("Some fields are missing.") if len(args) < least else _("That line has fields too many or empty.")
        )


def whole(text: str, what: str) -> int:
    """`what`: an N_-marked noun phrase (“maximum capacity”), translated here."""
    if not (text.strip().isascii() and text.strip().isdigit()):
        raise UsageError(_("The {what} must be a whole number, not “{text}”.").format(what=_(what), text=text))
    return int(text)


# -- the commands -------------------------------------------------------------------------


async def space_add(context: TraineryContext, actor: Person, args: list[str]) -> str:
    need(args, 1, 2)
    maximum = whole(args[1], N_("maximum capacity")) if len(args) > 1 and args[1] else None
    space = await add_space(context.studio, actor.id, args[0], maximum)
    if space.max_capacity:
        return _("Space added: <b>{name}</b>, at most {maximum}.").format(
            name=escape(space.name), maximum=space.max_capacity
        )
    return _("Space added: <b>{name}</b>.").format(name=escape(space.name))


async def spaces(context: TraineryContext, actor: Person, args: list[str]) -> Listing:
    found = await list_spaces(context.studio, actor.id)
    lines = [
        (
            _("• {name} (at most {maximum})").format(name=escape(s.name), maximum=s.max_capacity)
            if s.max_capacity
            else f"• {escape(s.name)}"
        )
        + ("" if s.active else _(CLOSED))
        for s in found
    ]
    empty = _("None yet. Add one with /space_add.")
    return admin_list("spaces", _("<b>Spaces</b>"), lines, empty, pgettext("list", "Spaces"), SPACES_PAGE)


def admin_list(what: str, heading: str, lines: list[str], empty: str, noun: str, size: int) -> Listing:
    """`heading`, `empty`, `noun`: translated already (a list is built where it is shown)."""
    return Listing(heading, lines, empty, noun, size, lambda page: callbacks.AdminListPage(what, page).encode())


def people_list(role: Role, title: str, what: str) -> ListRun:
    """`title`: N_-marked, translated when the list is shown (its heading and span line)."""

    async def run(context: TraineryContext, actor: Person, args: list[str]) -> Listing:
        roles = (role, Role.OWNER) if role is Role.ADMIN else (role,)
        found = await setup_people.people(context.studio, actor.id, *roles)
        lines = [
            f"• {escape(label)}" if p.telegram_user_id else _("• {name} — not linked yet").format(name=escape(label))
            for label, p in found
        ]
        return admin_list(what, f"<b>{_(title)}</b>", lines, _("None yet."), _(title), PEOPLE_PAGE)

    return run


async def label_of(context: TraineryContext, actor: Person, person: Person) -> str:
    """The name to tell `person` apart by: `Anna Berg #14` when someone shares the name."""
    return (await setup_people.labels(context.studio, actor.id)).get(person.id, person.name)


def role_named(word: str) -> Role:
    """The role a typed word names (any case), or a usage error saying which there are."""
    try:
        return Role(word.lower())
    except ValueError:
        raise UsageError(_("“{word}” is not a role: admin, trainer or member.").format(word=word)) from None


# What /appoint answers, by the role given (one sentence each: the article goes with it).
APPOINTED = {
    Role.ADMIN: N_("{name} is now an admin."),
    Role.TRAINER: N_("{name} is now a trainer."),
    Role.MEMBER: N_("{name} is now a member."),
}


async def appoint(context: TraineryContext, actor: Person, args: list[str]) -> str:
    need(args, 2, 2)
    role = role_named(args[0])
    if role is Role.OWNER:
        raise UsageError(_("Owners are named in TRAINERY_OWNER_IDS."))
    person = await setup_people.appoint(context.studio, actor.id, args[1], role)
    chat = person.chat_id or person.telegram_user_id
    if chat is not None:  # their menu shows the new role's commands at once
        await refresh_menu(context.bot, chat, person.roles, await language.of_person(context, person))
    name = await label_of(context, actor, person)
    return _(APPOINTED[role]).format(name=escape(name))


async def template_add(context: TraineryContext, actor: Person, args: list[str]) -> str:
    need(args, 3, 4)
    sessions = None if args[1].lower() == "unlimited" else whole(args[1], N_("number of sessions"))
    days = whole(args[2], N_("validity in days"))
    titles = [t.strip() for t in args[3].split(",") if t.strip()] if len(args) > 3 else []
    template = await add_template(context.studio, actor.id, args[0], sessions, days, titles)
    described = describe_template(template, await list_schedules(context.studio, actor.id))
    return _("Pass template added: {template}").format(template=described)


def describe_template(template: PassTemplate, schedules: list[Schedule]) -> str:
    if template.sessions is None:
        sessions = _("unlimited sessions")
    else:
        sessions = ngettext("{n} session", "{n} sessions", template.sessions).format(n=template.sessions)
    days = template.validity.days
    valid = ngettext("{n} day", "{n} days", days).format(n=days)
    covered = [s.title for s in schedules if template.covers(s)]
    name = escape(template.name)
    if covered:
        line = _("<b>{name}</b>: {sessions}, valid {days}, covers {schedules}").format(
            name=name, sessions=sessions, days=valid, schedules=escape(clip(", ".join(covered), COVERS_SHOWN))
        )
    else:
        line = _("<b>{name}</b>: {sessions}, valid {days}, covers no schedule yet").format(
            name=name, sessions=sessions, days=valid
        )
    return line + ("" if template.active else _(RETIRED))


async def templates(context: TraineryContext, actor: Person, args: list[str]) -> Listing:
    found, schedules = await list_templates(context.studio, actor.id), await list_schedules(context.studio, actor.id)
    lines = [f"• {describe_template(t, schedules)}" for t in found]
    empty = _("None yet. Add one with /template_add.")
    heading = _("<b>Pass templates</b>")
    return admin_list("templates", heading, lines, empty, pgettext("list", "Templates"), TEMPLATES_PAGE)


async def pass_grant(context: TraineryContext, actor: Person, args: list[str]) -> str:
    need(args, 2, 2)
    member = await find_person(context.studio, actor.id, args[0], Role.MEMBER)
    template = match(
        args[1], [(t.name, t) for t in await list_templates(context.studio, actor.id) if t.active], "pass template"
    )
    assert isinstance(template, PassTemplate)
    granted = await grant_pass(context.studio, actor.id, member.id, template.id)
    name = await label_of(context, actor, member)
    __, passes = await passes_of(context.studio, actor.id, name)
    now = next(p for p in passes if p.id == granted.pass_.id)
    lines = [_("Granted to {name}: {pass_}.").format(name=escape(name), pass_=describe_pass(now, template, context))]
    if granted.enrolment is not None:
        lines += enrolment_lines(granted.enrolment, context.settings.zone)
    return "\n".join(lines)


def enrolment_lines(enrolment: Enrolment, zone: ZoneInfo) -> list[str]:
    """What the grant of a closed schedule's pass did: where the member is enrolled,
    which sessions were full, and what the pass keeps (nothing is left unsaid)."""
    course = escape(enrolment.title)
    first, last = enrolment.booked[0], enrolment.booked[-1]
    span = day_and_clock(first.start, zone) + ("" if first is last else f" – {day_and_clock(last.start, zone)}")
    booked = len(enrolment.booked)
    lines = [
        ngettext(
            "Enrolled in {n} session of {course}: {span}.", "Enrolled in {n} sessions of {course}: {span}.", booked
        ).format(n=booked, course=course, span=span)
    ]
    if enrolment.held:
        lines.append(
            ngettext(
                "Already booked on {n} session of it before this pass.",
                "Already booked on {n} sessions of it before this pass.",
                enrolment.held,
            ).format(n=enrolment.held)
        )
    if enrolment.full:
        shown = ", ".join(day_and_clock(o.start, zone) for o in enrolment.full[:FULL_SHOWN])
        if len(enrolment.full) > FULL_SHOWN:
            more = len(enrolment.full) - FULL_SHOWN
            lines.append(_("⚠️ Full, so not enrolled: {sessions} and {n} more.").format(sessions=shown, n=more))
        else:
            lines.append(_("⚠️ Full, so not enrolled: {sessions}.").format(sessions=shown))
    if enrolment.sessions_left:  # the pass outlasted the course's sessions
        lines.append(unused_line(enrolment, course))
    return lines


def unused_line(enrolment: Enrolment, course: str) -> str:
    """The sessions of a closed schedule's pass that its course cannot use, and why."""
    held, full, ahead = enrolment.held, len(enrolment.full), enrolment.ahead
    others = [ngettext("{n} booked already", "{n} booked already", held).format(n=held)] if held else []
    others += [ngettext("{n} full", "{n} full", full).format(n=full)] if full else []
    if others:
        why = ngettext(
            "{course} has only {n} session ahead within the pass's validity ({others})",
            "{course} has only {n} sessions ahead within the pass's validity ({others})",
            ahead,
        ).format(course=course, n=ahead, others=", ".join(others))
    else:
        why = ngettext(
            "{course} has only {n} session ahead within the pass's validity",
            "{course} has only {n} sessions ahead within the pass's validity",
            ahead,
        ).format(course=course, n=ahead)
    left = enrolment.sessions_left or 0
    return ngettext(
        "⚠️ {n} session of the pass stay unused: {why}.", "⚠️ {n} sessions of the pass stay unused: {why}.", left
    ).format(n=left, why=why)


def describe_pass(pass_: Pass, template: PassTemplate, context: TraineryContext, label: str | None = None) -> str:
    """`label`: the template's name with the pass's `#id` where the member holds two of it."""
    total = template.sessions or 0
    if pass_.sessions_left is None:
        left = pgettext("sessions", "unlimited")
    elif pass_.sessions_left > total:  # topped up
        left = ngettext("{n} session left", "{n} sessions left", pass_.sessions_left).format(n=pass_.sessions_left)
    else:
        left = ngettext("{left} of {n} session left", "{left} of {n} sessions left", total).format(
            left=pass_.sessions_left, n=total
        )
    until = calendar_day(pass_.expires_at, context.settings.zone)
    name = escape(label or template.name)
    if pass_.active:
        return _("<b>{name}</b>, {left}, valid until {until}").format(name=name, left=left, until=until)
    return _("<b>{name}</b>, {left}, valid until {until} (inactive)").format(name=name, left=left, until=until)


async def passes(context: TraineryContext, actor: Person, args: list[str]) -> Listing:
    need(args, 1, 1)
    member, found = await passes_of(context.studio, actor.id, args[0])
    return await passes_listing(context, actor, member, found)


async def passes_listing(context: TraineryContext, actor: Person, member: Person, found: list[Pass]) -> Listing:
    names = {t.id: t for t in await list_templates(context.studio, actor.id)}
    labels = dict((p.id, label) for label, p in labelled((names[p.template_id].name, p) for p in found))
    lines = [f"• {describe_pass(p, names[p.template_id], context, labels[p.id])}" for p in found]
    name = await label_of(context, actor, member)
    heading = _("<b>Passes of {name}</b>").format(name=escape(name))
    return Listing(
        heading,
        lines,
        _("None yet."),
        pgettext("list", "Passes"),
        PASSES_PAGE,
        lambda page: callbacks.PassesPage(member.id, page).encode(),
    )


# What /schedule_add answers, by the kind of schedule it added.
ADDED = {
    "closed": N_("Schedule added: <b>{title}</b> (closed). See it with /sessions."),
    "private": N_("Schedule added: <b>{title}</b> (private: booked from the session card). See it with /sessions."),
    "open": N_("Schedule added: <b>{title}</b> (open). See it with /sessions."),
}


async def schedule_add(context: TraineryContext, actor: Person, args: list[str]) -> str:
    """Warnings first (a busy space or trainer, months a monthly rule skips): the line
    is stored only when sent again with `; confirm` at its end."""
    confirmed = bool(args) and args[-1].lower() == CONFIRM
    need(args[:-1] if confirmed else args, 8, 11)
    draft = schedule_draft(args[:-1] if confirmed else args)
    try:
        schedule = await add_schedule(context.studio, actor.id, draft, confirmed=confirmed)
    except ScheduleNeedsConfirmation as needed:
        return schedule_warnings(needed, args, context.settings.zone)
    kind = "closed" if schedule.closed else "private" if schedule.private else "open"
    return _(ADDED[kind]).format(title=escape(schedule.title))


def schedule_warnings(
    needed: ScheduleNeedsConfirmation | ScheduleEditNeedsConfirmation,
    args: list[str],
    zone: ZoneInfo,
    command: str = "schedule_add",
) -> str:
    added = command == "schedule_add"
    lines = [_("Not added yet — please check first:") if added else _("Not changed yet — please check first:"), ""]
    shown = needed.warnings[:WARNINGS_SHOWN]
    lines += [f"⚠️ {describe_schedule_warning(w, needed, zone)}" for w in shown]
    if len(needed.warnings) > len(shown):
        more = len(needed.warnings) - len(shown)
        lines.append(
            ngettext("⚠️ … and {n} more schedule it meets.", "⚠️ … and {n} more schedules it meets.", more).format(n=more)
        )
    again = f"/{command} {'; '.join(args)}; {CONFIRM}"
    echoed = len(again) <= ECHO_LIMIT
    if added:
        anyway = (
            _("To add it anyway, send the same line with <code>; confirm</code> at its end:")
            if echoed
            else _("To add it anyway, send the same line with <code>; confirm</code> at its end.")
        )
    else:
        anyway = (
            _("To change it anyway, send the same line with <code>; confirm</code> at its end:")
            if echoed
            else _("To change it anyway, send the same line with <code>; confirm</code> at its end.")
        )
    lines += ["", anyway + (f"\n<code>{escape(again)}</code>" if echoed else "")]
    return "\n".join(lines)


# A monthly schedule skips months only from the 29th on (domain/schedule_review.py).
SKIPS_MONTHS = {
    29: N_(
        "{title} repeats monthly on the 29th, so it skips the months without one: {months}. "
        "Start on the 28th or earlier to meet every month."
    ),
    30: N_(
        "{title} repeats monthly on the 30th, so it skips the months without one: {months}. "
        "Start on the 28th or earlier to meet every month."
    ),
    31: N_(
        "{title} repeats monthly on the 31st, so it skips the months without one: {months}. "
        "Start on the 28th or earlier to meet every month."
    ),
}


def describe_schedule_warning(
    warning: ScheduleWarning, needed: ScheduleNeedsConfirmation | ScheduleEditNeedsConfirmation, zone: ZoneInfo
) -> str:
    schedule, names = needed.schedule, needed.names
    title = escape(schedule.title)
    if warning.kind is ScheduleWarningKind.SKIPS_MONTHS:
        months = ", ".join(month_and_year(first) for first in warning.months)
        day = min(max(schedule.starts_on.day, 29), 31)  # the domain warns from the 29th only
        return _(SKIPS_MONTHS[day]).format(title=title, months=months)
    other, count = warning.other, warning.count
    assert other is not None
    when = f"{day_and_clock(other.start, zone)}–{clock(other.end, zone)}"
    values = {"n": count, "title": title, "other": escape(other.title), "when": when}
    if warning.kind is ScheduleWarningKind.SPACE_BUSY:
        values["space"] = escape(names.space_name(schedule.default_space_id))
        if count == 1:
            return _("{n} session of {title} meets {other} in {space} — {when}.").format(**values)
        return ngettext(
            "{n} session of {title} meets {other} in {space} — the first {when}.",
            "{n} sessions of {title} meet {other} in {space} — the first {when}.",
            count,
        ).format(**values)
    values["trainer"] = escape(names.trainer_name(schedule.default_trainer_id))
    if count == 1:
        return _("{n} session of {title} meets {other}, which {trainer} leads — {when}.").format(**values)
    return ngettext(
        "{n} session of {title} meets {other}, which {trainer} leads — the first {when}.",
        "{n} sessions of {title} meet {other}, which {trainer} leads — the first {when}.",
        count,
    ).format(**values)


def date_words(day: date, zone: ZoneInfo) -> str:
    """`Tue 08 Dec 2026`: a day of a schedule, in the reader's language."""
    return calendar_day(midnight(day, zone), zone)


def schedule_draft(args: list[str]) -> ScheduleDraft:
    title, repeats, first, at, minutes, capacity, space, trainer, *options = args
    try:
        rrule = to_rrule(repeats)
        starts_on = date.fromisoformat(first)
    except RecurrenceError as error:
        raise UsageError(str(error)) from None
    except ValueError:
        raise UsageError(_("“{text}” is not a date like 2026-12-01.").format(text=first)) from None
    parsed = parse_time(at)
    if parsed is None:
        raise UsageError(_("“{text}” is not a time like 18:00.").format(text=at))
    closed_with, deadline, private = None, None, False
    for option in options:
        word, __, value = option.partition(" ")
        if word.lower() == "closed" and value.strip():
            closed_with = value.strip()
        elif option.lower() == "private":
            private = True
        elif word.lower() == "deadline":
            deadline = timedelta(hours=whole(value, N_("deadline in hours")))
        else:
            raise UsageError(
                _("“{option}” is not an option: use “closed <template>”, “private” or “deadline <hours>”.").format(
                    option=option
                )
            )
    return ScheduleDraft(
        title=title,
        rrule=rrule,
        starts_on=starts_on,
        start_time=time(*parsed),
        duration=timedelta(minutes=whole(minutes, N_("duration in minutes"))),
        capacity=whole(capacity, N_("capacity")),
        space=space,
        trainer=trainer,
        closed_with=closed_with,
        booking_deadline=deadline,
        private=private,
    )


EDIT_FIELDS = ("title", "time", "duration", "capacity", "space", "trainer")
MAX_MINUTES = 1440  # a session lasts at most a day


async def schedule_edit(context: TraineryContext, actor: Person, args: list[str]) -> str:
    """`Yoga; from 2026-12-08; time 19:00; trainer Sue`: the schedule from that day on.
    A busy space or trainer is shown first; the line is saved when sent with `; confirm`."""
    confirmed = bool(args) and args[-1].lower() == CONFIRM
    given = args[:-1] if confirmed else args
    need(given, 3, 2 + len(EDIT_FIELDS))
    title, since, *changes = given
    first = day_of(since.removeprefix("from ").strip() if since.lower().startswith("from ") else since)
    zone = context.settings.zone
    try:
        done = await edit_schedule(context.studio, actor.id, title, first, edit_of(changes), confirmed=confirmed)
    except ScheduleEditNeedsConfirmation as needed:
        return schedule_warnings(needed, args, zone, "schedule_edit")
    return describe_edit(done, zone)


def edit_of(changes: list[str]) -> ScheduleEdit:
    values: dict[str, Any] = {}
    for change in changes:
        word, __, value = change.partition(" ")
        word, value = word.lower(), value.strip()
        if word not in EDIT_FIELDS or not value:
            raise UsageError(
                _(
                    "“{change}” is not a change: use title, time, duration, capacity, space or trainer "
                    "with its new value, e.g. “time 19:00”."
                ).format(change=change)
            )
        if word in values or (word == "time" and "start_time" in values):
            raise UsageError(_("“{word}” is given twice; say it once.").format(word=word))
        if word == "time":
            parsed = parse_time(value)
            if parsed is None:
                raise UsageError(_("“{text}” is not a time like 18:00.").format(text=value))
            values["start_time"] = time(*parsed)
        elif word == "duration":
            minutes = whole(value, N_("duration in minutes"))
            if not 0 < minutes <= MAX_MINUTES:
                raise UsageError(_("The duration is minutes between 1 and {most}, e.g. 60.").format(most=MAX_MINUTES))
            values["duration"] = timedelta(minutes=minutes)
        elif word == "capacity":
            values["capacity"] = whole(value, N_("capacity"))
        else:
            values[word] = value
    return ScheduleEdit(**values)


def day_of(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(_("“{text}” is not a date like 2026-12-08.").format(text=text)) from None


def minutes_of(duration: timedelta) -> str:
    minutes = int(duration.total_seconds() // 60)
    return ngettext("{n} min", "{n} min", minutes).format(n=minutes)


# One change of an edit, by its field: “time 18:00 → 19:00”.
CHANGED = {
    "title": N_("title {old} → {new}"),
    "time": N_("time {old} → {new}"),
    "duration": N_("duration {old} → {new}"),
    "capacity": N_("capacity {old} → {new}"),
    "space": N_("space {old} → {new}"),
    "trainer": N_("trainer {old} → {new}"),
}


def describe_edit(done: EditOutcome, zone: ZoneInfo) -> str:
    before, after, names = done.before, done.after, done.names
    pairs = [
        ("title", escape(before.title), escape(after.title)),
        ("time", f"{before.start_time:%H:%M}", f"{after.start_time:%H:%M}"),
        ("duration", minutes_of(before.duration), minutes_of(after.duration)),
        ("capacity", str(before.default_capacity), str(after.default_capacity)),
        ("space", escape(names.space_name(before.default_space_id)), escape(names.space_name(after.default_space_id))),
        (
            "trainer",
            escape(names.trainer_name(before.default_trainer_id)),
            escape(names.trainer_name(after.default_trainer_id)),
        ),
    ]
    changed = "; ".join(_(CHANGED[name]).format(old=old, new=new) for name, old, new in pairs if old != new)
    lines = [
        _("<b>{title}</b> changed from {since} on: {changes}.").format(
            title=escape(after.title), since=date_words(done.since, zone), changes=changed
        ),
        _("Sessions before it keep their values; a session's own changes stay."),
    ]
    told = members_told(done.notifications) - done.promoted  # the promoted members' notices are counted below
    trainers = trainers_told(done.notifications, done=True)
    if done.sessions:
        count = len(done.sessions)
        lines.append(
            ngettext(
                "{n} booked session changed; {notices} to members.",
                "{n} booked sessions changed; {notices} to members.",
                count,
            ).format(n=count, notices=notices(told))
        )
    elif trainers:
        lines.append(_("No booked session changed, so no member was told."))
    else:
        lines.append(_("No booked session changed, so nobody was told."))
    lines += trainers
    if done.promoted:
        lines.append(
            ngettext(
                "{n} member booked from the waitlist into the new spots.",
                "{n} members booked from the waitlist into the new spots.",
                done.promoted,
            ).format(n=done.promoted)
        )
    if done.over_capacity:
        lines.append(
            ngettext(
                "⚠️ {n} session keep more bookings than the new capacity; the bookings stay.",
                "⚠️ {n} sessions keep more bookings than the new capacity; the bookings stay.",
                done.over_capacity,
            ).format(n=done.over_capacity)
        )
    return "\n".join(lines)


def notices(count: int) -> str:
    return ngettext("{n} notice", "{n} notices", count).format(n=count)


def bookings(count: int) -> str:
    return ngettext("{n} booking", "{n} bookings", count).format(n=count)


def confirming(args: list[str]) -> tuple[list[str], bool]:
    """The fields without a last `confirm`, and whether it was there."""
    confirmed = bool(args) and args[-1].lower() == CONFIRM
    return (args[:-1] if confirmed else args), confirmed


def cancelling_preview(needed: CancellingNeedsConfirmation, args: list[str], command: str, zone: ZoneInfo) -> str:
    """What ending or skipping would cancel, and the line that does it."""
    title, count = escape(needed.schedule.title), len(needed.reviews)
    if command == "schedule_end":
        first = ngettext(
            "Not ended yet — members hold {n} session of {title} it cancels:",
            "Not ended yet — members hold {n} sessions of {title} it cancels:",
            count,
        )
    else:
        first = ngettext(
            "Not skipped yet — members hold {n} session of {title} it cancels:",
            "Not skipped yet — members hold {n} sessions of {title} it cancels:",
            count,
        )
    lines = [first.format(n=count, title=title)]
    for review in needed.reviews[:WARNINGS_SHOWN]:
        held = [bookings(len(review.cancelled_bookings))] if review.cancelled_bookings else []
        waiting = len(review.waitlisted)
        held += [ngettext("{n} waiting", "{n} waiting", waiting).format(n=waiting)] if waiting else []
        lines.append(f"• {day_and_clock(review.occurrence.start, zone)}: {', '.join(held)}")
    if count > WARNINGS_SHOWN:
        more = count - WARNINGS_SHOWN
        lines.append(ngettext("• … and {n} more session", "• … and {n} more sessions", more).format(n=more))
    lines.append(_("Their bookings are refunded and everyone is told."))
    lines += trainers_told(needed.trainers + tuple(d for r in needed.reviews for d in r.notifications), done=False)
    again = f"/{command} {'; '.join(args)}; {CONFIRM}"
    if len(again) <= ECHO_LIMIT:
        ahead = _("To go ahead, send the same line with <code>; confirm</code> at its end:")
        ahead += f"\n<code>{escape(again)}</code>"
    else:
        ahead = _("To go ahead, send the same line with <code>; confirm</code> at its end.")
    lines += ["", ahead]
    return "\n".join(lines)


async def schedule_end(context: TraineryContext, actor: Person, args: list[str]) -> str:
    given, confirmed = confirming(args)
    need(given, 2, 2)
    zone = context.settings.zone
    try:
        done = await end_schedule(context.studio, actor.id, given[0], day_of(given[1]), confirmed=confirmed)
    except CancellingNeedsConfirmation as needed:
        return cancelling_preview(needed, given, "schedule_end", zone)
    lines = [
        _("<b>{title}</b> ends on {day}: no session after it.").format(
            title=escape(done.schedule.title), day=date_words(done.last_day, zone)
        )
    ]
    if done.cancelled:
        count = len(done.cancelled)
        lines.append(
            ngettext(
                "{n} session after it cancelled; {bookings} refunded; {notices} to members.",
                "{n} sessions after it cancelled; {bookings} refunded; {notices} to members.",
                count,
            ).format(n=count, bookings=bookings(done.refunded), notices=notices(done.told))
        )
    elif done.trainers:
        lines.append(_("Nobody held a session after it, so no member was told."))
    else:
        lines.append(_("Nobody held a session after it, so nobody was told."))
    return "\n".join(lines + trainers_told(done.trainers, done=True))


async def schedule_skip(context: TraineryContext, actor: Person, args: list[str]) -> str:
    given, confirmed = confirming(args)
    need(given, 2, 3)
    reason = given[2] if len(given) > 2 and given[2] else None
    try:
        done = await skip_date(context.studio, actor.id, given[0], day_of(given[1]), reason, confirmed=confirmed)
    except CancellingNeedsConfirmation as needed:
        return cancelling_preview(needed, given, "schedule_skip", context.settings.zone)
    occurrence = done.occurrence
    reply = _(
        "<b>{title}</b> {when} is cancelled ({reason}): {bookings} refunded, {notices} to members. "
        "/sessions shows it as cancelled."
    ).format(
        title=escape(occurrence.title),
        when=day_and_clock(occurrence.start, context.settings.zone),
        reason=escape(done.reason or ""),
        bookings=bookings(len(done.cancelled_bookings)),
        notices=notices(members_told(done.notifications)),
    )
    return "\n".join([reply, *trainers_told(done.notifications, done=True)])


async def schedules(context: TraineryContext, actor: Person, args: list[str]) -> Listing:
    found, directory, templates = await schedules_screen(context.studio, actor.id)
    lines = [f"• {describe_schedule(s, directory, templates)}" for s in found]
    empty = _("None yet. Add one with /schedule_add.")
    noun = pgettext("list", "Schedules")
    listing = admin_list("schedules", _("<b>Schedules</b>"), lines, empty, noun, SCHEDULES_PAGE)
    opens = [(clip(s.title, BUTTON_TITLE), callbacks.ScheduleCard(s.id).encode()) for s in found]
    return replace(listing, opens=opens)  # a button per schedule opens its card


def spots(count: int) -> str:
    return ngettext("{n} spot", "{n} spots", count).format(n=count)


def describe_schedule(schedule: Schedule, names: Directory, templates: dict[int, PassTemplate]) -> str:
    """One schedule in the words of /schedule_add: `Yoga: weekly tue,thu until 2027-06-30;
    from 2026-12-01 at 18:00; 60 min; 12 spots; Studio A; Tom Hill; deadline 2 hours`."""
    s = schedule
    repeats = clip(to_words(s.rrule) or s.rrule, RULE_SHOWN)  # a rule the words cannot say, as it is
    starts = _("on {day} at {time}") if repeats == to_words(ONCE) else _("from {day} at {time}")
    parts = [
        f"<b>{escape(s.title)}</b>: {escape(repeats)}",
        starts.format(day=s.starts_on, time=f"{s.start_time:%H:%M}"),
        minutes_of(s.duration),
        spots(s.default_capacity),
        escape(names.space_name(s.default_space_id)),
        escape(names.trainer_name(s.default_trainer_id)),
    ]
    if s.closed:
        template = templates.get(s.pass_template_id or 0)
        parts.append(_("closed {template}").format(template=escape(template.name)) if template else _("closed"))
    if s.private:
        parts.append(_("🔒 private"))
    parts.append(_("deadline {amount}").format(amount=deadline_words(s)))
    return "; ".join(parts)


def deadline_words(schedule: Schedule) -> str:
    """The booking deadline as `/schedule_add` takes it (hours), or the studio's default."""
    minutes = int(schedule.deadline().total_seconds() // 60)
    if minutes % 60 == 0:
        amount = ngettext("{n} hour", "{n} hours", minutes // 60).format(n=minutes // 60)
    else:
        amount = ngettext("{n} minute", "{n} minutes", minutes).format(n=minutes)
    return amount if schedule.booking_deadline is not None else _("{amount} (studio default)").format(amount=amount)


def inviting(role: Role) -> Run:
    async def run(context: TraineryContext, actor: Person, args: list[str]) -> list[str] | WithButtons:
        names = [name.strip() for arg in args for name in arg.split(",") if name.strip()]
        if not names:
            raise UsageError(_("Name who to invite."))
        if len(names) > 1 and role is not Role.MEMBER:
            raise UsageError(_("Invite one at a time; many at once is for members."))
        if len(names) > MAX_INVITES:
            raise UsageError(
                _("Invite at most {most} members at once; that line names {n}.").format(most=MAX_INVITES, n=len(names))
            )
        if len(names) > 1:  # nothing is created before the admin has seen who is who
            review = await review_invites(context.studio, actor.id, role, names)
            return review_reply(context, names, review)
        return link_messages(context, role, await invite(context.studio, actor.id, role, names))

    return run


# The heading of invite links, by the role they invite to.
LINKS_FOR = {
    Role.MEMBER: N_("<b>Invite links</b> for members — send each person their own; each works once, until {until}."),
    Role.TRAINER: N_(
        "<b>Invite links</b> for the trainer — send each person their own; each works once, until {until}."
    ),
    Role.ADMIN: N_("<b>Invite links</b> for the admin — send each person their own; each works once, until {until}."),
}


def link_messages(context: TraineryContext, role: Role, links: list[Link]) -> list[str]:
    zone, bot = context.settings.zone, context.bot.username
    until = until_words(links[0].until, zone)
    lines = [
        f"• {escape(link.label)}: https://t.me/{bot}?start={link.token}" + (_(FRESH) if link.fresh else "")
        for link in links
    ]
    return in_messages(_(LINKS_FOR[role]).format(until=until), lines, INVITES_PER_MESSAGE)


# The groups of a many-name invite's review: a line each, with how many and who.
REVIEW_PARTS = (
    ("new", N_("New (a link each), {n}: {names}")),
    ("fresh", N_("Invited before, not linked yet (a fresh link each), {n}: {names}")),
    ("repeated", N_("Named twice in the line (invited once), {n}: {names}")),
)


def review_reply(
    context: TraineryContext, names: list[str], review: InviteReview, changed: bool = False
) -> WithButtons:
    """The review of a many-name invite, kept in the chat's data under a number that its
    Confirm button carries; without anyone to invite, no button."""
    lines = [_("⚠️ The studio changed since the last review; check again.") if changed else _("<b>Before inviting</b>")]
    for part, line in REVIEW_PARTS:
        found: tuple[str, ...] = getattr(review, part)
        if found:
            lines.append(_(line).format(n=len(found), names=escape(clip(", ".join(found), REVIEW_SHOWN))))
    if review.existing:
        lines.append(_("In the studio already, no link ({n}):").format(n=len(review.existing)))
        lines += [escape(clip(render(line), REVIEW_SHOWN)) for line in review.existing[:EXISTING_SHOWN]]
        if len(review.existing) > EXISTING_SHOWN:
            more = len(review.existing) - EXISTING_SHOWN
            lines.append(
                ngettext("… and {n} more, none of them invited.", "… and {n} more, none of them invited.", more).format(
                    n=more
                )
            )
    if not review.to_invite:
        return WithButtons("\n".join([*lines, _("Nobody to invite. Nothing was changed.")]), None)
    kept: dict[str, Any] = context.chat_data.setdefault(REVIEWS, {}) if context.chat_data is not None else {}
    number = max((int(k) for k in kept), default=0) + 1
    kept[str(number)] = {"names": names, "review": review.as_data()}
    for old in sorted(kept, key=int)[:-REVIEWS_KEPT]:
        del kept[old]
    lines.append(_("Nothing is created until you confirm; to change the list, send a corrected line instead."))
    button = InlineKeyboardButton(
        _("✅ Invite {n}").format(n=len(review.to_invite)), callback_data=callbacks.ConfirmInvites(number).encode()
    )
    return WithButtons("\n".join(lines), InlineKeyboardMarkup([[button]]))


async def confirm_pressed(update: Update, context: TraineryContext, data: callbacks.ConfirmInvites) -> None:
    """Confirm of a review: taken out of the chat's data before anything is awaited, so
    a second tap finds nothing; checked again in the domain — a changed studio shows
    the new review instead of creating anything."""
    actor = await acting_person(update, context)
    if actor is None or not actor.is_admin:
        await answer(update, _(ONLY_ADMINS), alert=True)
        return
    kept = context.chat_data.get(REVIEWS, {}) if context.chat_data is not None else {}
    pending = kept.pop(str(data.review), None)  # no await since: one tap takes it
    if pending is None:
        await answer(update, _(EXPIRED_BUTTON), alert=True)
        return
    names = pending["names"]
    try:
        links = await confirm_invites(
            context.studio, actor.id, Role.MEMBER, names, InviteReview.of_data(pending["review"])
        )
    except ReviewChanged as changed:
        await answer(update)
        again = review_reply(context, names, changed.review, changed=True)
        await show(update, context, again.text, again.markup)
        return
    except DomainError as error:
        await answer(update, error_text(error)[:200], alert=True)
        return
    await answer(update)
    invited = ngettext("Invited {n} person: the links follow.", "Invited {n} people: the links follow.", len(links))
    await show(update, context, invited.format(n=len(links)))
    chat = update.effective_chat
    if chat is not None:
        for text in link_messages(context, Role.MEMBER, links):
            await context.bot.send_message(chat.id, text)


async def guest_add(context: TraineryContext, actor: Person, args: list[str]) -> str:
    """A member from a name alone (issue 14): an invited member not linked yet, whom
    staff book and admins grant passes at once; the link, once opened, binds their
    chat to that same record, so what was booked and granted stays theirs."""
    need(args, 1, 1)
    [link] = await invite(context.studio, actor.id, Role.MEMBER, [args[0]])
    name = escape(link.label)
    until = until_words(link.until, context.settings.zone)
    url = f"https://t.me/{context.bot.username}?start={link.token}"
    first = (
        _("{name} was added before and has not linked Telegram yet: a fresh link for them.")
        if link.fresh
        else _("Guest added: <b>{name}</b> (not linked to Telegram yet).")
    )
    return "\n".join(
        [
            first.format(name=name),
            _("• Grant a pass: <code>/pass_grant {name}; &lt;template&gt;</code>").format(name=name),
            _("• Book them: /sessions → open the session → ➕ Book a member"),
            _(
                "• When they want the bot, send them this link (it works once, until {until}); opening it links "
                "their Telegram and keeps everything booked and granted:"
            ).format(until=until),
            url,
        ]
    )


def in_messages(heading: str, lines: list[str], size: int) -> list[str]:
    """All `lines`, `size` a message, each message under the heading; several are
    numbered (“2/4”), so none goes unnoticed. For what cannot be shown again later."""
    parts = [lines[i : i + size] for i in range(0, len(lines), size)]
    count = f" ({{}}/{len(parts)})" if len(parts) > 1 else ""
    return ["\n".join([heading + count.format(n), *part]) for n, part in enumerate(parts, 1)]


# The lists, by the name their command and their page buttons (AdminListPage) share.
LISTS: dict[str, ListRun] = {
    "spaces": spaces,
    "trainers": people_list(Role.TRAINER, N_("Trainers"), "trainers"),
    "members": people_list(Role.MEMBER, N_("Members"), "members"),
    "admins": people_list(Role.ADMIN, N_("Admins and owners"), "admins"),
    "templates": templates,
    "schedules": schedules,
}
RUNS: dict[str, Run] = {
    "invite_member": inviting(Role.MEMBER),
    "invite_trainer": inviting(Role.TRAINER),
    "invite_admin": inviting(Role.ADMIN),
    "guest_add": guest_add,
    "space_add": space_add,
    "appoint": appoint,
    "template_add": template_add,
    "pass_grant": pass_grant,
    "passes": passes,
    "schedule_add": schedule_add,
    "schedule_edit": schedule_edit,
    "schedule_end": schedule_end,
    "schedule_skip": schedule_skip,
    **LISTS,
}


def handler(name: str, run: Run | None = None) -> Callable[[Update, TraineryContext], Coroutine[Any, Any, None]]:
    help_ = texts.ADMIN_COMMANDS[name]
    command = run or RUNS[name]

    async def handle(update: Update, context: TraineryContext) -> None:
        message = update.effective_message
        if message is None:
            return
        actor = await acting_person(update, context)
        if actor is None or not actor.is_admin:
            await message.reply_text(_(ONLY_ADMINS))
            return
        try:
            reply = await command(context, actor, fields(message.text or "", name))
        except UsageError as problem:  # its message is in the reader's language already
            reply = texts.usage(help_, str(problem))
        except SetupError as error:
            reply = texts.usage(help_, error_text(error))
        except DomainError as error:
            reply = escape(error_text(error))
        for text, markup in messages(reply):
            await message.reply_text(text, reply_markup=markup)

    return handle


def messages(reply: Reply) -> list[tuple[str, InlineKeyboardMarkup | None]]:
    """What a reply sends: a list's first page, or each of its messages."""
    if isinstance(reply, Listing):
        return [listing_page(reply, 0)]
    if isinstance(reply, WithButtons):
        return [(reply.text, reply.markup)]
    return [(text, None) for text in ([reply] if isinstance(reply, str) else reply)]


async def page_pressed(update: Update, context: TraineryContext) -> None:
    """◀ Previous / Next ▶ of a list: the list read afresh, that page shown in place."""
    data = callbacks.parse(update.callback_query.data if update.callback_query else None)
    if isinstance(data, callbacks.ConfirmInvites):
        await confirm_pressed(update, context, data)
        return
    actor = await acting_person(update, context)
    if actor is None or not actor.is_admin:
        await answer(update, _(ONLY_ADMINS), alert=True)
        return
    try:
        if isinstance(data, callbacks.AdminListPage):
            listing = await LISTS[data.what](context, actor, [])
        elif isinstance(data, callbacks.PassesPage):
            member, found = await passes_of_member(context.studio, actor.id, data.member_id)
            listing = await passes_listing(context, actor, member, found)
        else:
            await answer(update, _(EXPIRED_BUTTON), alert=True)
            return
    except DomainError as error:
        await answer(update, error_text(error)[:200], alert=True)
        return
    await answer(update)
    await show(update, context, *listing_page(listing, data.page))


# -- a schedule's card: /schedules → tap one → Edit / End / Skip a date ---------------------


async def schedule_pressed(update: Update, context: TraineryContext) -> None:
    """A schedule's card, or the line an action on it is done with, filled in. Showing
    them changes nothing: the typed command does, checked by the domain."""
    data = callbacks.parse(update.callback_query.data if update.callback_query else None)
    actor = await acting_person(update, context)
    if actor is None or not actor.is_admin:
        await answer(update, _(ONLY_ADMINS), alert=True)
        return
    if not isinstance(data, callbacks.ScheduleCard | callbacks.ScheduleAction):
        await answer(update, _(EXPIRED_BUTTON), alert=True)
        return
    try:
        found, names, templates = await schedules_screen(context.studio, actor.id)
    except DomainError as error:
        await answer(update, error_text(error)[:200], alert=True)
        return
    schedule = next((s for s in found if s.id == data.schedule_id), None)
    if schedule is None:
        await answer(update, _(EXPIRED_BUTTON), alert=True)
        return
    zone, now = context.settings.zone, context.studio.now()
    upcoming = original_starts(schedule, zone, now, now + CARD_AHEAD)
    next_day = upcoming[0].astimezone(zone).date() if upcoming else context.studio.today()
    await answer(update)
    if isinstance(data, callbacks.ScheduleCard):
        await show(
            update, context, schedule_card(schedule, names, templates, upcoming[:1], zone), card_buttons(schedule)
        )
    else:
        back = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        f"« {clip(schedule.title, BUTTON_TITLE)}",
                        callback_data=callbacks.ScheduleCard(schedule.id).encode(),
                    )
                ]
            ]
        )
        await show(
            update, context, action_hint(data.action, schedule.on(midnight(next_day, zone)), next_day, names), back
        )


def schedule_card(
    schedule: Schedule, names: Directory, templates: dict[int, PassTemplate], upcoming: list[datetime], zone: ZoneInfo
) -> str:
    lines = [describe_schedule(schedule, names, templates)]
    if len(schedule.eras) > ERAS_SHOWN:
        earlier = len(schedule.eras) - ERAS_SHOWN
        lines.append(ngettext("… {n} earlier change", "… {n} earlier changes", earlier).format(n=earlier))
    for era in schedule.eras[-ERAS_SHOWN:]:  # its values before edits from a date on, the latest
        last = (era.until.astimezone(zone) - timedelta(days=1)).date()
        lines.append(
            _("Until {day}: {title} at {time}, {duration}, {spots}, {space}, {trainer}").format(
                day=date_words(last, zone),
                title=escape(era.title),
                time=f"{era.start_time:%H:%M}",
                duration=minutes_of(era.duration),
                spots=spots(era.default_capacity),
                space=escape(names.space_name(era.default_space_id)),
                trainer=escape(names.trainer_name(era.default_trainer_id)),
            )
        )
    if upcoming:
        lines.append(_("Next session: {when}").format(when=day_and_clock(upcoming[0], zone)))
    else:
        lines.append(_("No session ahead."))
    return "\n".join(lines)


def card_buttons(schedule: Schedule) -> InlineKeyboardMarkup:
    def button(label: str, action: str) -> InlineKeyboardButton:
        return InlineKeyboardButton(label, callback_data=callbacks.ScheduleAction(schedule.id, action).encode())

    return InlineKeyboardMarkup(
        [
            [
                button(pgettext("button", "Edit"), "edit"),
                button(pgettext("button", "End"), "end"),
                button(pgettext("button", "Skip a date"), "skip"),
            ],
            [
                InlineKeyboardButton(
                    pgettext("button", "« Schedules"),
                    callback_data=callbacks.AdminListPage("schedules", 0).encode(),
                )
            ],
        ]
    )


def action_hint(action: str, values: Schedule, day: date, names: Directory) -> str:
    """What to send for an action, filled in with the schedule's next session's day and
    its values then (edit the ones that change)."""
    title = escape(values.title)
    if action == "edit":
        line = (
            f"/schedule_edit {values.title}; from {day}; time {values.start_time:%H:%M}; "
            f"duration {int(values.duration.total_seconds() // 60)}; capacity {values.default_capacity}; "
            f"space {names.space_name(values.default_space_id)}; trainer {names.trainer_name(values.default_trainer_id)}"
        )
        what = _(
            "Change <b>{title}</b> from a date on: send this line with the date and the values you change "
            "(leave out the others). Sessions before the date keep theirs; booked members are told."
        ).format(title=title)
    elif action == "end":
        line = f"/schedule_end {values.title}; {day}"
        what = _(
            "End <b>{title}</b>: send this line with its last date. The sessions after it are cancelled, "
            "their bookings refunded and members told."
        ).format(title=title)
    else:
        reason = _("reason for members")  # a placeholder the admin replaces
        line = f"/schedule_skip {values.title}; {day}; {reason}"
        what = _(
            "Skip a date of <b>{title}</b>: send this line with the date and a reason. That session is "
            "cancelled, its bookings refunded and members told."
        ).format(title=title)
    return f"{what}\n<code>{escape(line)}</code>"


def register(application: TraineryApplication) -> None:
    for name in RUNS:
        application.add_handler(CommandHandler(name, handler(name)))
    pages = callbacks.pattern(callbacks.AdminCallback)
    application.add_handler(CallbackQueryHandler(page_pressed, pattern=pages))
    cards = callbacks.pattern(callbacks.ScheduleCallback)
    application.add_handler(CallbackQueryHandler(schedule_pressed, pattern=cards))
