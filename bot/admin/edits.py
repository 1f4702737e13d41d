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
from bot.i18n import N_, _, ngettext
from bot.menus import refresh_menu
from bot.render import escape
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
    return _("Space renamed: it is <b>{name}</b> now.").format(name=escape(space.name))


async def space_capacity(context: TraineryContext, actor: Person, args: list[str]) -> str:
    need(args, 2, 2)
    maximum = None if args[1].lower() == NONE else whole(args[1], N_("maximum capacity"))
    space = await set_space_maximum(context.studio, actor.id, args[0], maximum)
    if space.max_capacity:
        return _("<b>{name}</b> holds at most {maximum} now.").format(
            name=escape(space.name), maximum=space.max_capacity
        )
    return _("<b>{name}</b> has no maximum capacity now.").format(name=escape(space.name))


async def space_close(context: TraineryContext, actor: Person, args: list[str]) -> str:
    need(args, 1, 1)
    space = await close_space(context.studio, actor.id, args[0])
    return _("Space closed: <b>{name}</b>. No session can use it any more; past sessions keep it.").format(
        name=escape(space.name)
    )


async def template_rename(context: TraineryContext, actor: Person, args: list[str]) -> str:
    need(args, 2, 2)
    template = await rename_template(context.studio, actor.id, args[0], args[1])
    return _("Pass template renamed: <b>{name}</b>; its passes show the new name.").format(name=escape(template.name))


async def template_cover(context: TraineryContext, actor: Person, args: list[str]) -> str:
    need(args, 2, 2)
    titles = [] if args[1].lower() == NONE else [t.strip() for t in args[1].split(",") if t.strip()]
    template = await cover_template(context.studio, actor.id, args[0], titles)
    described = describe_template(template, await list_schedules(context.studio, actor.id))
    return _("Pass template changed: {template}. Bookings from now on follow it; bookings made already stay.").format(
        template=described
    )


async def template_retire(context: TraineryContext, actor: Person, args: list[str]) -> str:
    need(args, 1, 1)
    template = await retire_template(context.studio, actor.id, args[0])
    return _("Pass template retired: <b>{name}</b>. It is granted no more; passes granted with it stay valid.").format(
        name=escape(template.name)
    )


async def pass_extend(context: TraineryContext, actor: Person, args: list[str]) -> str:
    need(args, 3, 3)
    days = whole(args[2], N_("number of days"))
    pass_ = await extend_pass(context.studio, actor.id, args[0], args[1], days)
    text = ngettext("Extended by {n} day: {pass_}.", "Extended by {n} days: {pass_}.", days)
    return text.format(n=days, pass_=await whose(context, actor, pass_))


async def pass_topup(context: TraineryContext, actor: Person, args: list[str]) -> str:
    need(args, 3, 3)
    sessions = whole(args[2], N_("number of sessions"))
    pass_ = await topup_pass(context.studio, actor.id, args[0], args[1], sessions)
    text = ngettext("Topped up by {n} session: {pass_}.", "Topped up by {n} sessions: {pass_}.", sessions)
    return text.format(n=sessions, pass_=await whose(context, actor, pass_))


async def pass_close(context: TraineryContext, actor: Person, args: list[str]) -> str:
    need(args, 2, 2)
    pass_ = await close_pass(context.studio, actor.id, args[0], args[1])
    return _("Closed: {pass_}. No new bookings with it; the bookings made with it stay.").format(
        pass_=await whose(context, actor, pass_)
    )


async def whose(context: TraineryContext, actor: Person, pass_: Pass) -> str:
    template = next(t for t in await list_templates(context.studio, actor.id) if t.id == pass_.template_id)
    people = await labels(context.studio, actor.id)
    # One id for the member and their pass: a language may name the owner after the pass.
    return _("{member}'s {pass_}").format(
        member=escape(people.get(pass_.member_id, "")), pass_=describe_pass(pass_, template, context)
    )


async def person_rename(context: TraineryContext, actor: Person, args: list[str]) -> str:
    need(args, 2, 2)
    person = await rename_person(context.studio, actor.id, args[0], args[1])
    return _("Renamed: {before} is {after} now.").format(
        before=escape(args[0]), after=escape(await label_of(context, actor, person))
    )


async def role_remove(context: TraineryContext, actor: Person, args: list[str]) -> str:
    need(args, 2, 2)
    role = role_named(args[0])
    person = await remove_role(context.studio, actor.id, role, args[1])
    await menu_of(context, person)
    lines = [_(NO_LONGER[role]).format(name=escape(await label_of(context, actor, person)))]
    if not person.active:
        lines.append(_("They hold no role now, so their chat is no longer the studio's."))
    return " ".join(lines)


async def leave(context: TraineryContext, actor: Person, args: list[str]) -> str:
    need(args, 1, 1)
    gone = await member_leave(context.studio, actor.id, args[0])
    await menu_of(context, gone.person)
    # Each count its own clause (its own plural forms); the clauses are listed, not joined into one sentence.
    done = [
        ngettext(
            "{n} booking ahead cancelled, the sessions returned to their passes",
            "{n} bookings ahead cancelled, the sessions returned to their passes",
            gone.cancelled,
        ).format(n=gone.cancelled),
        ngettext("{n} waitlist place dropped", "{n} waitlist places dropped", gone.unqueued).format(n=gone.unqueued),
        ngettext("{n} unused invite link revoked", "{n} unused invite links revoked", gone.revoked).format(
            n=gone.revoked
        ),
    ]
    name = escape(await label_of(context, actor, gone.person))
    lines = [_("{name} is no longer a member: {done}.").format(name=name, done="; ".join(done))]
    if gone.promoted:
        lines.append(
            ngettext(
                "{n} member in line got a freed spot.", "{n} members in line got a freed spot.", gone.promoted
            ).format(n=gone.promoted)
        )
    return " ".join(lines)


async def menu_of(context: TraineryContext, person: Person) -> None:
    chat = person.chat_id or person.telegram_user_id
    if chat is not None:  # their menu loses the role's commands at once
        roles = person.roles if person.active else frozenset()
        await refresh_menu(context.bot, chat, roles, await language.of_person(context, person))


# One sentence per role: the article and the role's word differ in every language.
NO_LONGER: dict[Role, str] = {
    Role.OWNER: N_("{name} is no longer an owner."),
    Role.ADMIN: N_("{name} is no longer an admin."),
    Role.TRAINER: N_("{name} is no longer a trainer."),
    Role.MEMBER: N_("{name} is no longer a member."),
}


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
