"""SPEC §3.1, trainers' notices: the substitute is told they lead, the replaced trainer
who leads instead, a session's trainer when someone else moves, re-rooms or cancels
it — each as the trainer reads it, in the studio's zone — and nobody about their own
change. The review lists them and the save queues exactly that. Both databases."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from bot.notify.texts import render
from bot.sessions.texts import cancel_confirm, review as review_text
from domain.notifications import NotificationKind
from domain.override import OverrideRequest
from domain.sessions.cancel import cancel_session, review_cancel
from domain.sessions.override import review_override, save_override
from domain.setup.passes import grant_pass
from storage.models import NotificationRow, RoleRow
from tests.fake_bot_api import parse_html
from tests.world import World, berlin

BERLIN = ZoneInfo("Europe/Berlin")
TUESDAY = date(2026, 12, 1)
SUBSTITUTE, REPLACED = NotificationKind.TRAINER_SUBSTITUTE.value, NotificationKind.TRAINER_REPLACED.value
CHANGED, CANCELLED = NotificationKind.TRAINER_CHANGED.value, NotificationKind.TRAINER_CANCELLED.value


def read(row: NotificationRow) -> list[str]:
    """The notice as the person sees it in Telegram, line by line."""
    return parse_html(render(NotificationKind(row.kind), row.payload, BERLIN).text)[0].splitlines()


async def trainers_told(world: World) -> dict[int, NotificationRow]:
    rows = [row for row in await world.notifications() if row.member_id not in world.members]
    assert len(rows) == len({row.member_id for row in rows})  # one message per person per change
    return {row.member_id: row for row in rows}


async def test_a_substitute_and_the_replaced_trainer_are_told_and_the_admin_is_not(world: World) -> None:
    key = world.yoga_on(TUESDAY)
    await world.book_all(key, world.members[:2])
    saved = await save_override(world.studio, world.admin, key, OverrideRequest(trainer_id=world.substitute))
    told = await trainers_told(world)
    assert {person: row.kind for person, row in told.items()} == {world.substitute: SUBSTITUTE, world.trainer: REPLACED}
    assert world.admin not in told
    assert read(told[world.substitute]) == [
        "You lead Yoga, Tue 1 Dec 2026, 18:00, Studio A — instead of Tom Trainer",  # 17:00 UTC, Berlin's 18:00
        "",
        "Changed by Ada Admin.",
    ]
    assert read(told[world.trainer]) == [
        "Sue Substitute leads your Yoga, Tue 1 Dec 2026, 18:00",
        "",
        "Changed by Ada Admin. You no longer lead this session.",
    ]
    assert saved.notified[NotificationKind.UPDATED] == 2  # the members as before


async def test_the_trainer_who_hands_over_is_not_told_about_their_own_change(world: World) -> None:
    key = world.yoga_on(TUESDAY)
    await save_override(world.studio, world.trainer, key, OverrideRequest(trainer_id=world.substitute))
    assert [(row.member_id, row.kind) for row in await world.notifications()] == [(world.substitute, SUBSTITUTE)]


async def test_the_trainer_is_told_when_an_admin_moves_or_re_rooms_the_session(world: World) -> None:
    key = world.yoga_on(TUESDAY)
    request = OverrideRequest(start=berlin(2026, 12, 2, 19, 30), space_id=world.studio_b, capacity=8)
    await save_override(world.studio, world.admin, key, request)
    told = await trainers_told(world)
    assert list(told) == [world.trainer] and told[world.trainer].kind == CHANGED
    assert read(told[world.trainer]) == [
        "Your session was changed: Yoga",
        "Time: Tue 1 Dec 2026, 18:00 → Wed 2 Dec 2026, 19:30",
        "Space: Studio A → Studio B",
        "",
        "Changed by Ada Admin. You still lead it.",  # nobody booked: no word of members told
    ]


async def test_a_new_space_alone_tells_the_trainer_when_and_capacity_alone_tells_nobody(world: World) -> None:
    key = world.yoga_on(TUESDAY)
    await save_override(world.studio, world.admin, key, OverrideRequest(capacity=12))
    assert await world.notifications() == []
    await save_override(world.studio, world.admin, key, OverrideRequest(space_id=world.studio_b, capacity=8))
    [row] = await world.notifications()
    assert read(row)[:3] == ["Your session was changed: Yoga", "Tue 1 Dec 2026, 18:00", "Space: Studio A → Studio B"]


async def test_the_trainer_moving_their_own_session_is_not_told(world: World) -> None:
    await save_override(
        world.studio, world.trainer, world.yoga_on(TUESDAY), OverrideRequest(start=berlin(2026, 12, 1, 19))
    )
    assert await world.notifications() == []


async def test_a_new_trainer_and_a_new_time_are_one_message_each(world: World) -> None:
    key = world.yoga_on(TUESDAY)
    await world.book_all(key, world.members[:1])
    request = OverrideRequest(trainer_id=world.substitute, start=berlin(2026, 12, 2, 19, 30))
    await save_override(world.studio, world.admin, key, request)
    told = await trainers_told(world)
    assert read(told[world.substitute]) == [
        "You lead Yoga, Wed 2 Dec 2026, 19:30, Studio A — instead of Tom Trainer",
        "Time: Tue 1 Dec 2026, 18:00 → Wed 2 Dec 2026, 19:30",
        "",
        "Changed by Ada Admin.",
    ]
    assert read(told[world.trainer]) == [
        "Sue Substitute leads your Yoga, Tue 1 Dec 2026, 18:00",  # by the time Tom knew it
        "Time: Tue 1 Dec 2026, 18:00 → Wed 2 Dec 2026, 19:30",
        "",
        "Changed by Ada Admin. You no longer lead this session.",
    ]
    assert len(await world.notifications()) == 3  # and the member's


async def test_the_trainer_is_told_of_a_cancellation_with_the_reason(world: World) -> None:
    key = world.yoga_on(TUESDAY)
    await world.book_all(key, world.members[:2])
    done = await cancel_session(world.studio, world.admin, key, "Heating <broken>")
    told = await trainers_told(world)
    assert list(told) == [world.trainer] and told[world.trainer].kind == CANCELLED
    assert read(told[world.trainer]) == [
        "Your session was cancelled: Yoga",
        "Tue 1 Dec 2026, 18:00, Studio A",
        "Reason: Heating <broken>",
        "",
        "Cancelled by Ada Admin. Its booked members are told and their passes refunded.",
    ]
    assert len(done.notifications) == 3


async def test_a_cancelled_session_nobody_booked_says_so_to_its_trainer(world: World) -> None:
    await cancel_session(world.studio, world.admin, world.yoga_on(TUESDAY), "Heating")
    [row] = await world.notifications()
    assert read(row)[-1] == "Cancelled by Ada Admin. Nobody was booked."


async def test_the_trainer_cancelling_their_own_session_is_not_told(world: World) -> None:
    await cancel_session(world.studio, world.trainer, world.yoga_on(TUESDAY), "Ill")
    assert await world.notifications() == []


async def test_a_substitute_booked_as_a_member_gets_one_message_saying_both(world: World) -> None:
    key = world.yoga_on(TUESDAY)
    await grant_pass(world.studio, world.admin, world.substitute, world.open_template)
    await world.book_all(key, [world.substitute, world.members[0]])
    review = await review_override(world.studio, world.admin, key, OverrideRequest(trainer_id=world.substitute))
    assert "• Sue Substitute will be told that they now lead it (and about their booking)" in review_text(
        review,
        review.directory,
        BERLIN,  # type: ignore[arg-type]
    )
    await save_override(world.studio, world.admin, key, OverrideRequest(trainer_id=world.substitute))
    rows = [row for row in await world.notifications() if row.member_id == world.substitute]
    assert [row.kind for row in rows] == [SUBSTITUTE]
    assert read(rows[0])[-1] == "You are also booked on it as a member. Your booking is kept; your pass is unchanged."


async def test_a_trainer_reassigned_back_leads_it_again(world: World) -> None:
    key = world.yoga_on(TUESDAY)
    await save_override(world.studio, world.admin, key, OverrideRequest(trainer_id=world.substitute))
    await save_override(world.studio, world.admin, key, OverrideRequest(trainer_id=world.trainer))
    second = (await world.notifications())[2:]
    by_person = {row.member_id: read(row) for row in second}
    assert (
        by_person[world.trainer][0]
        == "You lead Yoga again, Tue 1 Dec 2026, 18:00, Studio A — instead of Sue Substitute"
    )
    assert by_person[world.substitute][0] == "Tom Trainer leads your Yoga, Tue 1 Dec 2026, 18:00"


async def test_an_admin_who_leads_the_session_is_not_told_about_their_own_changes(world: World) -> None:
    async with world.sessions() as session:
        session.add(RoleRow(person_id=world.admin, role="trainer"))
        await session.commit()
    key = world.yoga_on(TUESDAY)
    await save_override(world.studio, world.trainer, key, OverrideRequest(trainer_id=world.admin))  # Ada leads it now
    await save_override(world.studio, world.admin, key, OverrideRequest(start=berlin(2026, 12, 1, 19)))
    await save_override(world.studio, world.admin, key, OverrideRequest(trainer_id=world.substitute))
    await cancel_session(world.studio, world.admin, key)
    kinds = [(row.member_id, row.kind) for row in await world.notifications()]
    assert kinds == [(world.admin, SUBSTITUTE), (world.substitute, SUBSTITUTE), (world.substitute, CANCELLED)]


async def test_the_review_lists_the_trainers_told_and_the_save_queues_exactly_that(world: World) -> None:
    key = world.yoga_on(TUESDAY)
    await world.book_all(key, world.members[:3])
    request = OverrideRequest(trainer_id=world.substitute, start=berlin(2026, 12, 1, 19))
    review = await review_override(world.studio, world.admin, key, request)
    text = parse_html(review_text(review, review.directory, BERLIN))[0]  # type: ignore[arg-type]
    assert "• Sue Substitute will be told that they now lead it" in text
    assert "• Tom Trainer will be told that Sue Substitute leads it instead" in text
    assert "• 3 members will be told: “Training rescheduled”" in text
    saved = await save_override(world.studio, world.admin, key, request, expected_version=review.version)
    assert saved.notifications == review.notifications
    stored = [(n.member_id, n.kind, n.payload) for n in await world.notifications()]
    assert stored == [(d.member_id, d.kind.value, d.payload) for d in review.notifications]


async def test_the_cancel_review_lists_the_trainer_and_the_cancel_queues_exactly_that(world: World) -> None:
    key = world.yoga_on(TUESDAY)
    await world.book_all(key, world.members[:2])
    review = await review_cancel(world.studio, world.admin, key, "Flooded")
    text = parse_html(cancel_confirm(review, BERLIN))[0]
    assert "• Tom Trainer will be told that their session is cancelled" in text
    assert "• 2 members will be told: “Training cancelled”" in text
    done = await cancel_session(world.studio, world.admin, key, "Flooded", expected_version=review.version)
    assert done.notifications == review.notifications
    stored = [(n.member_id, n.kind, n.payload) for n in await world.notifications()]
    assert stored == [(d.member_id, d.kind.value, d.payload) for d in review.notifications]
