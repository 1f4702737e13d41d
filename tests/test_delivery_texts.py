"""What members read (SPEC §2.2, §2.3, §3): each kind rendered from the payloads the
domain really stores, in the studio's zone, before → after, what it means for the
booking and pass, and the "Book again" button only where members may book."""

from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from hypothesis import given
from hypothesis import strategies as st

from bot.members.book_again import BookAgain
from bot.notify.texts import render
from domain.notifications import TRAINER_KINDS, NotificationKind
from domain.occurrence import OccurrenceKey
from domain.override import OverrideRequest
from storage.models import BookingRow, NotificationRow
from tests.fake_bot_api import ApiError, parse_html
from tests.world import BERLIN, World, berlin
from domain.bookings.cancel import cancel_booking
from domain.sessions.cancel import cancel_session
from domain.sessions.override import save_override

TUESDAY = date(2026, 12, 1)


def plain(html_text: str) -> str:
    """The text Telegram shows; raises like Telegram on HTML it would refuse."""
    return parse_html(html_text)[0]


async def rendered(world: World) -> list[tuple[NotificationRow, str, object]]:
    """The members' notices; the trainers' of the same changes are tested in test_trainer_notices.py."""
    out = []
    for row in await world.notifications():
        if NotificationKind(row.kind) in TRAINER_KINDS:
            continue
        notice = render(NotificationKind(row.kind), row.payload, BERLIN)
        out.append((row, plain(notice.text), notice.markup))
    return out


async def test_trainer_and_space_change_is_training_updated(world: World) -> None:
    key = world.yoga_on(TUESDAY)
    await world.book_all(key, world.members[:1])
    await save_override(world.studio, 
        world.admin, key, OverrideRequest(trainer_id=world.substitute, space_id=world.studio_b, capacity=8)
    )
    [(_, text, markup)] = await rendered(world)
    assert text.splitlines() == [
        "Training updated: Yoga",
        "Tue 1 Dec 2026, 18:00",
        "Space: Studio A → Studio B",
        "Trainer: Tom Trainer → Sue Substitute",
        "",
        "Your booking is kept; your pass is unchanged.",
    ]
    assert markup is None


async def test_a_new_time_is_training_rescheduled_only(world: World) -> None:
    key = world.yoga_on(TUESDAY)
    await world.book_all(key, world.members[:1])
    await save_override(world.studio, 
        world.admin, key, OverrideRequest(start=berlin(2026, 12, 2, 19, 30), trainer_id=world.substitute)
    )
    [(row, text, markup)] = await rendered(world)
    assert row.kind == "training_rescheduled"
    assert text.splitlines()[:3] == [
        "Training rescheduled: Yoga",
        "Time: Tue 1 Dec 2026, 18:00 → Wed 2 Dec 2026, 19:30",
        "Trainer: Tom Trainer → Sue Substitute",
    ]
    assert "Training updated" not in text
    assert text.endswith("Your booking is kept for the new time; your pass is unchanged.")
    assert markup is None


async def test_a_later_time_on_the_same_day_shows_only_the_new_hour(world: World) -> None:
    key = world.yoga_on(TUESDAY)
    await world.book_all(key, world.members[:1])
    await save_override(world.studio, world.admin, key, OverrideRequest(start=berlin(2026, 12, 1, 19)))
    [(_, text, _)] = await rendered(world)
    assert "Time: Tue 1 Dec 2026, 18:00 → 19:00" in text


async def test_cancelled_training_tells_the_reason_and_the_refund(world: World) -> None:
    key = world.yoga_on(TUESDAY)
    await world.book_all(key, world.members[:1])
    await cancel_session(world.studio, world.admin, key, "Heating <broken> & cold")
    [(_, text, markup)] = await rendered(world)
    assert text.splitlines() == [
        "Training cancelled: Yoga",
        "Tue 1 Dec 2026, 18:00",
        "Reason: Heating <broken> & cold",
        "",
        "Your booking is cancelled. The session went back to your pass: 10 sessions left.",
    ]
    assert markup is None  # nothing to book again on a cancelled session


async def test_cancelled_bookings_come_with_book_again_on_an_open_schedule(world: World) -> None:
    key = world.yoga_on(TUESDAY)
    await world.book_all(key, world.members[:1])
    await save_override(world.studio, 
        world.admin, key, OverrideRequest(start=berlin(2026, 12, 1, 20), cancel_bookings=True)
    )
    [(row, text, markup)] = await rendered(world)
    assert row.kind == "booking_cancelled"
    assert text.startswith("Your booking was cancelled: Yoga\nTime: Tue 1 Dec 2026, 18:00 → 20:00")
    assert "The session went back to your pass: 10 sessions left." in text
    assert "You can book this session again below." in text
    [[button]] = markup.inline_keyboard  # type: ignore[attr-defined]
    assert button.text == "Book again"
    assert BookAgain.parse(button.callback_data) == BookAgain(key)


async def test_staff_cancelling_one_booking_tells_the_member(world: World) -> None:
    key = world.yoga_on(TUESDAY)
    await world.book_all(key, world.members[:1])
    async with world.sessions() as session:
        booking_id = await session.scalar(select(BookingRow.id))
    await cancel_booking(world.studio, world.admin, booking_id)
    [(row, text, markup)] = await rendered(world)
    assert row.kind == "booking_cancelled"
    assert text.splitlines()[:2] == ["Your booking was cancelled: Yoga", "Tue 1 Dec 2026, 18:00"]
    assert markup is not None


def test_unlimited_passes_are_unchanged_and_closed_schedules_offer_no_button() -> None:
    payload = {
        "schedule_id": 3, "original_start": "2026-12-02T09:00:00+00:00", "title": "Back course",
        "start": "2026-12-02T09:00:00+00:00", "changes": [], "rebook": False,
        "refund": {"pass_id": 1, "sessions_left": None},
    }
    notice = render(NotificationKind.BOOKING_CANCELLED, payload, BERLIN)
    assert "Your pass is unlimited, so it is unchanged." in plain(notice.text)
    assert notice.markup is None


def test_one_session_left_is_singular() -> None:
    payload = {
        "schedule_id": 1, "original_start": "2026-12-01T17:00:00+00:00", "title": "Yoga",
        "start": "2026-12-01T17:00:00+00:00", "reason": None, "refund": {"pass_id": 1, "sessions_left": 1},
    }
    assert "1 session left." in plain(render(NotificationKind.CANCELLED, payload, BERLIN).text)


def test_times_are_shown_in_the_studio_zone_across_daylight_saving() -> None:
    # 18:00 Berlin is 16:00 UTC in summer time and 17:00 UTC in winter time.
    payload = {
        "schedule_id": 1, "original_start": "2026-10-24T16:00:00+00:00", "title": "Yoga",
        "start": "2026-10-27T17:00:00+00:00",
        "changes": [{"field": "time", "before": "2026-10-24T16:00:00+00:00", "after": "2026-10-27T17:00:00+00:00"}],
    }
    text = plain(render(NotificationKind.RESCHEDULED, payload, BERLIN).text)
    assert "Time: Sat 24 Oct 2026, 18:00 → Tue 27 Oct 2026, 18:00" in text
    assert "Time: Sat 24 Oct 2026, 16:00" in plain(render(NotificationKind.RESCHEDULED, payload, ZoneInfo("UTC")).text)


@given(st.text(min_size=1, max_size=200), st.one_of(st.none(), st.text(max_size=500)))
def test_any_title_and_reason_make_html_telegram_accepts(title: str, reason: str | None) -> None:
    payload = {
        "schedule_id": 1, "original_start": "2026-12-01T17:00:00+00:00", "title": title,
        "start": "2026-12-01T17:00:00+00:00", "reason": reason, "refund": {"pass_id": 1, "sessions_left": 3},
    }
    try:
        text = plain(render(NotificationKind.CANCELLED, payload, BERLIN).text)
    except ApiError as error:  # pragma: no cover - the assertion's message
        pytest.fail(f"Telegram would refuse it: {error.description}")
    assert title.strip() in text or not title.strip()


@given(st.integers(min_value=1, max_value=10**12), st.integers(min_value=0, max_value=4_102_444_800))
def test_book_again_data_is_short_and_parses_back(schedule_id: int, seconds: int) -> None:
    key = OccurrenceKey(schedule_id, datetime.fromtimestamp(seconds, timezone.utc))
    data = BookAgain(key).encode()
    assert data.startswith("bk1:") and len(data.encode()) <= 64
    assert BookAgain.parse(data) == BookAgain(key)


@pytest.mark.parametrize("data", ["bk1:", "bk1:1", "bk1:x:1", "bk1:1:-5", "bk2:1:1764608400", "bk1:1:1764608400:9", ""])
def test_mangled_book_again_data_is_refused(data: str) -> None:
    assert BookAgain.parse(data) is None
