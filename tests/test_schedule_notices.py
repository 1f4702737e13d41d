"""SPEC §3.1 for a schedule's edits (issue 13 with issue 14), on SQLite and PostgreSQL:
an edit from a date on or an end tells each trainer once, summing up — its sessions
run on without end, so one message per session would be unbounded — a skipped date
tells its session's trainer as a cancel does, a session with a trainer of its own
keeps them and hears of its own change, and nobody is told about their own change.
Each notice as the trainer reads it, in the studio's zone."""

from __future__ import annotations

from datetime import date, time

from bot.notify.texts import HEADINGS, render
from domain.notifications import TRAINER_KINDS, NotificationKind
from domain.override import OverrideRequest
from domain.roles import Role
from domain.sessions.override import save_override
from domain.setup.schedule_edit import ScheduleEdit, edit_schedule, end_schedule, skip_date
from storage.models import NotificationRow
from tests.fake_bot_api import parse_html
from tests.world import BERLIN, World

FROM = date(2026, 12, 8)  # a Tuesday; Yoga is Tuesdays and Thursdays at 18:00, Tom leads it


def read(row: NotificationRow) -> list[str]:
    """The notice as the person sees it in Telegram, line by line."""
    return parse_html(render(NotificationKind(row.kind), row.payload, BERLIN).text)[0].splitlines()


async def trainers_told(world: World, since: int = 0) -> dict[int, NotificationRow]:
    rows = [row for row in (await world.notifications())[since:] if NotificationKind(row.kind) in TRAINER_KINDS]
    assert len(rows) == len({row.member_id for row in rows})  # one message per trainer
    return {row.member_id: row for row in rows}


async def add_trainer(world: World, name: str, *roles: Role) -> int:
    async with world.studio.unit_of_work() as uow:
        person = await uow.people.add(name, [Role.TRAINER, *roles], world.studio.now())
        await uow.commit()
    return person.id


async def test_a_new_trainer_from_a_date_on_is_one_message_each_and_a_session_s_own_trainer_keeps_it(
    world: World,
) -> None:
    max_ = await add_trainer(world, "Max Third")
    own = world.yoga_on(date(2026, 12, 10))
    await save_override(world.studio, world.admin, own, OverrideRequest(trainer_id=max_))
    await world.book_all(world.yoga_on(date(2026, 12, 15)), world.members[:2])
    before = len(await world.notifications())

    done = await edit_schedule(
        world.studio, world.admin, "Yoga", FROM, ScheduleEdit(start_time=time(19), trainer="Sue")
    )

    told = await trainers_told(world, before)
    assert {person: row.kind for person, row in told.items()} == {
        world.substitute: NotificationKind.TRAINER_SCHEDULE_LEAD.value,
        world.trainer: NotificationKind.TRAINER_SCHEDULE_REPLACED.value,
        max_: NotificationKind.TRAINER_CHANGED.value,  # keeps Thu 10 Dec, which moves to 19:00
    }
    assert world.admin not in told
    assert read(told[world.substitute]) == [
        "You lead Yoga from Tue 08 Dec 2026 on — instead of Tom Trainer",
        "Time: 18:00 → 19:00",
        "",
        "Changed by Ada Admin. A session given to another trainer on its own keeps them; /sessions shows yours.",
    ]
    assert read(told[world.trainer]) == [
        "Sue Substitute leads your Yoga from Tue 08 Dec 2026 on",
        "Time: 18:00 → 19:00",
        "",
        "Changed by Ada Admin. You no longer lead its sessions from that day, except any given to you on their own.",
    ]
    assert read(told[max_]) == [
        "Your session was changed: Yoga",
        "Time: Thu 10 Dec 2026, 18:00 → 19:00",
        "",
        "Changed by Ada Admin. You still lead it.",
    ]
    # The members of the booked session as before; the reply counts them apart (members_told).
    assert [n.kind for n in done.notifications if n.member_id in world.members] == [NotificationKind.RESCHEDULED] * 2
    assert len(done.notifications) == 5 and len(await world.notifications()) == before + 5


async def test_a_new_time_or_space_tells_the_trainer_once_and_capacity_or_title_nobody(world: World) -> None:
    await edit_schedule(world.studio, world.admin, "Yoga", FROM, ScheduleEdit(capacity=12, title="Yoga flow"))
    assert await world.notifications() == []
    done = await edit_schedule(world.studio, world.admin, "Yoga", FROM, ScheduleEdit(space="Studio B", capacity=8))
    [row] = await world.notifications()
    assert row.member_id == world.trainer and row.kind == NotificationKind.TRAINER_SCHEDULE_CHANGED.value
    assert read(row) == [
        "Your Yoga flow changes from Tue 08 Dec 2026 on",
        "Space: Studio A → Studio B",
        "",
        "Changed by Ada Admin. You still lead it; members booked on its sessions are told.",
    ]
    assert [n.member_id for n in done.notifications] == [world.trainer]


async def test_an_admin_who_leads_the_schedule_is_not_told_of_their_own_edit_end_or_skip(world: World) -> None:
    async with world.studio.unit_of_work() as uow:
        await uow.people.grant(world.trainer, Role.ADMIN)
        await uow.commit()
    await edit_schedule(world.studio, world.trainer, "Yoga", FROM, ScheduleEdit(start_time=time(19)))
    await skip_date(world.studio, world.trainer, "Yoga", date(2026, 12, 10), "Ill")
    await end_schedule(world.studio, world.trainer, "Yoga", date(2026, 12, 20))
    assert await world.notifications() == []
    await edit_schedule(world.studio, world.trainer, "Yoga", date(2026, 12, 1), ScheduleEdit(trainer="Sue"))
    [row] = await world.notifications()  # handing it over tells only the one who takes it
    assert (row.member_id, row.kind) == (world.substitute, NotificationKind.TRAINER_SCHEDULE_LEAD.value)
    assert read(row)[-1].startswith("Changed by Tom Trainer.")


async def test_a_skipped_date_tells_its_trainer_with_the_reason(world: World) -> None:
    review = await skip_date(world.studio, world.admin, "Yoga", date(2026, 12, 10), "Hall <repairs>")
    [row] = await world.notifications()
    assert row.member_id == world.trainer and [n.member_id for n in review.notifications] == [world.trainer]
    assert read(row) == [
        "Your session was cancelled: Yoga",
        "Thu 10 Dec 2026, 18:00, Studio A",
        "Reason: Hall <repairs>",
        "",
        "Cancelled by Ada Admin. Nobody was booked.",
    ]


async def test_an_end_tells_each_trainer_once_of_all_their_sessions_after_it(world: World) -> None:
    await save_override(
        world.studio, world.admin, world.yoga_on(date(2026, 12, 10)), OverrideRequest(trainer_id=world.substitute)
    )
    await world.book_all(world.yoga_on(date(2026, 12, 15)), world.members[:2])
    before = len(await world.notifications())
    done = await end_schedule(world.studio, world.admin, "Yoga", FROM, confirmed=True)
    told = await trainers_told(world, before)
    assert set(told) == {world.trainer, world.substitute} == {d.member_id for d in done.trainers}
    assert read(told[world.trainer]) == [  # the rule ran on without end: no count
        "Yoga ends on Tue 08 Dec 2026",
        "Your sessions after it are cancelled, from Tue 15 Dec 2026, 18:00 on.",
        "",
        "Ended by Ada Admin. Members held 1 of them: they are told, their bookings refunded.",
    ]
    assert read(told[world.substitute]) == [
        "Yoga ends on Tue 08 Dec 2026",
        "Your 1 session after it is cancelled: Thu 10 Dec 2026, 18:00.",
        "",
        "Ended by Ada Admin. None of them was booked.",
    ]
    assert done.told == 2  # the members, counted apart


async def test_an_end_of_a_course_counts_the_sessions_it_takes(world: World) -> None:
    await end_schedule(world.studio, world.admin, "Back course", date(2026, 12, 9))  # weekly, 20 from 4 Nov
    [row] = await world.notifications()
    assert read(row)[:2] == [
        "Back course ends on Wed 09 Dec 2026",
        "Your 14 sessions after it are cancelled, the first Wed 16 Dec 2026, 10:00.",
    ]


def test_undelivered_names_every_trainer_notice() -> None:
    assert all(kind in HEADINGS for kind in TRAINER_KINDS)
    assert HEADINGS[NotificationKind.TRAINER_SCHEDULE_ENDED] == "Your schedule ends"
