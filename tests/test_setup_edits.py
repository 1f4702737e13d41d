"""Issue 14 in the domain, on SQLite and PostgreSQL: correcting spaces, pass
templates, passes and people, each refusal with its message and nothing changed,
and each edit's effect on sessions, bookings, passes and notices ahead."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from domain.bookings.book import book_session
from domain.bookings.cancel import cancel_booking
from domain.bookings.waitlist import join_waitlist
from domain.errors import DomainError, NotAllowed, NotFound
from domain.override import OverrideRequest
from domain.passes import LedgerKind
from domain.roles import Role
from domain.sessions.override import save_override
from domain.setup.invites import ReviewChanged, confirm_invites, invite, review_invites
from domain.setup.leaving import member_leave, remove_role, rename_person
from domain.setup.names import SetupError
from domain.setup.pass_edits import (
    close_pass,
    cover_template,
    extend_pass,
    rename_template,
    retire_template,
    topup_pass,
)
from domain.setup.passes import add_template, grant_pass, passes_of, templates
from domain.setup.people import appoint, find_person
from domain.setup.spaces import add_space, close_space, list_spaces, rename_space, set_space_maximum
from storage.models import BookingRow, InviteRow, PersonRow, WaitlistRow
from storage.unit_of_work import SqlUnitOfWork
from tests.world import World

TUESDAY, THURSDAY = date(2026, 12, 1), date(2026, 12, 3)


async def spaces(world: World) -> dict[str, tuple[int | None, bool]]:
    return {s.name: (s.max_capacity, s.active) for s in await list_spaces(world.studio, world.admin)}


# -- spaces --------------------------------------------------------------------------------


async def test_a_space_is_renamed_and_a_taken_name_refused(world: World) -> None:
    assert (await rename_space(world.studio, world.admin, "studio a", "  Main   hall ")).name == "Main hall"
    with pytest.raises(SetupError, match="A space called “studio b” exists already."):
        await rename_space(world.studio, world.admin, "main", "studio b")
    with pytest.raises(NotAllowed):
        await rename_space(world.studio, world.trainer, "main", "Gym")
    assert await spaces(world) == {"Main hall": (None, True), "Studio B": (8, True)}


async def test_a_maximum_below_a_session_ahead_is_refused_naming_them(world: World) -> None:
    with pytest.raises(SetupError) as refused:
        await set_space_maximum(world.studio, world.admin, "Studio A", 8)
    assert refused.value.text.startswith(
        "105 sessions ahead in Studio A hold more than 8: Yoga Tue 01 Dec 18:00, Yoga Thu 03 Dec 18:00, "
        "Yoga Tue 08 Dec 18:00 and 102 more. Lower their capacity first"
    )
    await save_override(world.studio, world.admin, world.yoga_on(TUESDAY), OverrideRequest(capacity=12), confirmed=True)
    with pytest.raises(SetupError, match="^1 session ahead in Studio A hold more than 10: Yoga Tue 01 Dec 18:00."):
        await set_space_maximum(world.studio, world.admin, "Studio A", 10)
    assert await spaces(world) == {"Studio A": (None, True), "Studio B": (8, True)}
    await set_space_maximum(world.studio, world.admin, "Studio A", 12)
    await set_space_maximum(world.studio, world.admin, "Studio B", None)
    assert await spaces(world) == {"Studio A": (12, True), "Studio B": (None, True)}
    with pytest.raises(SetupError, match="above zero"):
        await set_space_maximum(world.studio, world.admin, "Studio A", 0)


async def test_a_space_with_sessions_ahead_is_not_closed(world: World) -> None:
    with pytest.raises(SetupError) as refused:
        await close_space(world.studio, world.admin, "Studio B")
    assert refused.value.text == (
        "16 sessions ahead use Studio B: Back course Wed 02 Dec 10:00, Back course Wed 09 Dec 10:00, "
        "Back course Wed 16 Dec 10:00 and 13 more. Move them to another space or end their schedule "
        "(Back course) first, then close the space."
    )
    gym = await add_space(world.studio, world.admin, "Gym")
    moved = OverrideRequest(space_id=gym.id)
    await save_override(world.studio, world.admin, world.yoga_on(THURSDAY), moved, confirmed=True)
    with pytest.raises(SetupError, match="^1 session ahead use Gym: Yoga Thu 03 Dec 18:00. Move them"):
        await close_space(world.studio, world.admin, "Gym")
    back = OverrideRequest(space_id=world.studio_a)
    await save_override(world.studio, world.admin, world.yoga_on(THURSDAY), back, confirmed=True)
    assert not (await close_space(world.studio, world.admin, "Gym")).active
    with pytest.raises(DomainError):  # a closed space takes no session
        await save_override(world.studio, world.admin, world.yoga_on(THURSDAY), moved, confirmed=True)
    with pytest.raises(SetupError, match="No space is called “Gym”"):
        await close_space(world.studio, world.admin, "Gym")
    assert await spaces(world) == {"Gym": (None, False), "Studio A": (None, True), "Studio B": (8, True)}


# -- pass templates --------------------------------------------------------------------------


async def test_a_template_is_renamed_and_its_cover_changed_for_bookings_from_now_on(world: World) -> None:
    booked = await book_session(world.studio, world.admin, world.yoga_on(TUESDAY), world.members[0])
    assert (await rename_template(world.studio, world.admin, "10 classes", "Ten classes")).name == "Ten classes"
    with pytest.raises(SetupError, match="“course pass” exists already"):
        await rename_template(world.studio, world.admin, "ten", "course pass")
    assert (await cover_template(world.studio, world.admin, "ten", [])).covered_schedule_ids == frozenset()
    with pytest.raises(DomainError, match="pass"):  # no pass covers Yoga any more
        await book_session(world.studio, world.admin, world.yoga_on(THURSDAY), world.members[0])
    assert await world.active_bookings() == 1  # the booking made before stays
    with pytest.raises(SetupError, match="Back course is a closed schedule"):
        await cover_template(world.studio, world.admin, "ten", ["Back course"])
    with pytest.raises(SetupError, match="the closed schedule Back course's own pass"):
        await cover_template(world.studio, world.admin, "course pass", ["Yoga"])
    await cover_template(world.studio, world.admin, "ten", ["yoga"])
    await book_session(world.studio, world.admin, world.yoga_on(THURSDAY), world.members[0])
    await cancel_booking(world.studio, world.admin, booked.id)
    assert all(stored == ledger for stored, ledger in (await world.balances()).values())


async def test_a_retired_template_is_granted_no_more_and_its_passes_stay_valid(world: World) -> None:
    retired = await retire_template(world.studio, world.admin, "10 classes")
    assert not retired.active
    with pytest.raises(NotFound, match="That pass template is unknown."):
        await grant_pass(world.studio, world.admin, world.members[0], retired.id)
    with pytest.raises(SetupError, match="retired already"):
        await retire_template(world.studio, world.admin, "10 classes")
    await book_session(world.studio, world.admin, world.yoga_on(TUESDAY), world.members[0])
    assert [t.active for t in await templates(world.studio, world.admin)] == [False, True]


# -- passes ----------------------------------------------------------------------------------


async def test_a_pass_is_extended_topped_up_and_closed(world: World) -> None:
    member = world.members[0]
    before = world.passes[member]
    extended = await extend_pass(world.studio, world.admin, "Member 0", "10 classes", 14)
    assert extended.expires_at == before.expires_at + timedelta(days=14)
    topped = await topup_pass(world.studio, world.admin, "Member 0", "10", 3)
    assert topped.sessions_left == 13 and await world.pass_balance(member) == 13
    async with SqlUnitOfWork(world.sessions) as uow:
        assert [(e.kind, e.delta) for e in await uow.passes.ledger(before.id)] == [
            (LedgerKind.GRANT, 10),
            (LedgerKind.TOPUP, 3),
        ]
    booked = await book_session(world.studio, world.admin, world.yoga_on(TUESDAY), member)
    assert not (await close_pass(world.studio, world.admin, "Member 0", "10 classes")).active
    with pytest.raises(DomainError, match="pass"):  # no new bookings with a closed pass
        await book_session(world.studio, world.admin, world.yoga_on(THURSDAY), member)
    assert await world.active_bookings() == 1  # its booking stays
    await cancel_booking(world.studio, world.admin, booked.id)  # and is refunded to it
    assert await world.pass_balance(member) == 13
    for edit in (
        extend_pass(world.studio, world.admin, "Member 0", "10 classes", 1),
        topup_pass(world.studio, world.admin, "Member 0", "10 classes", 1),
        close_pass(world.studio, world.admin, "Member 0", "10 classes"),
    ):
        with pytest.raises(SetupError, match="No open pass of Member 0 is called “10 classes”"):
            await edit
    assert all(stored == ledger for stored, ledger in (await world.balances()).values())


async def test_wrong_pass_edits_are_refused(world: World) -> None:
    unlimited = await add_template(world.studio, world.admin, "Unlimited", None, 30, ["Yoga"])
    await grant_pass(world.studio, world.admin, world.members[1], unlimited.id)
    await grant_pass(world.studio, world.admin, world.members[1], world.open_template)
    cases = [
        (topup_pass(world.studio, world.admin, "Member 1", "unlimited", 2), "is unlimited already"),
        (topup_pass(world.studio, world.admin, "Member 1", "unlimited", 0), "from 1 to 1000"),
        (extend_pass(world.studio, world.admin, "Member 1", "unlimited", 0), "from 1 to 3660"),
        (extend_pass(world.studio, world.admin, "Member 1", "10 classes", 5), "fits several open pass of Member 1s"),
        (extend_pass(world.studio, world.admin, "Nobody", "10 classes", 5), "No member is called"),
        (close_pass(world.studio, world.trainer, "Member 1", "unlimited"), "Only admins"),
    ]
    for edit, message in cases:
        with pytest.raises(DomainError, match=message):
            await edit
    _, passes = await passes_of(world.studio, world.admin, "Member 1")
    second = max(p.id for p in passes)
    await topup_pass(world.studio, world.admin, "Member 1", f"10 classes #{second}", 2)
    assert sorted(p.sessions_left or 0 for p in (await passes_of(world.studio, world.admin, "Member 1"))[1]) == [
        0,
        10,
        12,
    ]
    world.studio.clock.advance(timedelta(days=90))  # type: ignore[attr-defined]
    with pytest.raises(SetupError, match="That pass expired 31 days ago: 5 more days end in the past too."):
        await extend_pass(world.studio, world.admin, "Member 0", "10 classes", 5)


# -- people ----------------------------------------------------------------------------------


async def test_a_member_who_leaves(world: World) -> None:
    leaving, waiting = world.members[0], world.members[1]
    tuesday, thursday, earlier = world.yoga_on(TUESDAY), world.yoga_on(THURSDAY), world.yoga_on(date(2026, 11, 26))
    await save_override(world.studio, world.admin, tuesday, OverrideRequest(capacity=1), confirmed=True)
    await save_override(world.studio, world.admin, thursday, OverrideRequest(capacity=1), confirmed=True)
    world.studio.clock.advance(timedelta(days=-5))  # type: ignore[attr-defined]
    await book_session(world.studio, world.admin, earlier, leaving)  # a session now past: stays
    world.studio.clock.advance(timedelta(days=5))  # type: ignore[attr-defined]
    await book_session(world.studio, world.admin, tuesday, leaving)
    await join_waitlist(world.studio, world.admin, tuesday, waiting)
    await book_session(world.studio, world.admin, thursday, waiting)
    await join_waitlist(world.studio, world.admin, thursday, leaving)
    await invite(world.studio, world.admin, Role.MEMBER, ["Member 0"])  # not linked: a fresh link
    notices = len(await world.notifications())

    gone = await member_leave(world.studio, world.admin, "member 0")

    assert (gone.cancelled, gone.unqueued, gone.promoted, gone.revoked) == (1, 1, 1, 1)
    assert gone.person.roles == frozenset() and not gone.person.active
    assert await world.pass_balance(leaving) == 9  # the past session stays used; Tuesday's came back
    assert await world.pass_balance(waiting) == 8  # Thursday's booking and the promotion on Tuesday
    async with world.sessions() as session:
        active = set(
            await session.execute(select(BookingRow.member_id, BookingRow.status).where(BookingRow.status == "active"))
        )
        lines = list(await session.scalars(select(WaitlistRow.member_id)))
        open_links = list(await session.scalars(select(InviteRow.id).where(InviteRow.expires_at > world.studio.now())))
    assert active == {(leaving, "active"), (waiting, "active")} and await world.active_bookings() == 3
    assert lines == [] and open_links == []
    promoted = (await world.notifications())[notices:]
    assert [(n.member_id, n.kind) for n in promoted] == [(waiting, "waitlist_promoted")]
    assert all(stored == ledger for stored, ledger in (await world.balances()).values())
    with pytest.raises(SetupError, match="No member is called"):
        await member_leave(world.studio, world.admin, "Member 0")
    with pytest.raises(NotAllowed):
        await member_leave(world.studio, world.trainer, "Member 1")


async def test_removing_a_role(world: World) -> None:
    with pytest.raises(SetupError) as leads:
        await remove_role(world.studio, world.admin, Role.TRAINER, "Tom")
    assert leads.value.text.startswith(
        "Tom Trainer leads 121 sessions ahead: Yoga Tue 01 Dec 18:00, Back course Wed 02 Dec 10:00, Yoga Thu 03 Dec 18:00 and 118 more. Give them another trainer first"
    )
    sue = await remove_role(world.studio, world.admin, Role.TRAINER, "Sue")
    assert sue.roles == frozenset({Role.MEMBER}) and sue.active
    await book_session(world.studio, world.admin, world.yoga_on(TUESDAY), world.members[1])
    with pytest.raises(
        SetupError, match="Member 1 has 1 booking\\(s\\) and 0 waitlist place\\(s\\) ahead. /member_leave"
    ):
        await remove_role(world.studio, world.admin, Role.MEMBER, "Member 1")
    with pytest.raises(NotAllowed, match="Only an owner"):
        await remove_role(world.studio, world.admin, Role.ADMIN, "Ada")
    with pytest.raises(SetupError, match="Owners are named in TRAINERY_OWNER_IDS"):
        await remove_role(world.studio, world.admin, Role.OWNER, "Ada")
    with pytest.raises(SetupError, match="Sam Stranger is not a member."):
        await remove_role(world.studio, world.admin, Role.MEMBER, "Sam")
    member = await remove_role(world.studio, world.admin, Role.MEMBER, "Member 2")
    assert not member.active  # no role left
    with pytest.raises(SetupError, match="No member is called"):
        await find_person(world.studio, world.admin, "Member 2", Role.MEMBER)
    back = await appoint(world.studio, world.admin, "Member 2", Role.MEMBER)  # someone who comes back
    assert back.active and back.holds(Role.MEMBER)


async def test_a_person_is_renamed(world: World) -> None:
    renamed = await rename_person(world.studio, world.admin, "member 3", "  Anna   Berg ")
    assert renamed.name == "Anna Berg" and renamed.id == world.members[3]
    with pytest.raises(SetupError, match="needs a name"):
        await rename_person(world.studio, world.admin, "anna", " ")
    with pytest.raises(NotAllowed):
        await rename_person(world.studio, world.members[0], "anna", "Eve")
    async with world.sessions() as session:
        assert await session.scalar(select(PersonRow.name).where(PersonRow.id == world.members[3])) == "Anna Berg"


# -- many invites: a review first --------------------------------------------------------------


async def test_an_invite_review_and_its_confirmation(world: World) -> None:
    names = ["Zoe", "Member 1", "zoe", "Tom Trainer", "Member 1 (new)"]
    review = await review_invites(world.studio, world.admin, Role.MEMBER, names)
    assert (review.new, review.fresh, review.repeated) == (("Zoe", "Member 1"), ("Member 1",), ("zoe",))
    assert len(review.existing) == 1 and "Tom Trainer is in the studio already (trainer)" in review.existing[0]
    async with world.sessions() as session:
        people = len(list(await session.scalars(select(PersonRow.id))))
    links = await confirm_invites(world.studio, world.admin, Role.MEMBER, names, review)
    assert [(link.person.name, link.fresh) for link in links] == [
        ("Zoe", False),
        ("Member 1", True),
        ("Member 1", False),
    ]
    with pytest.raises(ReviewChanged) as changed:  # Zoe exists now: the same line reads differently
        await confirm_invites(world.studio, world.admin, Role.MEMBER, names, review)
    assert "Zoe" in changed.value.review.fresh
    async with world.sessions() as session:
        assert len(list(await session.scalars(select(PersonRow.id)))) == people + 2
    with pytest.raises(NotAllowed):
        await review_invites(world.studio, world.trainer, Role.MEMBER, names)


async def test_a_departure_racing_bookings_cancels_and_pass_edits_stays_consistent(world: World) -> None:
    import asyncio

    from domain.sessions.cancel import cancel_session

    leaving, other = world.members[0], world.members[1]
    tuesday, thursday = world.yoga_on(TUESDAY), world.yoga_on(THURSDAY)
    await save_override(world.studio, world.admin, tuesday, OverrideRequest(capacity=1), confirmed=True)
    mine = await book_session(world.studio, world.admin, tuesday, leaving)
    await book_session(world.studio, world.admin, thursday, leaving)
    await join_waitlist(world.studio, world.admin, tuesday, other)
    results = await asyncio.gather(
        member_leave(world.studio, world.admin, "Member 0"),
        cancel_booking(world.studio, leaving, mine.id),
        cancel_session(world.studio, world.trainer, thursday, "Flooded"),
        topup_pass(world.studio, world.admin, "Member 0", "10 classes", 2),
        book_session(world.studio, world.admin, world.yoga_on(date(2026, 12, 8)), leaving),
        return_exceptions=True,
    )
    unexpected = [r for r in results if isinstance(r, BaseException) and not isinstance(r, DomainError)]
    assert unexpected == [] and not isinstance(results[0], BaseException)  # the departure itself went through
    async with world.sessions() as session:
        ahead = list(
            await session.scalars(
                select(BookingRow.id).where(BookingRow.member_id == leaving, BookingRow.status == "active")
            )
        )
    assert ahead == []  # whatever ran first, nothing ahead stays booked for someone who left
    assert all(stored == ledger for stored, ledger in (await world.balances()).values())
