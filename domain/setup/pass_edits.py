"""Correcting pass templates and passes (issue 14).

A template is renamed, has what it covers changed, or is retired. Passes read what
their template covers when a booking is made, so a new cover holds for bookings
from now on and bookings made already stay. A retired template is granted no more;
the passes granted with it stay valid.

A pass is extended (a later expiry), topped up (sessions added: a `topup` entry in
its ledger, so its balance stays the sum of its ledger) or closed (no new bookings
with it; bookings made with it stay, and a later cancellation still refunds it).
Each locks the pass first, as bookings do after their occurrence."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from domain.passes import Pass, PassTemplate, topup_entry
from domain.permissions import require_admin
from domain.ports import UnitOfWork
from domain.reminders.withdraw import pass_changed
from domain.roles import Person, Role
from domain.setup.names import SetupError, clean_name, labelled, match, open_pass_of, person_named
from domain.setup.passes import _open_schedule, _schedule_named
from domain.studio import Studio
from domain.wording import N_, ngettext

MOST_DAYS = 3660  # an extension of ten years is surely a typo
MOST_SESSIONS = 1000


# -- templates ------------------------------------------------------------------------


async def _template(uow: UnitOfWork, actor_id: int, name: str) -> PassTemplate:
    require_admin(await uow.people.get(actor_id))
    return match(name, [(t.name, t) for t in await uow.passes.templates()], "pass template")


async def rename_template(studio: Studio, actor_id: int, name: str, new_name: str) -> PassTemplate:
    async def command(uow: UnitOfWork) -> PassTemplate:
        template = await _template(uow, actor_id, name)
        new = clean_name(new_name, "pass template")
        same = await uow.passes.template_named(new)
        if same is not None and same.id != template.id:
            raise SetupError(N_("A pass template called “{name}” exists already."), name=new)
        return await uow.passes.save_template(replace(template, name=new))

    return await studio.change(command)


async def cover_template(studio: Studio, actor_id: int, name: str, schedule_titles: list[str]) -> PassTemplate:
    """What the template covers from now on: exactly the open schedules named."""

    async def command(uow: UnitOfWork) -> PassTemplate:
        template = await _template(uow, actor_id, name)
        schedules, templates = await uow.schedules.all(), await uow.passes.templates()
        owner = next((s for s in schedules if s.closed and s.pass_template_id == template.id), None)
        if owner is not None:
            raise SetupError(
                N_(
                    "“{name}” is the closed schedule {title}'s own pass: it covers {title} "
                    "alone. For other schedules, add a template with /template_add."
                ),
                name=template.name,
                title=owner.title,
            )
        covered = frozenset(_open_schedule(_schedule_named(schedules, t), templates).id for t in schedule_titles)
        return await uow.passes.save_template(replace(template, covered_schedule_ids=covered))

    return await studio.change(command)


async def retire_template(studio: Studio, actor_id: int, name: str) -> PassTemplate:
    async def command(uow: UnitOfWork) -> PassTemplate:
        template = await _template(uow, actor_id, name)
        if not template.active:
            raise SetupError(N_("“{name}” is retired already."), name=template.name)
        return await uow.passes.save_template(replace(template, active=False))

    return await studio.change(command)


# -- passes ---------------------------------------------------------------------------


async def pass_labels(uow: UnitOfWork, passes: list[Pass]) -> dict[int, str]:
    """Pass id -> its template's name, with `#id` where the member holds two of one template."""
    names = {t.id: t.name for t in await uow.passes.templates()}
    return {p.id: label for label, p in labelled((names[p.template_id], p) for p in passes)}


async def _locked_pass(uow: UnitOfWork, actor_id: int, member_name: str, pass_name: str) -> tuple[Person, Pass]:
    """The member's open pass named (`10 classes`, or `10 classes #12` when they hold
    two), locked; refused when it was closed meanwhile."""
    require_admin(await uow.people.get(actor_id))
    member = await person_named(uow, member_name, Role.MEMBER)
    passes = await uow.passes.of_member(member.id)
    names = {t.id: t.name for t in await uow.passes.templates()}
    chosen = match(pass_name, [(names[p.template_id], p) for p in passes if p.active], open_pass_of(member.name))
    [locked] = await uow.passes.lock([chosen.id])
    if not locked.active:
        raise SetupError(N_("That pass of {name} is closed; grant a new one with /pass_grant."), name=member.name)
    return member, locked


async def extend_pass(studio: Studio, actor_id: int, member: str, pass_name: str, days: int) -> Pass:
    """The pass valid `days` longer than it was (an expired one too, if that reaches past now)."""

    async def command(uow: UnitOfWork) -> Pass:
        if not 0 < days <= MOST_DAYS:
            raise SetupError(N_("Extend by a number of days from 1 to {most}, e.g. 14."), most=MOST_DAYS)
        who, pass_ = await _locked_pass(uow, actor_id, member, pass_name)
        until = pass_.expires_at + timedelta(days=days)
        if until <= studio.now():
            late = (studio.now() - pass_.expires_at).days + 1
            raise SetupError(
                ngettext(
                    "That pass expired {n} days ago: {more} end in the past too.",
                    "That pass expired {n} days ago: {more} end in the past too.",
                    late,
                    more=ngettext("{n} more days", "{n} more days", days),
                )
            )
        await pass_changed(uow, pass_.id)  # an unsent "expires soon" names the old date
        return await uow.passes.save(replace(pass_, expires_at=until))

    return await studio.change(command)


async def topup_pass(studio: Studio, actor_id: int, member: str, pass_name: str, sessions: int) -> Pass:
    """`sessions` more on the pass: a `topup` ledger entry moves the balance."""

    async def command(uow: UnitOfWork) -> Pass:
        if not 0 < sessions <= MOST_SESSIONS:
            raise SetupError(N_("Add a number of sessions from 1 to {most}, e.g. 5."), most=MOST_SESSIONS)
        who, pass_ = await _locked_pass(uow, actor_id, member, pass_name)
        if pass_.unlimited:
            raise SetupError(N_("That pass of {name} is unlimited already: no sessions to add."), name=who.name)
        await uow.passes.record([topup_entry(pass_.id, sessions, studio.now())])
        await pass_changed(uow, pass_.id)  # an unsent warning counts the sessions before
        found = await uow.passes.get(pass_.id)
        assert found is not None
        return found

    return await studio.change(command)


async def close_pass(studio: Studio, actor_id: int, member: str, pass_name: str) -> Pass:
    """No new bookings with the pass; its bookings stay (and refund it if cancelled)."""

    async def command(uow: UnitOfWork) -> Pass:
        _, pass_ = await _locked_pass(uow, actor_id, member, pass_name)
        await pass_changed(uow, pass_.id)  # no warning of a closed pass
        return await uow.passes.save(replace(pass_, active=False))

    return await studio.change(command)
