"""Issue 6, point 5: the member flows of SPEC §3 in Telegram, end to end — `/my`,
`/book`, cancelling, the waitlist — through the real Application against the fake
Bot API, with the database checked afterwards. The studio clock stands at Monday
2026-11-30 08:00 Berlin; MEMBER (1004) is world.members[0]."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select, update

from bot import callbacks
from bot.callbacks import BookSession, CancelBooking, JoinWaitlist, LeaveWaitlist, MemberView
from bot.context import TraineryApplication
from bot.notify.texts import render
from domain.notifications import NotificationKind
from domain.occurrence import OccurrenceKey
from domain.override import OverrideRequest
from domain.schedule import Schedule
from storage.models import BookingRow, PersonRow, WaitlistRow
from storage.unit_of_work import SqlUnitOfWork
from tests.bot_harness import MEMBER, STRANGER, TRAINER, app, database_url, fake
from tests.conftest import BERLIN
from tests.fake_bot_api import FakeBotApi
from tests.phone import Phone, button_data, labels
from tests.world import World, berlin
from domain.bookings.book import book_session
from domain.bookings.cancel import cancel_booking
from domain.sessions.cancel import cancel_session
from domain.sessions.card import find_session
from domain.sessions.override import save_override
from domain.setup.passes import grant_pass

__all__ = ["app", "database_url", "fake"]  # fixtures, used by name

TUESDAY = date(2026, 12, 1)
SECOND = 1005  # world.members[2], linked by the `second` fixture


@pytest.fixture
def member(app: TraineryApplication, fake: FakeBotApi) -> Phone:
    return Phone(app, fake, MEMBER, "Max")


@pytest.fixture
async def second(app: TraineryApplication, fake: FakeBotApi, world: World) -> Phone:
    async with world.sessions() as session:
        await session.execute(update(PersonRow).where(PersonRow.id == world.members[2]).values(telegram_user_id=SECOND))
        await session.commit()
    return Phone(app, fake, SECOND, "Mia")


@pytest.fixture
def trainer(app: TraineryApplication, fake: FakeBotApi) -> Phone:
    return Phone(app, fake, TRAINER, "Tom")


def all_answered(phone: Phone) -> None:
    assert phone.pressed, "nothing was pressed"
    assert [q for q in phone.pressed if phone.fake.answer_of(q) is None] == []


def alert(phone: Phone) -> str:
    answer = phone.answer()
    assert answer is not None
    return str(answer.get("text", ""))


async def ledger_true(world: World) -> None:
    """SPEC §5: every pass's balance equals its ledger."""
    assert all(left == total for left, total in (await world.balances()).values())


async def active(world: World, member: int) -> list[int]:
    async with world.sessions() as session:
        return list(await session.scalars(
            select(BookingRow.id).where(BookingRow.member_id == member, BookingRow.status == "active")
        ))


async def waiting(world: World) -> list[int]:
    async with world.sessions() as session:
        return list(await session.scalars(select(WaitlistRow.member_id).order_by(WaitlistRow.id)))


async def full_tuesday(world: World) -> OccurrenceKey:
    """Tuesday's Yoga with one spot, taken by members[1]."""
    key = world.yoga_on(TUESDAY)
    await save_override(world.studio, world.admin, key, OverrideRequest(capacity=1))
    await world.book_all(key, world.members[1:2])
    return key


# -- /my -------------------------------------------------------------------------------

async def test_my_shows_bookings_and_passes_in_the_studio_zone(member: Phone, world: World) -> None:
    await book_session(world.studio, world.admin, world.yoga_on(TUESDAY), world.members[0])
    screen = await member.send("/my")
    text = screen["text"]
    assert "1. Tue 01 Dec 18:00–19:00 · Yoga" in text
    # granted Monday 08:00 Berlin for 60 days; one session used
    assert "• 10 classes: 9 sessions left, valid until Fri 29 Jan 2027\n" in text  # a day, no clock time
    assert "Europe/Berlin" in text
    assert labels(screen) == ["✖ Cancel 1. Yoga Tue 01 Dec 18:00", "📅 Book a session", "↻ Refresh"]


async def test_my_with_nothing_says_what_to_do(member: Phone, world: World) -> None:
    async with world.sessions() as session:  # no pass either
        from storage.models import PassRow
        await session.execute(update(PassRow).where(PassRow.member_id == world.members[0]).values(active=False))
        await session.commit()
    text = (await member.send("/my"))["text"]
    assert "No upcoming bookings. Send /book to book a session." in text
    assert "No current pass. Ask the studio for one." in text
    assert "Nothing to book" in (await member.send("/book"))["text"]


async def test_only_members_have_my_and_book(app: TraineryApplication, fake: FakeBotApi, world: World) -> None:
    for user in (STRANGER, TRAINER):
        phone = Phone(app, fake, user)
        for command in ("/my", "/book"):
            assert "Only members of this studio" in (await phone.send(command))["text"]
    # a member's button pressed by the trainer changes nothing
    trainer = Phone(app, fake, TRAINER)
    await trainer.press(BookSession(world.yoga_on(TUESDAY)).encode(), trainer.screen()["message_id"], forged=True)
    assert "Only members" in alert(trainer)
    assert await world.active_bookings() == 0


async def test_help_and_start_show_the_member_commands(member: Phone) -> None:
    help_text = (await member.send("/help"))["text"]
    assert "/my — your upcoming bookings" in help_text and "/book — book a session" in help_text
    assert "/sessions" not in help_text
    assert "/book books a session" in (await member.send("/start"))["text"]


# -- /book -------------------------------------------------------------------------------

async def test_book_offers_open_sessions_and_books_once(member: Phone, world: World) -> None:
    offers = await member.send("/book")
    text = offers["text"]
    assert "Sessions you can book</b>" not in text and "Sessions you can book (next 14 days)" in text
    for line in ("1. Tue 01 Dec 18:00–19:00 · Yoga · 10 spots free", "4. Thu 10 Dec 18:00–19:00 · Yoga"):
        assert line in text
    assert "Back course" not in text  # closed: members are enrolled, not booking
    after = await member.tap("Book 1.", offers)
    assert after["message_id"] == offers["message_id"]  # edited in place
    assert "Booked: Yoga, Tue 01 Dec 18:00. One session of your pass was used." in after["text"]
    assert "Tue 01 Dec" not in after["text"].split("next 14 days)")[1]  # no longer offered
    assert alert(member) == "Booked."
    assert len(await active(world, world.members[0])) == 1
    assert await world.pass_balance(world.members[0]) == 9
    await ledger_true(world)
    # a double tap on the old button books nothing more
    await member.press(BookSession(world.yoga_on(TUESDAY)).encode(), offers["message_id"], forged=True)
    assert alert(member) == "You are already booked on this session."
    assert len(await active(world, world.members[0])) == 1 and await world.pass_balance(world.members[0]) == 9
    await ledger_true(world)
    all_answered(member)


async def test_a_long_offer_list_is_paged(member: Phone, world: World) -> None:
    async with SqlUnitOfWork(world.sessions) as uow:
        spin = await uow.schedules.add(
            Schedule(0, "Spin", "FREQ=DAILY", date(2026, 11, 1), time(7), timedelta(minutes=45), 8, world.studio_a, world.trainer)
        )
        template = await uow.passes.add_template("Spin card", 20, 30, [spin.id])
        await uow.commit()
    await grant_pass(world.studio, world.admin, world.members[0], template.id)
    first = await member.send("/book")
    # 14 mornings of Spin (today's 07:00 is over) and 4 evenings of Yoga
    assert "Sessions 1–6 of 18 · page 1/3" in first["text"] and "◀ Previous" not in labels(first)
    last = await member.tap("Next ▶", await member.tap("Next ▶", first))
    assert "Sessions 13–18 of 18 · page 3/3" in last["text"] and "Next ▶" not in labels(last)
    assert "18. Mon 14 Dec 07:00–07:45 · Spin" in last["text"]
    booked = await member.tap("Book 18.", last)
    assert "Booked: Spin, Mon 14 Dec 07:00" in booked["text"] and "page 3/3" in booked["text"]
    await ledger_true(world)
    all_answered(member)


async def test_booking_is_refused_after_the_deadline_and_changes_nothing(member: Phone, world: World) -> None:
    offers = await member.send("/book")
    world.studio.clock.set(berlin(2026, 12, 1, 16, 30))  # type: ignore[attr-defined]
    after = await member.tap("Book 1.", offers)
    assert "booking deadline for this session has passed" in alert(member)
    assert "1. Thu 03 Dec 18:00" in after["text"]  # the fresh list, without Tuesday
    assert await world.active_bookings() == 0 and await world.pass_balance(world.members[0]) == 10


# -- cancelling --------------------------------------------------------------------------

async def test_cancel_own_booking_asks_first_then_refunds_once(member: Phone, world: World) -> None:
    await book_session(world.studio, world.members[0], world.yoga_on(TUESDAY), world.members[0])
    my = await member.send("/my")
    ask = await member.tap("Cancel 1.", my)
    assert "Cancel your booking for Yoga, Tue 01 Dec 18:00–19:00?" in ask["text"]
    assert labels(ask) == ["✖ Yes, cancel my booking", "◀ Keep it"]
    assert len(await active(world, world.members[0])) == 1  # asking changed nothing
    yes = button_data(ask, "Yes, cancel")
    done = await member.tap("Yes, cancel", ask)
    assert "Cancelled: Yoga, Tue 01 Dec 18:00. The session went back to your pass." in done["text"]
    assert "No upcoming bookings" in done["text"] and "10 sessions left" in done["text"]
    assert await active(world, world.members[0]) == [] and await world.pass_balance(world.members[0]) == 10
    await member.press(yes, done["message_id"], forged=True)  # a double tap
    assert alert(member) == "That booking is already cancelled."
    assert await world.pass_balance(world.members[0]) == 10
    await ledger_true(world)
    all_answered(member)


async def test_keep_it_changes_nothing(member: Phone, world: World) -> None:
    await book_session(world.studio, world.members[0], world.yoga_on(TUESDAY), world.members[0])
    back = await member.tap("Keep it", await member.tap("Cancel 1.", await member.send("/my")))
    assert "1. Tue 01 Dec 18:00–19:00 · Yoga" in back["text"]
    assert len(await active(world, world.members[0])) == 1


async def test_after_the_deadline_only_staff_cancel(member: Phone, world: World) -> None:
    booking = await book_session(world.studio, world.members[0], world.yoga_on(TUESDAY), world.members[0])
    world.studio.clock.set(berlin(2026, 12, 1, 16, 30))  # type: ignore[attr-defined]
    my = await member.send("/my")
    assert "the deadline to cancel has passed; ask the staff" in my["text"]
    assert not any("Cancel" in label for label in labels(my))
    for data in (CancelBooking(booking.id).encode(), CancelBooking(booking.id, confirmed=True).encode()):
        await member.press(data, my["message_id"], forged=True)
        assert "deadline" in alert(member)
    assert await active(world, world.members[0]) == [booking.id]
    assert await world.pass_balance(world.members[0]) == 9


async def test_forged_buttons_change_nothing_and_say_so(member: Phone, world: World) -> None:
    other = await book_session(world.studio, world.admin, world.yoga_on(TUESDAY), world.members[1])
    message_id = (await member.send("/my"))["message_id"]
    forged = {
        CancelBooking(other.id, confirmed=True).encode(): "You may cancel only your own bookings.",
        CancelBooking(other.id).encode(): "not one of your upcoming bookings",
        CancelBooking(999999).encode(): "not one of your upcoming bookings",
        LeaveWaitlist(424242).encode(): "waitlist does not exist",
        BookSession(world.closed_on(date(2026, 12, 2))).encode(): "This training is closed",
        BookSession(OccurrenceKey(world.yoga.id, berlin(2026, 12, 2, 18))).encode(): "does not exist",  # type: ignore[union-attr]
        JoinWaitlist(world.yoga_on(date(2026, 12, 3))).encode(): "There is a free spot",
        "B1:1:2": "expired", "Y1:x:1": "expired", "M1:elsewhere:0": "expired", "V1:": "expired",
    }
    for data, expected in forged.items():
        await member.press(data, message_id, forged=True)
        assert expected in alert(member), (data, alert(member))
    assert await active(world, world.members[1]) == [other.id]
    assert await world.active_bookings() == 1 and await waiting(world) == []
    await ledger_true(world)
    all_answered(member)


# -- the waitlist ---------------------------------------------------------------------

async def test_a_full_session_offers_the_waitlist_and_a_cancellation_books_the_first(
    member: Phone, second: Phone, world: World
) -> None:
    key = await full_tuesday(world)
    offers = await member.send("/book")
    assert "1. Tue 01 Dec 18:00–19:00 · Yoga · full · waitlist open" in offers["text"]
    assert "Book 1." not in " ".join(labels(offers))
    joined = await member.tap("Join waitlist 1.", offers)
    assert "You are 1st on the waitlist of Yoga, Tue 01 Dec 18:00. Nothing was deducted" in joined["text"]
    assert "full · you are 1st on the waitlist" in joined["text"]
    await second.tap("Join waitlist 1.", await second.send("/book"))
    assert await waiting(world) == [world.members[0], world.members[2]]
    assert await world.pass_balance(world.members[0]) == 10  # joining costs nothing
    await member.press(JoinWaitlist(key).encode(), joined["message_id"], forged=True)  # a double tap
    assert alert(member) == "You are already on the waitlist of this session."
    assert "2nd in line" in (await second.send("/my"))["text"]

    # members[1] cancels before the deadline: the first in line is booked and told
    await cancel_booking(world.studio, world.members[1], (await active(world, world.members[1]))[0])
    assert len(await active(world, world.members[0])) == 1 and await waiting(world) == [world.members[2]]
    assert await world.pass_balance(world.members[0]) == 9
    notice = [n for n in await world.notifications() if n.member_id == world.members[0]]
    assert [n.kind for n in notice] == [NotificationKind.WAITLIST_PROMOTED.value]
    told = render(NotificationKind.WAITLIST_PROMOTED, notice[0].payload, BERLIN)
    assert told.text.splitlines() == [
        "<b>A spot opened up — you are booked</b>: Yoga",
        "Tue 1 Dec 2026, 18:00",
        "",
        "You were next on the waitlist, so you are booked. One session was used from your pass: "
        "9 sessions left. See /my to cancel before the booking deadline.",
    ]
    my = await member.send("/my")
    assert "1. Tue 01 Dec 18:00–19:00 · Yoga" in my["text"] and "waitlist places" not in my["text"]
    await ledger_true(world)
    all_answered(member)


async def test_a_staff_cancel_moves_the_line_up_only_before_the_deadline(member: Phone, world: World) -> None:
    key = await full_tuesday(world)
    await member.tap("Join waitlist 1.", await member.send("/book"))
    world.studio.clock.set(berlin(2026, 12, 1, 17))  # type: ignore[attr-defined]  # past the deadline
    await cancel_booking(world.studio, world.trainer, (await active(world, world.members[1]))[0])
    assert await active(world, world.members[0]) == [] and await waiting(world) == [world.members[0]]
    world.studio.clock.set(berlin(2026, 11, 30, 9))  # type: ignore[attr-defined]  # before it
    await book_session(world.studio, world.admin, key, world.members[1])
    await cancel_booking(world.studio, world.admin, (await active(world, world.members[1]))[0])
    assert len(await active(world, world.members[0])) == 1 and await waiting(world) == []
    await ledger_true(world)


async def test_a_capacity_increase_by_the_trainer_books_the_line(
    member: Phone, second: Phone, trainer: Phone, world: World
) -> None:
    key = await full_tuesday(world)
    await member.tap("Join waitlist 1.", await member.send("/book"))
    await second.tap("Join waitlist 1.", await second.send("/book"))
    listing = await trainer.send("/sessions week")
    menu = await trainer.tap("✎ Change", await trainer.tap("1 ", listing))
    await trainer.tap("Capacity", menu)
    review = await trainer.tap("Review ▶", await trainer.send("2"))
    assert "• 1 member will be told: “A spot opened up — you are booked”" in review["text"]
    assert await waiting(world) == [world.members[0], world.members[2]]  # the review changed nothing
    outcome = await trainer.tap("Save", review)
    assert "• 1 member is told: “A spot opened up — you are booked”" in outcome["text"]
    assert (await find_session(world.studio, world.admin, key)).booked == 2
    assert len(await active(world, world.members[0])) == 1 and await waiting(world) == [world.members[2]]
    assert [n.member_id for n in await world.notifications()] == [world.members[0]]
    await ledger_true(world)


async def test_leaving_the_waitlist_from_my(member: Phone, world: World) -> None:
    await full_tuesday(world)
    await member.tap("Join waitlist 1.", await member.send("/book"))
    my = await member.send("/my")
    assert "• Tue 01 Dec 18:00–19:00 · Yoga · you are 1st in line" in my["text"]
    leave = button_data(my, "Leave waitlist")
    after = await member.tap("Leave waitlist", my)
    assert "You left the waitlist of Yoga, Tue 01 Dec 18:00. Nothing was deducted." in after["text"]
    assert await waiting(world) == []
    await member.press(leave, after["message_id"], forged=True)
    assert "does not exist (any more)" in alert(member)
    all_answered(member)


async def test_a_cancelled_session_tells_its_waitlist(member: Phone, world: World) -> None:
    key = await full_tuesday(world)
    await member.tap("Join waitlist 1.", await member.send("/book"))
    await cancel_session(world.studio, world.trainer, key, "Trainer is ill")
    assert await waiting(world) == []
    notice = [n for n in await world.notifications() if n.member_id == world.members[0]][0]
    told = render(NotificationKind(notice.kind), notice.payload, BERLIN)
    assert "Reason: Trainer is ill" in told.text
    assert "You were on its waitlist; you are off it now. Nothing was deducted from your pass." in told.text
    assert "No upcoming bookings" in (await member.send("/my"))["text"]


async def test_the_member_views_refresh_from_their_buttons(member: Phone) -> None:
    my = await member.send("/my")
    offers = await member.tap("Book a session", my)
    assert "Sessions you can book" in offers["text"]
    back = await member.tap("My bookings", offers)
    assert "Your bookings" in back["text"]
    await member.press(MemberView("my").encode(), back["message_id"])
    all_answered(member)


# -- callback data --------------------------------------------------------------------

@given(st.sampled_from(["M1:", "M1:book:", "B1:", "W1:", "Y1:", "V1:"]), st.text(alphabet="0123456789:-+x", max_size=40))
def test_member_payloads_parse_exactly_or_not_at_all(prefix: str, rest: str) -> None:
    parsed = callbacks.parse(prefix + rest)
    assert parsed is None or parsed.encode() == prefix + rest


def test_member_payloads_stay_under_64_bytes() -> None:
    key = OccurrenceKey(10**9, berlin(2099, 12, 31, 23, 59))
    longest = [BookSession(key, 999), JoinWaitlist(key, 999), CancelBooking(10**18 - 1, True), LeaveWaitlist(10**18 - 1), MemberView("book", 999)]
    for payload in longest:
        data = payload.encode()
        assert len(data.encode()) <= 64 and callbacks.parse(data) == payload
