"""Correcting the setup (issue 14): one-line commands that rename, change, retire or
close what an admin set up, and let a member go. Each parses its “;”-separated
fields and calls one domain command (domain/setup/spaces, pass_edits, leaving),
which checks the permission and refuses — naming what is in the way — whatever
would leave a session ahead wrong. A wrong line answers with usage and an example."""

from __future__ import annotations

from telegram.ext import CommandHandler

from bot import language
from bot.admin.commands import (
    Run,
    describe_pass,
    describe_template,
    handler,
    label_of,
    need,
    role_named,
    whole,
)
from bot.context import TraineryApplication, TraineryContext
from bot.menus import refresh_menu
from bot.render import escape, plural
from domain.passes import Pass
from domain.roles import Person, Role
from domain.setup.leaving import member_leave, remove_role, rename_person
from domain.setup.pass_edits import (
    close_pass,
    cover_template,
    extend_pass,
    rename_template,
    retire_template,
    topup_pass,
)
from domain.setup.passes import templates as list_templates
from domain.setup.people import labels
from domain.setup.schedules import list_schedules
from domain.setup.spaces import close_space, rename_space, set_space_maximum

NONE = "none"  # no maximum capacity; a template that covers no schedule


async def space_rename(context: TraineryContext, actor: Person, args: list[str]) -> str:
    need(args, 2, 2)
    space = await rename_space(context.studio, actor.id, args[0], args[1])
    return f"Space renamed: it is <b>{escape(space.name)}</b> now."


async def space_capacity(context: TraineryContext, actor: Person, args: list[str]) -> str:
    need(args, 2, 2)
    maximum = None if args[1].lower() == NONE else whole(args[1], "maximum capacity")
    space = await set_space_maximum(context.studio, actor.id, args[0], maximum)
    limit = f"holds at most {space.max_capacity}" if space.max_capacity else "has no maximum capacity"
    return f"<b>{escape(space.name)}</b> {limit} now."


async def space_close(context: TraineryContext, actor: Person, args: list[str]) -> str:
    need(args, 1, 1)
    space = await close_space(context.studio, actor.id, args[0])
    return f"Space closed: <b>{escape(space.name)}</b>. No session can use it any more; past sessions keep it."


async def template_rename(context: TraineryContext, actor: Person, args: list[str]) -> str:
    need(args, 2, 2)
    template = await rename_template(context.studio, actor.id, args[0], args[1])
    return f"Pass template renamed: <b>{escape(template.name)}</b>; its passes show the new name."


async def template_cover(context: TraineryContext, actor: Person, args: list[str]) -> str:
    need(args, 2, 2)
    titles = [] if args[1].lower() == NONE else [t.strip() for t in args[1].split(",") if t.strip()]
    template = await cover_template(context.studio, actor.id, args[0], titles)
    described = describe_template(template, await list_schedules(context.studio, actor.id))
    return f"Pass template changed: {described}. Bookings from now on follow it; bookings made already stay."


async def template_retire(context: TraineryContext, actor: Person, args: list[str]) -> str:
    need(args, 1, 1)
    template = await retire_template(context.studio, actor.id, args[0])
    return (
        f"Pass template retired: <b>{escape(template.name)}</b>. It is granted no more; "
        "passes granted with it stay valid."
    )


async def pass_extend(context: TraineryContext, actor: Person, args: list[str]) -> str:
    need(args, 3, 3)
    pass_ = await extend_pass(context.studio, actor.id, args[0], args[1], whole(args[2], "number of days"))
    return f"Extended by {plural(int(args[2]), 'day')}: {await whose(context, actor, pass_)}."


async def pass_topup(context: TraineryContext, actor: Person, args: list[str]) -> str:
    need(args, 3, 3)
    pass_ = await topup_pass(context.studio, actor.id, args[0], args[1], whole(args[2], "number of sessions"))
    return f"Topped up by {plural(int(args[2]), 'session')}: {await whose(context, actor, pass_)}."


async def pass_close(context: TraineryContext, actor: Person, args: list[str]) -> str:
    need(args, 2, 2)
    pass_ = await close_pass(context.studio, actor.id, args[0], args[1])
    return f"Closed: {await whose(context, actor, pass_)}. No new bookings with it; the bookings made with it stay."


async def whose(context: TraineryContext, actor: Person, pass_: Pass) -> str:
    template = next(t for t in await list_templates(context.studio, actor.id) if t.id == pass_.template_id)
    people = await labels(context.studio, actor.id)
    return f"{escape(people.get(pass_.member_id, ''))}'s {describe_pass(pass_, template, context)}"


async def person_rename(context: TraineryContext, actor: Person, args: list[str]) -> str:
    need(args, 2, 2)
    person = await rename_person(context.studio, actor.id, args[0], args[1])
    return f"Renamed: {escape(args[0])} is {escape(await label_of(context, actor, person))} now."


async def role_remove(context: TraineryContext, actor: Person, args: list[str]) -> str:
    need(args, 2, 2)
    role = role_named(args[0])
    person = await remove_role(context.studio, actor.id, role, args[1])
    await menu_of(context, person)
    gone = "" if person.active else " They hold no role now, so their chat is no longer the studio's."
    return f"{escape(await label_of(context, actor, person))} is no longer {_a(role)}.{gone}"


async def leave(context: TraineryContext, actor: Person, args: list[str]) -> str:
    need(args, 1, 1)
    gone = await member_leave(context.studio, actor.id, args[0])
    await menu_of(context, gone.person)
    done = [
        f"{plural(gone.cancelled, 'booking')} ahead cancelled, the sessions returned to their passes",
        f"{plural(gone.unqueued, 'waitlist place')} dropped",
        f"{plural(gone.revoked, 'unused invite link')} revoked",
    ]
    promoted = f" {plural(gone.promoted, 'member')} in line got a freed spot." if gone.promoted else ""
    name = escape(await label_of(context, actor, gone.person))
    return f"{name} is no longer a member: {'; '.join(done)}.{promoted}"


async def menu_of(context: TraineryContext, person: Person) -> None:
    chat = person.chat_id or person.telegram_user_id
    if chat is not None:  # their menu loses the role's commands at once
        roles = person.roles if person.active else frozenset()
        await refresh_menu(context.bot, chat, roles, await language.of_person(context, person))


def _a(role: Role) -> str:
    return f"an {role.value}" if role.value[0] in "aeiou" else f"a {role.value}"


RUNS: dict[str, Run] = {
    "space_rename": space_rename,
    "space_capacity": space_capacity,
    "space_close": space_close,
    "template_rename": template_rename,
    "template_cover": template_cover,
    "template_retire": template_retire,
    "pass_extend": pass_extend,
    "pass_topup": pass_topup,
    "pass_close": pass_close,
    "person_rename": person_rename,
    "role_remove": role_remove,
    "member_leave": leave,
}


def register(application: TraineryApplication) -> None:
    for name, run in RUNS.items():
        application.add_handler(CommandHandler(name, handler(name, run)))
