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
from bot.admin.schedule_words import RecurrenceError, to_rrule, to_words
from bot.context import TraineryApplication, TraineryContext
from bot.i18n import error_text
from bot.menus import refresh_menu
from bot.ranges import parse_time
from bot.render import Listing, agree, calendar_day, clip, clock, day_and_clock, escape, listing_page, ordinal, plural
from bot.replies import answer, show
from bot.sessions.texts import members_told, trainers_told
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
FRESH = " (a fresh link: invited before, not linked yet)"
CLOSED = " — closed"  # a space no session may use any more
RETIRED = " — retired, granted no more"


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
EXPIRED_BUTTON = "This button has expired. Nothing was changed."
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


async def spaces(context: TraineryContext, actor: Person, args: list[str]) -> Listing:
    found = await list_spaces(context.studio, actor.id)
    lines = [
        f"• {escape(s.name)}"
        + (f" (at most {s.max_capacity})" if s.max_capacity else "")
        + ("" if s.active else CLOSED)
        for s in found
    ]
    return admin_list("spaces", "<b>Spaces</b>", lines, "None yet. Add one with /space_add.", "Spaces", SPACES_PAGE)


def admin_list(what: str, heading: str, lines: list[str], empty: str, noun: str, size: int) -> Listing:
    return Listing(heading, lines, empty, noun, size, lambda page: callbacks.AdminListPage(what, page).encode())


def people_list(role: Role, title: str, what: str) -> ListRun:
    async def run(context: TraineryContext, actor: Person, args: list[str]) -> Listing:
        roles = (role, Role.OWNER) if role is Role.ADMIN else (role,)
        found = await setup_people.people(context.studio, actor.id, *roles)
        lines = [f"• {escape(label)}" + ("" if p.telegram_user_id else " — not linked yet") for label, p in found]
        return admin_list(what, f"<b>{title}</b>", lines, "None yet.", title, PEOPLE_PAGE)

    return run


async def label_of(context: TraineryContext, actor: Person, person: Person) -> str:
    """The name to tell `person` apart by: `Anna Berg #14` when someone shares the name."""
    return (await setup_people.labels(context.studio, actor.id)).get(person.id, person.name)


def role_named(word: str) -> Role:
    """The role a typed word names (any case), or a usage error saying which there are."""
    try:
        return Role(word.lower())
    except ValueError:
        raise UsageError(f"“{word}” is not a role: admin, trainer or member.") from None


async def appoint(context: TraineryContext, actor: Person, args: list[str]) -> str:
    need(args, 2, 2)
    role = role_named(args[0])
    if role is Role.OWNER:
        raise UsageError("Owners are named in TRAINERY_OWNER_IDS.")
    person = await setup_people.appoint(context.studio, actor.id, args[1], role)
    chat = person.chat_id or person.telegram_user_id
    if chat is not None:  # their menu shows the new role's commands at once
        await refresh_menu(context.bot, chat, person.roles, await language.of_person(context, person))
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
    sessions = "unlimited sessions" if template.sessions is None else plural(template.sessions, "session")
    covered = [s.title for s in schedules if template.covers(s)]
    covers = f", covers {escape(clip(', '.join(covered), COVERS_SHOWN))}" if covered else ", covers no schedule yet"
    retired = "" if template.active else RETIRED
    return f"<b>{escape(template.name)}</b>: {sessions}, valid {plural(template.validity.days, 'day')}{covers}{retired}"


async def templates(context: TraineryContext, actor: Person, args: list[str]) -> Listing:
    found, schedules = await list_templates(context.studio, actor.id), await list_schedules(context.studio, actor.id)
    lines = [f"• {describe_template(t, schedules)}" for t in found]
    empty = "None yet. Add one with /template_add."
    return admin_list("templates", "<b>Pass templates</b>", lines, empty, "Templates", TEMPLATES_PAGE)


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


def describe_pass(pass_: Pass, template: PassTemplate, context: TraineryContext, label: str | None = None) -> str:
    """`label`: the template's name with the pass's `#id` where the member holds two of it."""
    total = template.sessions or 0
    left = "unlimited" if pass_.sessions_left is None else f"{pass_.sessions_left} of {plural(total, 'session')} left"
    if pass_.sessions_left is not None and pass_.sessions_left > total:  # topped up
        left = f"{plural(pass_.sessions_left, 'session')} left"
    until = calendar_day(pass_.expires_at, context.settings.zone)
    state = "" if pass_.active else " (inactive)"
    return f"<b>{escape(label or template.name)}</b>, {left}, valid until {until}{state}"


async def passes(context: TraineryContext, actor: Person, args: list[str]) -> Listing:
    need(args, 1, 1)
    member, found = await passes_of(context.studio, actor.id, args[0])
    return await passes_listing(context, actor, member, found)


async def passes_listing(context: TraineryContext, actor: Person, member: Person, found: list[Pass]) -> Listing:
    names = {t.id: t for t in await list_templates(context.studio, actor.id)}
    labels = dict((p.id, label) for label, p in labelled((names[p.template_id].name, p) for p in found))
    lines = [f"• {describe_pass(p, names[p.template_id], context, labels[p.id])}" for p in found]
    name = await label_of(context, actor, member)
    heading = f"<b>Passes of {escape(name)}</b>"
    return Listing(
        heading, lines, "None yet.", "Passes", PASSES_PAGE, lambda page: callbacks.PassesPage(member.id, page).encode()
    )


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
    kind = "closed" if schedule.closed else "private: booked from the session card" if schedule.private else "open"
    return f"Schedule added: <b>{escape(schedule.title)}</b> ({kind}). See it with /sessions."


def schedule_warnings(
    needed: ScheduleNeedsConfirmation | ScheduleEditNeedsConfirmation,
    args: list[str],
    zone: ZoneInfo,
    command: str = "schedule_add",
) -> str:
    added = command == "schedule_add"
    lines = [f"Not {'added' if added else 'changed'} yet — please check first:", ""]
    shown = needed.warnings[:WARNINGS_SHOWN]
    lines += [f"⚠️ {describe_schedule_warning(w, needed, zone)}" for w in shown]
    if len(needed.warnings) > len(shown):
        lines.append(f"⚠️ … and {plural(len(needed.warnings) - len(shown), 'more schedule')} it meets.")
    again = f"/{command} {'; '.join(args)}; {CONFIRM}"
    lines += [
        "",
        f"To {'add' if added else 'change'} it anyway, send the same line with <code>; confirm</code> at its end",
    ]
    lines[-1] += f":\n<code>{escape(again)}</code>" if len(again) <= ECHO_LIMIT else "."
    return "\n".join(lines)


def describe_schedule_warning(
    warning: ScheduleWarning, needed: ScheduleNeedsConfirmation | ScheduleEditNeedsConfirmation, zone: ZoneInfo
) -> str:
    schedule, names = needed.schedule, needed.names
    title = escape(schedule.title)
    if warning.kind is ScheduleWarningKind.SKIPS_MONTHS:
        months = ", ".join(f"{month:%b %Y}" for month in warning.months)
        return (
            f"{title} repeats monthly on the {ordinal(schedule.starts_on.day)}, so it skips the months "
            f"without one: {months}. Start on the 28th or earlier to meet every month."
        )
    other, count = warning.other, warning.count
    assert other is not None
    meet = f"{plural(count, 'session')} of {title} {agree(count, 'meets', 'meet')} {escape(other.title)}"
    if warning.kind is ScheduleWarningKind.SPACE_BUSY:
        where = f"{meet} in {escape(names.space_name(schedule.default_space_id))}"
    else:
        where = f"{meet}, which {escape(names.trainer_name(schedule.default_trainer_id))} leads"
    first = f"{day_and_clock(other.start, zone)}–{clock(other.end, zone)}"
    return f"{where} — {'the first ' if count > 1 else ''}{first}."


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
    closed_with, deadline, private = None, None, False
    for option in options:
        word, _, value = option.partition(" ")
        if word.lower() == "closed" and value.strip():
            closed_with = value.strip()
        elif option.lower() == "private":
            private = True
        elif word.lower() == "deadline":
            deadline = timedelta(hours=whole(value, "deadline in hours"))
        else:
            raise UsageError(f"“{option}” is not an option: use “closed <template>”, “private” or “deadline <hours>”.")
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
        word, _, value = change.partition(" ")
        word, value = word.lower(), value.strip()
        if word not in EDIT_FIELDS or not value:
            raise UsageError(
                f"“{change}” is not a change: use title, time, duration, capacity, space or trainer "
                "with its new value, e.g. “time 19:00”."
            )
        if word in values or (word == "time" and "start_time" in values):
            raise UsageError(f"“{word}” is given twice; say it once.")
        if word == "time":
            parsed = parse_time(value)
            if parsed is None:
                raise UsageError(f"“{value}” is not a time like 18:00.")
            values["start_time"] = time(*parsed)
        elif word == "duration":
            minutes = whole(value, "duration in minutes")
            if not 0 < minutes <= MAX_MINUTES:
                raise UsageError(f"The duration is minutes between 1 and {MAX_MINUTES}, e.g. 60.")
            values["duration"] = timedelta(minutes=minutes)
        elif word == "capacity":
            values["capacity"] = whole(value, "capacity")
        else:
            values[word] = value
    return ScheduleEdit(**values)


def day_of(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(f"“{text}” is not a date like 2026-12-08.") from None


def describe_edit(done: EditOutcome, zone: ZoneInfo) -> str:
    before, after, names = done.before, done.after, done.names
    pairs = [
        ("title", escape(before.title), escape(after.title)),
        ("time", f"{before.start_time:%H:%M}", f"{after.start_time:%H:%M}"),
        (
            "duration",
            f"{int(before.duration.total_seconds() // 60)} min",
            f"{int(after.duration.total_seconds() // 60)} min",
        ),
        ("capacity", str(before.default_capacity), str(after.default_capacity)),
        ("space", escape(names.space_name(before.default_space_id)), escape(names.space_name(after.default_space_id))),
        (
            "trainer",
            escape(names.trainer_name(before.default_trainer_id)),
            escape(names.trainer_name(after.default_trainer_id)),
        ),
    ]
    changed = "; ".join(f"{name} {old} → {new}" for name, old, new in pairs if old != new)
    since = f"{done.since:%a %d %b %Y}"
    lines = [
        f"<b>{escape(after.title)}</b> changed from {since} on: {changed}.",
        "Sessions before it keep their values; a session's own changes stay.",
    ]
    told = members_told(done.notifications) - done.promoted  # the promoted members' notices are counted below
    trainers = trainers_told(done.notifications, done=True)
    if done.sessions:
        lines.append(f"{plural(len(done.sessions), 'booked session')} changed; {plural(told, 'notice')} to members.")
    else:
        lines.append(f"No booked session changed, so {'no member' if trainers else 'nobody'} was told.")
    lines += trainers
    if done.promoted:
        lines.append(f"{plural(done.promoted, 'member')} booked from the waitlist into the new spots.")
    if done.over_capacity:
        lines.append(
            f"⚠️ {plural(done.over_capacity, 'session')} keep more bookings than the new capacity; the bookings stay."
        )
    return "\n".join(lines)


def confirming(args: list[str]) -> tuple[list[str], bool]:
    """The fields without a last `confirm`, and whether it was there."""
    confirmed = bool(args) and args[-1].lower() == CONFIRM
    return (args[:-1] if confirmed else args), confirmed


def cancelling_preview(needed: CancellingNeedsConfirmation, args: list[str], command: str, zone: ZoneInfo) -> str:
    """What ending or skipping would cancel, and the line that does it."""
    title, verb = escape(needed.schedule.title), "ended" if command == "schedule_end" else "skipped"
    lines = [f"Not {verb} yet — members hold {plural(len(needed.reviews), 'session')} of {title} it cancels:"]
    for review in needed.reviews[:WARNINGS_SHOWN]:
        held = [plural(len(review.cancelled_bookings), "booking")] if review.cancelled_bookings else []
        held += [f"{len(review.waitlisted)} waiting"] if review.waitlisted else []
        lines.append(f"• {day_and_clock(review.occurrence.start, zone)}: {', '.join(held)}")
    if len(needed.reviews) > WARNINGS_SHOWN:
        lines.append(f"• … and {plural(len(needed.reviews) - WARNINGS_SHOWN, 'more session')}")
    lines.append("Their bookings are refunded and everyone is told.")
    lines += trainers_told(needed.trainers + tuple(d for r in needed.reviews for d in r.notifications), done=False)
    again = f"/{command} {'; '.join(args)}; {CONFIRM}"
    lines += ["", "To go ahead, send the same line with <code>; confirm</code> at its end"]
    lines[-1] += f":\n<code>{escape(again)}</code>" if len(again) <= ECHO_LIMIT else "."
    return "\n".join(lines)


async def schedule_end(context: TraineryContext, actor: Person, args: list[str]) -> str:
    given, confirmed = confirming(args)
    need(given, 2, 2)
    try:
        done = await end_schedule(context.studio, actor.id, given[0], day_of(given[1]), confirmed=confirmed)
    except CancellingNeedsConfirmation as needed:
        return cancelling_preview(needed, given, "schedule_end", context.settings.zone)
    lines = [f"<b>{escape(done.schedule.title)}</b> ends on {done.last_day:%a %d %b %Y}: no session after it."]
    if done.cancelled:
        lines.append(
            f"{plural(len(done.cancelled), 'session')} after it cancelled; "
            f"{plural(done.refunded, 'booking')} refunded; {plural(done.told, 'notice')} to members."
        )
    else:
        lines.append(f"Nobody held a session after it, so {'no member' if done.trainers else 'nobody'} was told.")
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
    reply = (
        f"<b>{escape(occurrence.title)}</b> {day_and_clock(occurrence.start, context.settings.zone)} is cancelled "
        f"({escape(done.reason or '')}): {plural(len(done.cancelled_bookings), 'booking')} refunded, "
        f"{plural(members_told(done.notifications), 'notice')} to members. /sessions shows it as cancelled."
    )
    return "\n".join([reply, *trainers_told(done.notifications, done=True)])


async def schedules(context: TraineryContext, actor: Person, args: list[str]) -> Listing:
    found, directory, templates = await schedules_screen(context.studio, actor.id)
    lines = [f"• {describe_schedule(s, directory, templates)}" for s in found]
    empty = "None yet. Add one with /schedule_add."
    listing = admin_list("schedules", "<b>Schedules</b>", lines, empty, "Schedules", SCHEDULES_PAGE)
    opens = [(clip(s.title, BUTTON_TITLE), callbacks.ScheduleCard(s.id).encode()) for s in found]
    return replace(listing, opens=opens)  # a button per schedule opens its card


def describe_schedule(schedule: Schedule, names: Directory, templates: dict[int, PassTemplate]) -> str:
    """One schedule in the words of /schedule_add: `Yoga: weekly tue,thu until 2027-06-30;
    from 2026-12-01 at 18:00; 60 min; 12 spots; Studio A; Tom Hill; deadline 2 hours`."""
    s = schedule
    repeats = clip(to_words(s.rrule) or s.rrule, RULE_SHOWN)  # a rule the words cannot say, as it is
    first = "on" if repeats == "once" else "from"
    parts = [
        f"<b>{escape(s.title)}</b>: {escape(repeats)}",
        f"{first} {s.starts_on} at {s.start_time:%H:%M}",
        f"{int(s.duration.total_seconds() // 60)} min",
        plural(s.default_capacity, "spot"),
        escape(names.space_name(s.default_space_id)),
        escape(names.trainer_name(s.default_trainer_id)),
    ]
    if s.closed:
        template = templates.get(s.pass_template_id or 0)
        parts.append(f"closed {escape(template.name)}" if template else "closed")
    if s.private:
        parts.append("🔒 private")
    parts.append(f"deadline {deadline_words(s)}")
    return "; ".join(parts)


def deadline_words(schedule: Schedule) -> str:
    """The booking deadline as `/schedule_add` takes it (hours), or the studio's default."""
    minutes = int(schedule.deadline().total_seconds() // 60)
    amount = plural(minutes // 60, "hour") if minutes % 60 == 0 else plural(minutes, "minute")
    return amount if schedule.booking_deadline is not None else f"{amount} (studio default)"


def inviting(role: Role) -> Run:
    async def run(context: TraineryContext, actor: Person, args: list[str]) -> list[str] | WithButtons:
        names = [name.strip() for arg in args for name in arg.split(",") if name.strip()]
        if not names:
            raise UsageError("Name who to invite.")
        if len(names) > 1 and role is not Role.MEMBER:
            raise UsageError("Invite one at a time; many at once is for members.")
        if len(names) > MAX_INVITES:
            raise UsageError(f"Invite at most {MAX_INVITES} members at once; that line names {len(names)}.")
        if len(names) > 1:  # nothing is created before the admin has seen who is who
            review = await review_invites(context.studio, actor.id, role, names)
            return review_reply(context, names, review)
        return link_messages(context, role, await invite(context.studio, actor.id, role, names))

    return run


def link_messages(context: TraineryContext, role: Role, links: list[Link]) -> list[str]:
    zone, bot = context.settings.zone, context.bot.username
    until = links[0].until.astimezone(zone).strftime("%d %b %Y %H:%M")
    lines = [
        f"• {escape(link.label)}: https://t.me/{bot}?start={link.token}" + (FRESH if link.fresh else "")
        for link in links
    ]
    heading = (
        f"<b>Invite links</b> for {'members' if role is Role.MEMBER else f'the {role.value}'} — "
        f"send each person their own; each works once, until {until}."
    )
    return in_messages(heading, lines, INVITES_PER_MESSAGE)


def review_reply(
    context: TraineryContext, names: list[str], review: InviteReview, changed: bool = False
) -> WithButtons:
    """The review of a many-name invite, kept in the chat's data under a number that its
    Confirm button carries; without anyone to invite, no button."""
    lines = ["⚠️ The studio changed since the last review; check again." if changed else "<b>Before inviting</b>"]
    parts = (
        ("New (a link each)", review.new),
        ("Invited before, not linked yet (a fresh link each)", review.fresh),
        ("Named twice in the line (invited once)", review.repeated),
    )
    for title, found in parts:
        if found:
            lines.append(f"{title}, {len(found)}: {escape(clip(', '.join(found), REVIEW_SHOWN))}")
    if review.existing:
        lines.append(f"In the studio already, no link ({len(review.existing)}):")
        lines += [escape(clip(line, REVIEW_SHOWN)) for line in review.existing[:EXISTING_SHOWN]]
        if len(review.existing) > EXISTING_SHOWN:
            lines.append(f"… and {len(review.existing) - EXISTING_SHOWN} more, none of them invited.")
    if not review.to_invite:
        return WithButtons("\n".join([*lines, "Nobody to invite. Nothing was changed."]), None)
    kept: dict[str, Any] = context.chat_data.setdefault(REVIEWS, {}) if context.chat_data is not None else {}
    number = max((int(k) for k in kept), default=0) + 1
    kept[str(number)] = {"names": names, "review": review.as_data()}
    for old in sorted(kept, key=int)[:-REVIEWS_KEPT]:
        del kept[old]
    lines.append("Nothing is created until you confirm; to change the list, send a corrected line instead.")
    button = InlineKeyboardButton(
        f"✅ Invite {len(review.to_invite)}", callback_data=callbacks.ConfirmInvites(number).encode()
    )
    return WithButtons("\n".join(lines), InlineKeyboardMarkup([[button]]))


async def confirm_pressed(update: Update, context: TraineryContext, data: callbacks.ConfirmInvites) -> None:
    """Confirm of a review: taken out of the chat's data before anything is awaited, so
    a second tap finds nothing; checked again in the domain — a changed studio shows
    the new review instead of creating anything."""
    actor = await acting_person(update, context)
    if actor is None or not actor.is_admin:
        await answer(update, "Only admins can do that.", alert=True)
        return
    kept = context.chat_data.get(REVIEWS, {}) if context.chat_data is not None else {}
    pending = kept.pop(str(data.review), None)  # no await since: one tap takes it
    if pending is None:
        await answer(update, EXPIRED_BUTTON, alert=True)
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
    await show(update, context, f"Invited {plural(len(links), 'person', 'people')}: the links follow.")
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
    until = link.until.astimezone(context.settings.zone).strftime("%d %b %Y %H:%M")
    url = f"https://t.me/{context.bot.username}?start={link.token}"
    first = (
        f"{name} was added before and has not linked Telegram yet: a fresh link for them."
        if link.fresh
        else f"Guest added: <b>{name}</b> (not linked to Telegram yet)."
    )
    return "\n".join(
        [
            first,
            f"• Grant a pass: <code>/pass_grant {name}; &lt;template&gt;</code>",
            "• Book them: /sessions → open the session → ➕ Book a member",
            f"• When they want the bot, send them this link (it works once, until {until}); opening it links "
            f"their Telegram and keeps everything booked and granted:",
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
    "trainers": people_list(Role.TRAINER, "Trainers", "trainers"),
    "members": people_list(Role.MEMBER, "Members", "members"),
    "admins": people_list(Role.ADMIN, "Admins and owners", "admins"),
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
            await message.reply_text("Only admins can do that.")
            return
        try:
            reply = await command(context, actor, fields(message.text or "", name))
        except (UsageError, SetupError) as problem:
            reply = texts.usage(help_, str(problem))
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
        await answer(update, "Only admins can do that.", alert=True)
        return
    try:
        if isinstance(data, callbacks.AdminListPage):
            listing = await LISTS[data.what](context, actor, [])
        elif isinstance(data, callbacks.PassesPage):
            member, found = await passes_of_member(context.studio, actor.id, data.member_id)
            listing = await passes_listing(context, actor, member, found)
        else:
            await answer(update, EXPIRED_BUTTON, alert=True)
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
        await answer(update, "Only admins can do that.", alert=True)
        return
    if not isinstance(data, callbacks.ScheduleCard | callbacks.ScheduleAction):
        await answer(update, EXPIRED_BUTTON, alert=True)
        return
    try:
        found, names, templates = await schedules_screen(context.studio, actor.id)
    except DomainError as error:
        await answer(update, error_text(error)[:200], alert=True)
        return
    schedule = next((s for s in found if s.id == data.schedule_id), None)
    if schedule is None:
        await answer(update, EXPIRED_BUTTON, alert=True)
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
        lines.append(f"… {plural(len(schedule.eras) - ERAS_SHOWN, 'earlier change')}")
    for era in schedule.eras[-ERAS_SHOWN:]:  # its values before edits from a date on, the latest
        last = (era.until.astimezone(zone) - timedelta(days=1)).date()
        lines.append(
            f"Until {last:%a %d %b %Y}: {escape(era.title)} at {era.start_time:%H:%M}, "
            f"{int(era.duration.total_seconds() // 60)} min, {plural(era.default_capacity, 'spot')}, "
            f"{escape(names.space_name(era.default_space_id))}, {escape(names.trainer_name(era.default_trainer_id))}"
        )
    lines.append(f"Next session: {day_and_clock(upcoming[0], zone)}" if upcoming else "No session ahead.")
    return "\n".join(lines)


def card_buttons(schedule: Schedule) -> InlineKeyboardMarkup:
    def button(label: str, action: str) -> InlineKeyboardButton:
        return InlineKeyboardButton(label, callback_data=callbacks.ScheduleAction(schedule.id, action).encode())

    return InlineKeyboardMarkup(
        [
            [button("Edit", "edit"), button("End", "end"), button("Skip a date", "skip")],
            [InlineKeyboardButton("« Schedules", callback_data=callbacks.AdminListPage("schedules", 0).encode())],
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
        what = (
            f"Change <b>{title}</b> from a date on: send this line with the date and the values you change "
            "(leave out the others). Sessions before the date keep theirs; booked members are told."
        )
    elif action == "end":
        line = f"/schedule_end {values.title}; {day}"
        what = (
            f"End <b>{title}</b>: send this line with its last date. The sessions after it are cancelled, "
            "their bookings refunded and members told."
        )
    else:
        line = f"/schedule_skip {values.title}; {day}; reason for members"
        what = (
            f"Skip a date of <b>{title}</b>: send this line with the date and a reason. That session is "
            "cancelled, its bookings refunded and members told."
        )
    return f"{what}\n<code>{escape(line)}</code>"


def register(application: TraineryApplication) -> None:
    for name in RUNS:
        application.add_handler(CommandHandler(name, handler(name)))
    pages = callbacks.pattern(callbacks.AdminCallback)
    application.add_handler(CallbackQueryHandler(page_pressed, pattern=pages))
    cards = callbacks.pattern(callbacks.ScheduleCallback)
    application.add_handler(CallbackQueryHandler(schedule_pressed, pattern=cards))
