"""Issue 12 in the domain, on SQLite and PostgreSQL: people of one name, invites that
never make a second person unasked, closed schedules that own their template,
enrolment that reports what it did, and the rules behind the chat's answers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta

import pytest
from sqlalchemy import func, select

from domain.bookings.book import book_session
from domain.bookings.cancel import cancel_booking
from domain.booking import BookingStatus
from domain.errors import ClosedScheduleCancel, InvalidReason
from domain.override import OverrideRequest
from domain.roles import Role
from domain.sessions.override import save_override
from domain.setup.invites import AlreadyInStudio, invite, redeem
from domain.setup.names import SetupError, match, person_labels
from domain.setup.passes import add_template, grant_pass
from domain.setup.people import appoint, find_person
from domain.setup.schedules import ScheduleDraft, add_schedule
from storage.models import BookingRow, NotificationRow, PassRow, PersonRow
from storage.unit_of_work import SqlUnitOfWork
from tests.world import World, berlin

TUESDAY = date(2026, 12, 1)


@dataclass(frozen=True)
class Thing:
    id: int


def test_match_takes_the_numbered_form_and_tells_shared_names_apart() -> None:
    pool = [("Anna Berg", Thing(14)), ("Anna Berg", Thing(15)), ("Ben Cole", Thing(16)), ("Studio #2", Thing(3))]
    assert match("anna berg #15", pool, "member") == Thing(15)
    assert match("Anna #14", pool, "member") == Thing(14)  # a beginning and the number
    assert match("studio #2", pool, "space") == Thing(3)  # a name that ends in a number is a name first
    with pytest.raises(SetupError, match="No member is called “Ben Cole #14”"):
        match("Ben Cole #14", pool, "member")  # a typo in the number picks nobody else
    with pytest.raises(SetupError) as several:
        match("anna", pool, "member")
    assert several.value.text == (
        "“anna” fits several members: Anna Berg #14, Anna Berg #15. Add the number to say which, e.g. “Anna Berg #14”."
    )
    with pytest.raises(SetupError, match="Type more of the name"):
        match("b", [("Ben Cole", Thing(1)), ("Bea Lund", Thing(2))], "member")


async def people_count(world: World) -> int:
    async with world.sessions() as session:
        return await session.scalar(select(func.count()).select_from(PersonRow)) or 0


async def test_invites_never_make_a_second_person_unasked(world: World) -> None:
    [first] = await invite(world.studio, world.admin, Role.MEMBER, ["Anna Berg"])
    assert not first.fresh and first.label == "Anna Berg"
    [again] = await invite(world.studio, world.admin, Role.MEMBER, ["anna  berg"])  # not linked yet
    assert again.fresh and again.person.id == first.person.id and again.token != first.token
    await redeem(world.studio, first.token, 2001, 2001)
    before = await people_count(world)
    with pytest.raises(AlreadyInStudio, match="Anna Berg is a member already and has linked Telegram"):
        await invite(world.studio, world.admin, Role.MEMBER, ["Ben Cole", "Anna Berg"])
    with pytest.raises(AlreadyInStudio, match=r"/appoint trainer; Anna Berg gives them the role"):
        await invite(world.studio, world.admin, Role.TRAINER, ["Anna Berg"])
    assert await people_count(world) == before  # Ben Cole neither

    [other] = await invite(world.studio, world.admin, Role.MEMBER, ["Anna Berg (new)"])
    assert other.person.id != first.person.id and other.label == f"Anna Berg #{other.person.id}"
    with pytest.raises(AlreadyInStudio, match="several people are called Anna Berg"):
        await invite(world.studio, world.admin, Role.MEMBER, ["Anna Berg"])
    [resent] = await invite(world.studio, world.admin, Role.MEMBER, [f"Anna Berg #{other.person.id}"])
    assert resent.fresh and resent.person.id == other.person.id
    with pytest.raises(SetupError, match="cannot end in a number"):
        await invite(world.studio, world.admin, Role.MEMBER, ["Anna Berg #3 (new)"])
    for blank in ("  ", " (new)"):
        with pytest.raises(SetupError, match="needs a name"):
            await invite(world.studio, world.admin, Role.MEMBER, [blank])
    assert await people_count(world) == before + 1


async def test_every_command_that_takes_a_name_takes_the_numbered_form(world: World) -> None:
    [other] = await invite(world.studio, world.admin, Role.MEMBER, ["Member 1 (new)"])
    number = other.person.id
    with pytest.raises(SetupError, match="fits several members"):
        await find_person(world.studio, world.admin, "Member 1", Role.MEMBER)
    assert (await find_person(world.studio, world.admin, f"member 1 #{number}", Role.MEMBER)).id == number
    assert Role.TRAINER in (await appoint(world.studio, world.admin, f"Member 1 #{number}", Role.TRAINER)).roles
    draft = ScheduleDraft(
        "Pilates", "FREQ=WEEKLY;BYDAY=MO", date(2026, 12, 7), time(9), timedelta(minutes=50), 8, "Studio B",
        f"Member 1 #{number}",
    )
    assert (await add_schedule(world.studio, world.admin, draft)).default_trainer_id == number
    async with SqlUnitOfWork(world.sessions) as uow:
        labels = person_labels(await uow.people.everyone())
    assert labels[world.members[1]] == f"Member 1 #{world.members[1]}" and labels[number] == f"Member 1 #{number}"
    assert labels[world.members[0]] == "Member 0"


async def test_own_invite_opened_again_is_linked_not_refused(world: World) -> None:
    [link] = await invite(world.studio, world.admin, Role.MEMBER, ["Clara"])
    assert not (await redeem(world.studio, link.token, 2001, 2001)).already
    world.studio.clock.advance(timedelta(days=8))  # type: ignore[attr-defined]
    again = await redeem(world.studio, link.token, 2001, 2001)
    assert again.already and again.person.id == link.person.id


def draft(title: str, closed_with: str | None = None) -> ScheduleDraft:
    return ScheduleDraft(
        title, "FREQ=WEEKLY;BYDAY=TH;COUNT=3", date(2026, 12, 3), time(12), timedelta(hours=1), 2, "Studio A",
        "Tom", closed_with,
    )


async def test_titles_are_unique_and_a_closed_schedule_owns_its_template(world: World) -> None:
    with pytest.raises(SetupError, match="A schedule called “YOGA” exists already"):
        await add_schedule(world.studio, world.admin, draft("YOGA"))
    with pytest.raises(SetupError, match="“10 classes” covers Yoga"):
        await add_schedule(world.studio, world.admin, draft("Rehab", "10 classes"))
    with pytest.raises(SetupError, match="belongs to the closed schedule Back course already"):
        await add_schedule(world.studio, world.admin, draft("Rehab", "Course pass"))
    with pytest.raises(SetupError, match="Back course is a closed schedule: only “Course pass”"):
        await add_template(world.studio, world.admin, "Bundle", 5, 30, ["Yoga", "Back course"])
    await add_template(world.studio, world.admin, "Rehab pass", 5, 30, [])
    rehab = await add_schedule(world.studio, world.admin, draft("Rehab", "rehab pass"))
    assert rehab.closed


async def counts(world: World) -> tuple[int, int, int]:
    async with world.sessions() as session:
        return tuple(  # type: ignore[return-value]
            [await session.scalar(select(func.count()).select_from(t)) or 0 for t in (PassRow, BookingRow, NotificationRow)]
        )


async def test_enrolment_reports_what_it_did_and_a_grant_that_enrols_nobody_is_refused(world: World) -> None:
    template = await add_template(world.studio, world.admin, "Rehab pass", 5, 30, [])
    await add_schedule(world.studio, world.admin, draft("Rehab", "Rehab pass"))  # 3 sessions, 2 spots each
    granted = await grant_pass(world.studio, world.admin, world.members[0], template.id)
    enrolment = granted.enrolment
    assert enrolment is not None and enrolment.titles == ("Rehab",)
    assert (enrolment.ahead, len(enrolment.booked), enrolment.full, enrolment.held, enrolment.sessions_left) == (3, 3, (), 0, 2)
    await grant_pass(world.studio, world.admin, world.members[1], template.id)
    before = await counts(world)
    with pytest.raises(SetupError, match="every session of Rehab ahead that Member 2 is not booked on is full"):
        await grant_pass(world.studio, world.admin, world.members[2], template.id)
    with pytest.raises(SetupError, match="Member 0 is booked on every session of Rehab ahead already"):
        await grant_pass(world.studio, world.admin, world.members[0], template.id)
    assert await counts(world) == before
    assert (await grant_pass(world.studio, world.admin, world.members[2], world.open_template)).enrolment is None


async def test_members_do_not_cancel_closed_course_bookings_staff_do(world: World) -> None:
    member = world.members[0]
    await grant_pass(world.studio, world.admin, member, world.closed_template)
    async with world.sessions() as session:
        first, second = list(await session.scalars(select(BookingRow.id).where(BookingRow.member_id == member).order_by(BookingRow.id)))[:2]
    with pytest.raises(ClosedScheduleCancel):
        await cancel_booking(world.studio, member, first)
    assert (await cancel_booking(world.studio, world.trainer, second)).status is BookingStatus.CANCELLED


async def test_an_override_carries_its_reason_and_until_when_members_may_book_again(world: World) -> None:
    key = world.yoga_on(TUESDAY)
    await book_session(world.studio, world.members[0], key, world.members[0])
    with pytest.raises(InvalidReason, match="nobody's are"):
        await save_override(world.studio, world.admin, key, OverrideRequest(capacity=5, reason="Why not"))
    with pytest.raises(InvalidReason, match="too long"):
        await save_override(world.studio, world.admin, key, OverrideRequest(capacity=5, cancel_bookings=True, reason="x" * 501))
    saved = await save_override(
        world.studio, world.admin, key, OverrideRequest(start=berlin(2026, 12, 1, 20), cancel_bookings=True, reason=" Hall  flooded ")
    )
    [moved, notice] = saved.notifications  # Tom is told Ada moved his session; then the member
    assert (moved.member_id, notice.member_id) == (world.trainer, world.members[0])
    assert notice.payload["reason"] == "Hall flooded" and notice.payload["rebook"] is True
    assert notice.payload["rebook_until"] == berlin(2026, 12, 1, 18).isoformat()  # the new start less 2 h
