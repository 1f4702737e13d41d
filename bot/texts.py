"""Every text the bot sends. All of them are HTML (the application's default parse
mode): anything that comes from people — names, titles, reasons — goes through
`escape`, or Telegram refuses the message ("can't parse entities").

The texts are English message ids, translated where they are used (bot/i18n.py):
the constants here are marked with `N_` and shown with `_()`, in the language of
the person being answered."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bot.i18n import N_, _, pgettext
from bot.render import escape
from domain.roles import Role

# Every stale button (an old message, a changed list) says the same.
EXPIRED_BUTTON = N_("This button has expired. Nothing was changed.")

ABOUT = N_(
    "<b>Trainery</b> keeps this studio's training sessions in Telegram: trainers see "
    "and change their sessions, members book them and hear about every change."
)

# The command menu everyone sees (Telegram's default scope); descriptions translated when set.
MENU: tuple[tuple[str, str], ...] = (
    ("start", N_("What this bot is and what you can do")),
    ("help", N_("The commands you can use, with examples")),
)

STAFF = frozenset({Role.OWNER, Role.ADMIN, Role.TRAINER})
MEMBERS = frozenset({Role.MEMBER})
ANYONE: frozenset[Role] = frozenset()


@dataclass(frozen=True)
class CommandHelp:
    """A command as /help and the menus show it. `what`, and `usage` and `examples`
    where they hold words, are English message ids, translated where shown."""

    usage: str
    what: str
    examples: tuple[str, ...]
    roles: frozenset[Role]  # empty: anyone

    def open_to(self, roles: frozenset[Role]) -> bool:
        return not self.roles or bool(self.roles & roles)


COMMANDS: tuple[CommandHelp, ...] = (
    CommandHelp("/start", N_("what this bot is and what you can do"), ("/start",), ANYONE),
    CommandHelp("/help", N_("this list"), ("/help",), ANYONE),
    CommandHelp(
        N_("/sessions [range] [mine]"),
        N_(
            "sessions in a date range — today, tomorrow, this week, next week, a date (1.12 or 2026-12-01) "
            "or two (1.12 - 14.12); mine: only the sessions you lead"
        ),
        (N_("/sessions week"), "/sessions 1.12 - 14.12", N_("/sessions 2026-12-01 2026-12-14 mine")),
        STAFF,
    ),
    CommandHelp(
        "/cancel",
        N_("stop a change or cancellation you started; nothing is changed"),
        ("/cancel",),
        STAFF,
    ),
    CommandHelp(
        "/demo",
        N_("load a demo studio into an empty database, with invite links to try every flow"),
        ("/demo",),
        frozenset({Role.OWNER}),
    ),
    CommandHelp(
        "/my",
        N_("your upcoming bookings (cancel before the booking deadline), waitlist places and passes"),
        ("/my",),
        MEMBERS,
    ),
    CommandHelp(
        "/book",
        N_("book a session of the coming 14 days with your pass, or join the waitlist of a full one"),
        ("/book",),
        MEMBERS,
    ),
    CommandHelp(
        "/settings",
        N_("switch your reminders before booked sessions, or a trainer's morning list, on or off"),
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
        CommandHelp(
            N_("/space_add <name>[; <max capacity>]"), N_("add a space"), (N_("/space_add Studio C; 20"),), ADMINS
        ),
        CommandHelp("/spaces", N_("list the spaces"), ("/spaces",), ADMINS),
        CommandHelp(
            N_("/space_rename <space>; <new name>"),
            N_("rename a space"),
            (N_("/space_rename Studio C; Blue room"),),
            ADMINS,
        ),
        CommandHelp(
            N_("/space_capacity <space>; <max capacity or none>"),
            N_("change a space's maximum capacity (refused while sessions ahead there hold more)"),
            (N_("/space_capacity Studio C; 16"), N_("/space_capacity Studio C; none")),
            ADMINS,
        ),
        CommandHelp(
            N_("/space_close <space>"),
            N_("close a space: no sessions in it any more (refused while sessions ahead use it)"),
            (N_("/space_close Studio C"),),
            ADMINS,
        ),
        CommandHelp("/trainers", N_("list the trainers"), ("/trainers",), ADMINS),
        CommandHelp("/members", N_("list the members"), ("/members",), ADMINS),
        CommandHelp("/admins", N_("list the admins and owners"), ("/admins",), ADMINS),
        CommandHelp(
            N_("/invite_member <name>[, <name>…]"),
            N_(
                "invite members by deep link; many at once are shown for review first (who is new, who exists, "
                "who is named twice) and invited on Confirm — write “Anna Berg (new)” for another person of the same name"
            ),
            (N_("/invite_member Anna Berg, Ben Cole"),),
            ADMINS,
        ),
        CommandHelp(
            N_("/invite_trainer <name>"), N_("invite a trainer by deep link"), (N_("/invite_trainer Tom Hill"),), ADMINS
        ),
        CommandHelp(
            N_("/guest_add <name>"),
            N_(
                "add a guest member by name alone: grant passes and book them from a session card before they "
                "use Telegram; their link, once opened, keeps all of it (again for an unlinked guest: a fresh link)"
            ),
            (N_("/guest_add Anna Berg"),),
            ADMINS,
        ),
        CommandHelp(
            N_("/invite_admin <name>"),
            N_("invite an admin by deep link (owners)"),
            (N_("/invite_admin Ada Lane"),),
            frozenset({Role.OWNER}),
        ),
        CommandHelp(
            N_("/appoint <admin|trainer|member>; <name>"),
            N_("give someone of the studio another role (owners appoint admins)"),
            (N_("/appoint trainer; Anna Berg"),),
            ADMINS,
        ),
        CommandHelp(
            N_("/person_rename <name>; <new name>"),
            N_("correct someone's name"),
            (N_("/person_rename Ana Berg; Anna Berg"),),
            ADMINS,
        ),
        CommandHelp(
            N_("/role_remove <admin|trainer|member>; <name>"),
            N_("take a role away (owners take admins'); refused while they need it ahead"),
            (N_("/role_remove trainer; Anna Berg"),),
            ADMINS,
        ),
        CommandHelp(
            N_("/member_leave <member>"),
            N_("a member who left: bookings ahead cancelled and refunded, waitlist places and invite links dropped"),
            (N_("/member_leave Anna Berg"),),
            ADMINS,
        ),
        CommandHelp(
            N_("/template_add <name>; <sessions or unlimited>; <valid days>[; <schedule>, <schedule>…]"),
            N_("add a pass template and the schedules it covers"),
            (N_("/template_add 10 classes; 10; 60; Yoga, Pilates"),),
            ADMINS,
        ),
        CommandHelp("/templates", N_("list the pass templates"), ("/templates",), ADMINS),
        CommandHelp(
            N_("/template_rename <template>; <new name>"),
            N_("rename a pass template"),
            (N_("/template_rename 10 classes; Ten classes"),),
            ADMINS,
        ),
        CommandHelp(
            N_("/template_cover <template>; <schedule>, <schedule>… or none"),
            N_("change which schedules a pass template covers, for bookings from now on"),
            (N_("/template_cover 10 classes; Yoga, Pilates"),),
            ADMINS,
        ),
        CommandHelp(
            N_("/template_retire <template>"),
            N_("grant a pass template no more; its passes stay valid"),
            (N_("/template_retire 10 classes"),),
            ADMINS,
        ),
        CommandHelp(
            N_("/pass_grant <member>; <template>"),
            N_("grant a pass (a closed schedule's pass enrols the member)"),
            (N_("/pass_grant Anna Berg; 10 classes"),),
            ADMINS,
        ),
        CommandHelp(N_("/passes <member>"), N_("a member's passes"), (N_("/passes Anna Berg"),), ADMINS),
        CommandHelp(
            N_("/pass_extend <member>; <pass>; <days>"),
            N_("make a member's pass valid longer"),
            (N_("/pass_extend Anna Berg; 10 classes; 14"),),
            ADMINS,
        ),
        CommandHelp(
            N_("/pass_topup <member>; <pass>; <sessions>"),
            N_("add sessions to a member's pass"),
            (N_("/pass_topup Anna Berg; 10 classes; 2"),),
            ADMINS,
        ),
        CommandHelp(
            N_("/pass_close <member>; <pass>"),
            N_("close a member's pass: no new bookings with it (its bookings stay)"),
            (N_("/pass_close Anna Berg; 10 classes"),),
            ADMINS,
        ),
        CommandHelp(
            N_(
                "/schedule_add <title>; <repeats>; <first date>; <HH:MM>; <minutes>; <capacity>; <space>; "
                "<trainer>[; closed <template>][; private][; deadline <hours>][; confirm]"
            ),
            N_(
                "add a schedule; repeats: once, daily, weekly mon,thu or monthly, with every N, until a date or for N "
                "sessions. private: a 1:1 session (capacity 1) members never see in /book; its trainer or an admin "
                "books the member from the session card. A space or trainer busy then, or a monthly day some months "
                "lack, is shown first: send the line again with ; confirm to add it anyway"
            ),
            (
                N_("/schedule_add Yoga; weekly tue,thu until 2027-06-30; 2026-12-01; 18:00; 60; 12; Studio A; Tom"),
                N_("/schedule_add Anna PT; once; 2026-12-03; 08:00; 60; 1; Studio A; Tom; private"),
            ),
            ADMINS,
        ),
        CommandHelp("/schedules", N_("list the schedules"), ("/schedules",), ADMINS),
        CommandHelp(
            N_("/schedule_edit <title>; from <date>; <field> <value>[; …][; confirm]"),
            N_("change a schedule from a date on: title, time, duration, capacity, space or trainer"),
            (N_("/schedule_edit Yoga; from 2026-12-08; time 19:00; trainer Sue"),),
            ADMINS,
        ),
        CommandHelp(
            N_("/schedule_end <title>; <last date>[; confirm]"),
            N_("end a schedule; later sessions are cancelled and refunded"),
            (N_("/schedule_end Yoga; 2027-03-31"),),
            ADMINS,
        ),
        CommandHelp(
            N_("/schedule_skip <title>; <date>[; <reason>][; confirm]"),
            N_("skip a date; that session is cancelled and refunded"),
            (N_("/schedule_skip Yoga; 2026-12-24; Christmas Eve"),),
            ADMINS,
        ),
        CommandHelp(
            N_("/undelivered [page]"),
            N_("notifications members could not get, and why, newest first"),
            ("/undelivered", "/undelivered 2"),
            ADMINS,
        ),
    )
}

ROLE_LINES: dict[Role, str] = {
    Role.OWNER: N_(
        "You are the studio's <b>owner</b>: you can do everything an admin can and "
        "appoint admins. /sessions lists the sessions; you can change or cancel every one."
    ),
    Role.ADMIN: N_("You are an <b>admin</b>: you set the studio up and can change every session."),
    Role.TRAINER: N_(
        "You are a <b>trainer</b>: /sessions lists the sessions; you can change or cancel the ones you lead."
    ),
    Role.MEMBER: N_(
        "You are a <b>member</b>: /book books a session with your pass (or puts you "
        "on the waitlist of a full one), /my shows your bookings, waitlist places and passes; "
        "you hear here about every change to the sessions you booked."
    ),
}

# Whole sentences per role: the article, and in Ukrainian and German the noun's form, go with the role.
WELCOME: dict[Role, str] = {
    Role.OWNER: N_(
        "Welcome, {name}! This chat is now linked to the studio: you are an <b>owner</b>. "
        "Send /help for what you can do."
    ),
    Role.ADMIN: N_(
        "Welcome, {name}! This chat is now linked to the studio: you are an <b>admin</b>. "
        "Send /help for what you can do."
    ),
    Role.TRAINER: N_(
        "Welcome, {name}! This chat is now linked to the studio: you are a <b>trainer</b>. "
        "Send /help for what you can do."
    ),
    Role.MEMBER: N_(
        "Welcome, {name}! This chat is now linked to the studio: you are a <b>member</b>. "
        "Send /help for what you can do."
    ),
}

STRANGER = N_(
    "You are not part of this studio yet. Ask the studio's admin for an invite link: "
    "opening it links this chat to your profile."
)

NOT_UNDERSTOOD = N_("I did not understand that. Send /help for what you can do.")


def role_name(role: Role) -> str:
    """A role as a word in a list ("owner, admin"), in the reader's language."""
    names = {
        Role.OWNER: pgettext("role", "owner"),
        Role.ADMIN: pgettext("role", "admin"),
        Role.TRAINER: pgettext("role", "trainer"),
        Role.MEMBER: pgettext("role", "member"),
    }
    return names[role]


def either(items: Iterable[str]) -> str:
    """`a or b or c`: alternatives, each already HTML, joined in the reader's language."""
    joined = ""
    for item in items:
        joined = _("{first} or {second}").format(first=joined, second=item) if joined else item
    return joined


def unknown_command(command: str) -> str:
    return _("There is no command {command}. Send /help for the commands you can use.").format(command=escape(command))


def welcome(name: str, role: Role) -> str:
    return _(WELCOME[role]).format(name=escape(name))


def linked_already(name: str, roles: frozenset[Role]) -> str:
    """Someone opening their own invite link again: nothing to do, and they are told so."""
    held = ", ".join(role_name(role) for role in Role if role in roles) or _("no role yet")
    return _(
        "You are linked already, {name}: this chat belongs to you in the studio ({roles}). "
        "Nothing was changed. Send /help for what you can do."
    ).format(name=escape(name), roles=held)


def no_owner_yet(telegram_user_id: int) -> str:
    return "\n".join(
        [
            _("This studio has no owner yet. Your Telegram user id is <code>{id}</code>.").format(id=telegram_user_id),
            _(
                "To become the owner, set <code>TRAINERY_OWNER_IDS={id}</code> in the "
                "bot's environment or .env file and restart the bot."
            ).format(id=telegram_user_id),
        ]
    )


def start(first_name: str, roles: frozenset[Role], *, owners_configured: bool, user_id: int) -> str:
    parts = [_("Hello, {name}!").format(name=escape(first_name)), _(ABOUT)]
    parts += [_(line) for role, line in ROLE_LINES.items() if role in roles]
    if not owners_configured and Role.OWNER not in roles:
        parts.append(no_owner_yet(user_id))
    elif not roles:
        parts.append(_(STRANGER))
    parts.append(_("Send /help for the commands you can use."))
    return "\n\n".join(parts)


def menu() -> list[tuple[str, str]]:
    """The default command menu in the current language: (command, description)."""
    return [(name, _(about)) for name, about in MENU]


HELP_MESSAGE = 3500  # characters of one /help message: an admin's commands take several


def help_(roles: frozenset[Role]) -> list[str]:
    """The commands `roles` may use, in as many messages as Telegram's 4,096 characters need."""
    commands = (*COMMANDS, *ADMIN_COMMANDS.values())
    entries = [_help_entry(command) for command in commands if command.open_to(roles)]
    messages = [_("<b>Commands you can use</b>")]
    for entry in entries:
        if len(messages[-1]) + len(entry) + 2 > HELP_MESSAGE:
            messages.append(entry)
        else:
            messages[-1] += "\n\n" + entry
    return messages


def usage(command: CommandHelp, problem: str | None = None) -> str:
    """What a wrong or incomplete admin command answers: the problem (translated
    already), usage, example."""
    lines = [escape(problem)] if problem else []
    lines.append(_("Usage: <code>{usage}</code>").format(usage=escape(_(command.usage))))
    lines.append(_("Example: {examples}").format(examples=_examples(command)))
    lines.append(_("Nothing was changed."))
    return "\n".join(lines)


def _examples(command: CommandHelp) -> str:
    return either(f"<code>{escape(_(example))}</code>" for example in command.examples)


def _help_entry(command: CommandHelp) -> str:
    return "\n".join(
        [
            _("{usage} — {what}").format(usage=escape(_(command.usage)), what=escape(_(command.what))),
            _("Example: {examples}").format(examples=_examples(command)),
        ]
    )
