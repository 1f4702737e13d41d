"""Every text the bot sends. All of them are HTML (the application's default parse
mode): anything that comes from people — names, titles, reasons — goes through
`escape`, or Telegram refuses the message ("can't parse entities")."""

from __future__ import annotations

from dataclasses import dataclass

from bot.i18n import N_
from bot.render import escape
from domain.roles import Role

ABOUT = (
    "<b>Trainery</b> keeps this studio's training sessions in Telegram: trainers see "
    "and change their sessions, members book them and hear about every change."
)

# The command menu everyone sees (Telegram's default scope).
MENU: tuple[tuple[str, str], ...] = (
    ("start", "What this bot is and what you can do"),
    ("help", "The commands you can use, with examples"),
)

STAFF = frozenset({Role.OWNER, Role.ADMIN, Role.TRAINER})
MEMBERS = frozenset({Role.MEMBER})
ANYONE: frozenset[Role] = frozenset()


@dataclass(frozen=True)
class CommandHelp:
    usage: str
    what: str
    examples: tuple[str, ...]
    roles: frozenset[Role]  # empty: anyone

    def open_to(self, roles: frozenset[Role]) -> bool:
        return not self.roles or bool(self.roles & roles)


COMMANDS: tuple[CommandHelp, ...] = (
    CommandHelp("/start", "what this bot is and what you can do", ("/start",), ANYONE),
    CommandHelp("/help", "this list", ("/help",), ANYONE),
    CommandHelp(
        "/sessions [range] [mine]",
        "sessions in a date range — today, tomorrow, this week, next week, a date (1.12 or 2026-12-01) "
        "or two (1.12 - 14.12); mine: only the sessions you lead",
        ("/sessions week", "/sessions 1.12 - 14.12", "/sessions 2026-12-01 2026-12-14 mine"),
        STAFF,
    ),
    CommandHelp(
        "/cancel",
        "stop a change or cancellation you started; nothing is changed",
        ("/cancel",),
        STAFF,
    ),
    CommandHelp(
        "/demo",
        "load a demo studio into an empty database, with invite links to try every flow",
        ("/demo",),
        frozenset({Role.OWNER}),
    ),
    CommandHelp(
        "/my",
        "your upcoming bookings (cancel before the booking deadline), waitlist places and passes",
        ("/my",),
        MEMBERS,
    ),
    CommandHelp(
        "/book",
        "book a session of the coming 14 days with your pass, or join the waitlist of a full one",
        ("/book",),
        MEMBERS,
    ),
    CommandHelp(
        "/settings",
        "switch your reminders before booked sessions, or a trainer's morning list, on or off",
        ("/settings",),
        frozenset(Role),
    ),
    CommandHelp("/language", N_("choose the language this bot speaks with you"), ("/language",), frozenset(Role)),
)

ADMINS = frozenset({Role.OWNER, Role.ADMIN})

# One line per object and verb (SPEC §4); fields are separated by “;”.
ADMIN_COMMANDS: dict[str, CommandHelp] = {
    command.usage.split()[0][1:]: command
    for command in (
        CommandHelp("/space_add <name>[; <max capacity>]", "add a space", ("/space_add Studio C; 20",), ADMINS),
        CommandHelp("/spaces", "list the spaces", ("/spaces",), ADMINS),
        CommandHelp(
            "/space_rename <space>; <new name>", "rename a space", ("/space_rename Studio C; Blue room",), ADMINS
        ),
        CommandHelp(
            "/space_capacity <space>; <max capacity or none>",
            "change a space's maximum capacity (refused while sessions ahead there hold more)",
            ("/space_capacity Studio C; 16", "/space_capacity Studio C; none"),
            ADMINS,
        ),
        CommandHelp(
            "/space_close <space>",
            "close a space: no sessions in it any more (refused while sessions ahead use it)",
            ("/space_close Studio C",),
            ADMINS,
        ),
        CommandHelp("/trainers", "list the trainers", ("/trainers",), ADMINS),
        CommandHelp("/members", "list the members", ("/members",), ADMINS),
        CommandHelp("/admins", "list the admins and owners", ("/admins",), ADMINS),
        CommandHelp(
            "/invite_member <name>[, <name>…]",
            "invite members by deep link; many at once are shown for review first (who is new, who exists, "
            "who is named twice) and invited on Confirm — write “Anna Berg (new)” for another person of the same name",
            ("/invite_member Anna Berg, Ben Cole",),
            ADMINS,
        ),
        CommandHelp("/invite_trainer <name>", "invite a trainer by deep link", ("/invite_trainer Tom Hill",), ADMINS),
        CommandHelp(
            "/guest_add <name>",
            "add a guest member by name alone: grant passes and book them from a session card before they "
            "use Telegram; their link, once opened, keeps all of it (again for an unlinked guest: a fresh link)",
            ("/guest_add Anna Berg",),
            ADMINS,
        ),
        CommandHelp(
            "/invite_admin <name>",
            "invite an admin by deep link (owners)",
            ("/invite_admin Ada Lane",),
            frozenset({Role.OWNER}),
        ),
        CommandHelp(
            "/appoint <admin|trainer|member>; <name>",
            "give someone of the studio another role (owners appoint admins)",
            ("/appoint trainer; Anna Berg",),
            ADMINS,
        ),
        CommandHelp(
            "/person_rename <name>; <new name>",
            "correct someone's name",
            ("/person_rename Ana Berg; Anna Berg",),
            ADMINS,
        ),
        CommandHelp(
            "/role_remove <admin|trainer|member>; <name>",
            "take a role away (owners take admins'); refused while they need it ahead",
            ("/role_remove trainer; Anna Berg",),
            ADMINS,
        ),
        CommandHelp(
            "/member_leave <member>",
            "a member who left: bookings ahead cancelled and refunded, waitlist places and invite links dropped",
            ("/member_leave Anna Berg",),
            ADMINS,
        ),
        CommandHelp(
            "/template_add <name>; <sessions or unlimited>; <valid days>[; <schedule>, <schedule>…]",
            "add a pass template and the schedules it covers",
            ("/template_add 10 classes; 10; 60; Yoga, Pilates",),
            ADMINS,
        ),
        CommandHelp("/templates", "list the pass templates", ("/templates",), ADMINS),
        CommandHelp(
            "/template_rename <template>; <new name>",
            "rename a pass template",
            ("/template_rename 10 classes; Ten classes",),
            ADMINS,
        ),
        CommandHelp(
            "/template_cover <template>; <schedule>, <schedule>… or none",
            "change which schedules a pass template covers, for bookings from now on",
            ("/template_cover 10 classes; Yoga, Pilates",),
            ADMINS,
        ),
        CommandHelp(
            "/template_retire <template>",
            "grant a pass template no more; its passes stay valid",
            ("/template_retire 10 classes",),
            ADMINS,
        ),
        CommandHelp(
            "/pass_grant <member>; <template>",
            "grant a pass (a closed schedule's pass enrols the member)",
            ("/pass_grant Anna Berg; 10 classes",),
            ADMINS,
        ),
        CommandHelp("/passes <member>", "a member's passes", ("/passes Anna Berg",), ADMINS),
        CommandHelp(
            "/pass_extend <member>; <pass>; <days>",
            "make a member's pass valid longer",
            ("/pass_extend Anna Berg; 10 classes; 14",),
            ADMINS,
        ),
        CommandHelp(
            "/pass_topup <member>; <pass>; <sessions>",
            "add sessions to a member's pass",
            ("/pass_topup Anna Berg; 10 classes; 2",),
            ADMINS,
        ),
        CommandHelp(
            "/pass_close <member>; <pass>",
            "close a member's pass: no new bookings with it (its bookings stay)",
            ("/pass_close Anna Berg; 10 classes",),
            ADMINS,
        ),
        CommandHelp(
            "/schedule_add <title>; <repeats>; <first date>; <HH:MM>; <minutes>; <capacity>; <space>; "
            "<trainer>[; closed <template>][; private][; deadline <hours>][; confirm]",
            "add a schedule; repeats: once, daily, weekly mon,thu or monthly, with every N, until a date or for N "
            "sessions. private: a 1:1 session (capacity 1) members never see in /book; its trainer or an admin "
            "books the member from the session card. A space or trainer busy then, or a monthly day some months "
            "lack, is shown first: send the line again with ; confirm to add it anyway",
            (
                "/schedule_add Yoga; weekly tue,thu until 2027-06-30; 2026-12-01; 18:00; 60; 12; Studio A; Tom",
                "/schedule_add Anna PT; once; 2026-12-03; 08:00; 60; 1; Studio A; Tom; private",
            ),
            ADMINS,
        ),
        CommandHelp("/schedules", "list the schedules", ("/schedules",), ADMINS),
        CommandHelp(
            "/schedule_edit <title>; from <date>; <field> <value>[; …][; confirm]",
            "change a schedule from a date on: title, time, duration, capacity, space or trainer",
            ("/schedule_edit Yoga; from 2026-12-08; time 19:00; trainer Sue",),
            ADMINS,
        ),
        CommandHelp(
            "/schedule_end <title>; <last date>[; confirm]",
            "end a schedule; later sessions are cancelled and refunded",
            ("/schedule_end Yoga; 2027-03-31",),
            ADMINS,
        ),
        CommandHelp(
            "/schedule_skip <title>; <date>[; <reason>][; confirm]",
            "skip a date; that session is cancelled and refunded",
            ("/schedule_skip Yoga; 2026-12-24; Christmas Eve",),
            ADMINS,
        ),
        CommandHelp(
            "/undelivered [page]",
            "notifications members could not get, and why, newest first",
            ("/undelivered", "/undelivered 2"),
            ADMINS,
        ),
    )
}

ROLE_LINES: dict[Role, str] = {
    Role.OWNER: "You are the studio's <b>owner</b>: you can do everything an admin can and "
    "appoint admins. /sessions lists the sessions; you can change or cancel every one.",
    Role.ADMIN: "You are an <b>admin</b>: you set the studio up and can change every session.",
    Role.TRAINER: "You are a <b>trainer</b>: /sessions lists the sessions; you can change or cancel the ones you lead.",
    Role.MEMBER: "You are a <b>member</b>: /book books a session with your pass (or puts you "
    "on the waitlist of a full one), /my shows your bookings, waitlist places and passes; "
    "you hear here about every change to the sessions you booked.",
}

STRANGER = (
    "You are not part of this studio yet. Ask the studio's admin for an invite link: "
    "opening it links this chat to your profile."
)

NOT_UNDERSTOOD = "I did not understand that. Send /help for what you can do."


def unknown_command(command: str) -> str:
    return f"There is no command {escape(command)}. Send /help for the commands you can use."


def welcome(name: str, role: Role) -> str:
    return (
        f"Welcome, {escape(name)}! This chat is now linked to the studio: you are "
        f"{'an' if role is Role.ADMIN else 'a'} <b>{role.value}</b>. Send /help for what you can do."
    )


def linked_already(name: str, roles: frozenset[Role]) -> str:
    """Someone opening their own invite link again: nothing to do, and they are told so."""
    held = ", ".join(role.value for role in Role if role in roles) or "no role yet"
    return (
        f"You are linked already, {escape(name)}: this chat belongs to you in the studio ({held}). "
        "Nothing was changed. Send /help for what you can do."
    )


def no_owner_yet(telegram_user_id: int) -> str:
    return (
        f"This studio has no owner yet. Your Telegram user id is <code>{telegram_user_id}</code>.\n"
        f"To become the owner, set <code>TRAINERY_OWNER_IDS={telegram_user_id}</code> in the "
        "bot's environment or .env file and restart the bot."
    )


def start(first_name: str, roles: frozenset[Role], *, owners_configured: bool, user_id: int) -> str:
    parts = [f"Hello, {escape(first_name)}!", ABOUT]
    parts += [line for role, line in ROLE_LINES.items() if role in roles]
    if not owners_configured and Role.OWNER not in roles:
        parts.append(no_owner_yet(user_id))
    elif not roles:
        parts.append(STRANGER)
    parts.append("Send /help for the commands you can use.")
    return "\n\n".join(parts)


HELP_MESSAGE = 3500  # characters of one /help message: an admin's commands take several


def help_(roles: frozenset[Role]) -> list[str]:
    """The commands `roles` may use, in as many messages as Telegram's 4,096 characters need."""
    commands = (*COMMANDS, *ADMIN_COMMANDS.values())
    entries = [_help_entry(command) for command in commands if command.open_to(roles)]
    messages = ["<b>Commands you can use</b>"]
    for entry in entries:
        if len(messages[-1]) + len(entry) + 2 > HELP_MESSAGE:
            messages.append(entry)
        else:
            messages[-1] += "\n\n" + entry
    return messages


def usage(command: CommandHelp, problem: str | None = None) -> str:
    """What a wrong or incomplete admin command answers: the problem, usage, example."""
    lines = [escape(problem)] if problem else []
    lines.append(f"Usage: <code>{escape(command.usage)}</code>")
    lines.append("Example: " + " or ".join(f"<code>{escape(e)}</code>" for e in command.examples))
    lines.append("Nothing was changed.")
    return "\n".join(lines)


def _help_entry(command: CommandHelp) -> str:
    examples = " or ".join(f"<code>{escape(example)}</code>" for example in command.examples)
    return f"{escape(command.usage)} — {escape(command.what)}\nExample: {examples}"
