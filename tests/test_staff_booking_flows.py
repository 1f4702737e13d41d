"""Issue 14 in Telegram, end to end: `/schedule_add … ; private`, the 🔒 mark in
/sessions and /schedules, private sessions absent from /book (and refused by a
forged button), "➕ Book a member" on the session card with its review and
refusals, and a guest from `/guest_add` booked before linking, who keeps it all on
opening their link. The real Application against the fake Bot API (SQLite; the
domain tests in tests/test_private_and_guests.py run both databases). The studio
clock stands at Monday 2026-11-30 08:00 Berlin."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from bot.callbacks import BookSession, StaffBookMember, StaffBookPick
from bot.context import TraineryApplication
from bot.notify.texts import render
from domain.delivery import NO_LINKED_CHAT
from domain.notifications import NotificationKind
from storage.models import ScheduleRow
from tests.delivery_helpers import deliver, link_chats
from domain.occurrence import OccurrenceKey
from domain.override import OverrideRequest
from domain.sessions.override import save_override
from tests.bot_harness import ADMIN, MEMBER, SUBSTITUTE, TRAINER, app, database_url, fake
from tests.conftest import BERLIN
from tests.fake_bot_api import FakeBotApi
from tests.phone import Phone, labels
from tests.world import World, berlin

__all__ = ["app", "database_url", "fake"]  # fixtures, used by name

TUESDAY = date(2026, 12, 1)
GUEST = 3001
PRIVATE = "/schedule_add Anna PT; weekly wed; 2026-12-02; 07:00; 60; 1; Studio A; Tom Trainer; private"


@pytest.fixture
def trainer(app: TraineryApplication, fake: FakeBotApi) -> Phone:
    return Phone(app, fake, TRAINER, "Tom")


@pytest.fixture
def admin(app: TraineryApplication, fake: FakeBotApi) -> Phone:
    return Phone(app, fake, ADMIN, "Ada")


def all_answered(phone: Phone) -> None:
    assert phone.pressed, "nothing was pressed"
    assert [q for q in phone.pressed if phone.fake.answer_of(q) is None] == []


async def open_card(phone: Phone, number: int = 1, command: str = "/sessions week") -> dict:  # type: ignore[type-arg]
    return await phone.tap(f"{number} ", await phone.send(command))


async def private_with_pass(admin: Phone) -> None:
    """Anna PT (private, Wednesdays 07:00, Tom) and a pack for it held by Member 0."""
    added = await admin.send(PRIVATE)
    assert "Schedule added: Anna PT (private: booked from the session card)" in added["text"], added["text"]
    await admin.send("/template_add PT pack; 5; 60; Anna PT")
    assert "Granted to Member 0" in (await admin.send("/pass_grant Member 0; PT pack"))["text"]


async def test_a_private_session_is_marked_for_staff_and_never_offered_to_members(
    admin: Phone, trainer: Phone, app: TraineryApplication, fake: FakeBotApi, world: World
) -> None:
    await private_with_pass(admin)
    refused = await admin.send("/schedule_add PT two; once; 2026-12-04; 07:00; 60; 2; Studio A; Tom Trainer; private")
    assert "its capacity is 1, not 2" in refused["text"] and "Usage:" in refused["text"]
    assert "🔒 private" in (await admin.send("/schedules"))["text"]
    listing = (await trainer.send("/sessions week"))["text"]
    assert "2. Wed 02 Dec 07:00 · 🔒 Anna PT · Studio A · Tom Trainer · 0/1" in listing
    member = Phone(app, fake, MEMBER, "Max")
    offers = await member.send("/book")
    assert "Yoga" in offers["text"] and "Anna PT" not in offers["text"]
    async with world.sessions() as session:
        schedule_id = await session.scalar(select(ScheduleRow.id).where(ScheduleRow.title == "Anna PT"))
    key = OccurrenceKey(schedule_id, berlin(2026, 12, 2, 7))  # type: ignore[arg-type]
    answer = await member.press(BookSession(key).encode(), offers["message_id"], forged=True)
    assert answer is not None and "private session: only its trainer or an admin" in answer["text"]
    assert await world.active_bookings() == 0


async def test_the_trainer_books_a_member_from_the_card(trainer: Phone, world: World, fake: FakeBotApi) -> None:
    card = await open_card(trainer)
    assert "➕ Book a member" in labels(card)
    picker = await trainer.tap("➕ Book a member", card)
    assert picker["message_id"] == card["message_id"]
    text = picker["text"]
    assert "Book a member — Yoga · Tue 01 Dec 2026, 18:00–19:00" in text
    assert "1. Member 0" in text and "4. Member 3" in text and "Sam Stranger" not in text
    assert "1 member without a valid pass for it is not listed" in text
    assert labels(picker) == ["➕ Member 0", "➕ Member 1", "➕ Member 2", "➕ Member 3", "◀ Session"]
    review = await trainer.tap("➕ Member 1", picker)
    assert "Book Member 1 onto Yoga" in review["text"]
    assert "Pass: 10 classes — one session is used (9 sessions left after)" in review["text"]
    assert "not linked Telegram yet" in review["text"]  # Member 1 has no chat in the test studio
    assert await world.active_bookings() == 0
    after = await trainer.tap("✅ Book", review)
    assert "Member 1 is booked; 9 sessions left on their pass." in after["text"] and "Booked: 1/10" in after["text"]
    assert await world.active_bookings() == 1 and await world.pass_balance(world.members[1]) == 9
    assert [(n.member_id, n.kind) for n in await world.notifications()] == [(world.members[1], "booked_by_staff")]
    # a second tap on the old ✅ Book books nothing more, and says why
    again = StaffBookMember(world.yoga_on(TUESDAY), world.members[1], True).encode()
    await trainer.press(again, review["message_id"], forged=True)  # the message shows the card by now
    assert trainer.answer()["text"] == "Not booked — see why below."  # type: ignore[index]
    assert "Member 1 is booked on this session already." in trainer.screen()["text"]
    assert await world.active_bookings() == 1 and await world.pass_balance(world.members[1]) == 9
    all_answered(trainer)


async def test_a_full_session_has_no_book_button_and_a_late_press_says_so(trainer: Phone, world: World) -> None:
    key = world.yoga_on(TUESDAY)
    await save_override(world.studio, world.admin, key, OverrideRequest(capacity=1))
    review = await trainer.tap("➕ Member 1", await trainer.tap("➕ Book a member", await open_card(trainer)))
    await world.book_all(key, world.members[:1])  # someone else took the spot meanwhile
    after = await trainer.tap("✅ Book", review)
    assert "This session is full (1/1): nobody was booked." in after["text"]
    assert "➕ Book a member" not in labels(after)
    assert await world.active_bookings() == 1


async def test_a_member_without_a_pass_is_refused_with_why(trainer: Phone, world: World) -> None:
    card = await open_card(trainer)
    forged = StaffBookMember(world.yoga_on(TUESDAY), world.substitute).encode()  # Sue: a member without a pass
    await trainer.press(forged, card["message_id"], forged=True)
    text = trainer.screen()["text"]
    assert "Sue Substitute holds no valid pass for Yoga" in text and "/pass_grant Sue Substitute" in text
    assert await world.active_bookings() == 0


async def test_others_cannot_book_members_by_forged_buttons(
    app: TraineryApplication, fake: FakeBotApi, world: World
) -> None:
    key = world.yoga_on(TUESDAY)
    for user in (MEMBER, SUBSTITUTE):
        phone = Phone(app, fake, user)
        await phone.send("/start")
        mid = phone.screen()["message_id"]
        for data in (StaffBookPick(key).encode(), StaffBookMember(key, world.members[1], True).encode()):
            answer = await phone.press(data, mid, forged=True)
            assert answer is not None and "Only" in answer["text"], (user, answer)
    assert await world.active_bookings() == 0 and await world.notifications() == []


async def test_a_guest_is_booked_before_linking_and_keeps_it(
    admin: Phone, trainer: Phone, app: TraineryApplication, fake: FakeBotApi, world: World
) -> None:
    added = (await admin.send("/guest_add Gus Guest"))["text"]
    assert "Guest added: Gus Guest (not linked to Telegram yet)." in added
    token = re.search(r"https://t\.me/trainery_test_bot\?start=([A-Za-z0-9_-]+)", added).group(1)  # type: ignore[union-attr]
    again = (await admin.send("/guest_add Gus Guest"))["text"]
    assert "was added before and has not linked Telegram yet: a fresh link" in again
    assert "Usage: /guest_add" in (await admin.send("/guest_add"))["text"]
    assert "Only admins" in (await trainer.send("/guest_add Someone"))["text"]
    assert "too long" in (await admin.send("/guest_add " + "x" * 101))["text"]
    assert "(new)" in (await admin.send("/guest_add Member 0"))["text"]  # someone else of that name: not invited
    assert "Granted to Gus Guest" in (await admin.send("/pass_grant Gus Guest; 10 classes"))["text"]
    picker = await trainer.tap("➕ Book a member", await open_card(trainer))
    review = await trainer.tap("➕ Gus Guest", picker)
    await trainer.tap("✅ Book", review)
    assert "Gus Guest is booked" in trainer.screen()["text"]
    guest = Phone(app, fake, GUEST, "Gus")
    welcome = (await guest.send(f"/start {token}"))["text"]
    assert welcome.startswith("Welcome, Gus Guest!")
    my = (await guest.send("/my"))["text"]
    assert "1. Tue 01 Dec 18:00–19:00 · Yoga" in my and "• 10 classes: 9 sessions left" in my
    [row] = [n for n in await world.notifications() if n.kind == "booked_by_staff"]
    assert row.payload["by"] == "Tom Trainer" and row.member_id not in world.members  # the guest's, while unlinked


async def test_the_member_is_told_and_an_unlinked_guest_is_recorded(
    app: TraineryApplication, trainer: Phone, fake: FakeBotApi, world: World
) -> None:
    key = world.yoga_on(TUESDAY)
    linked, guest = world.members[:2]  # Member 1 has no chat: a guest not linked yet
    chats = await link_chats(world.sessions, fake, [linked])
    for member in (linked, guest):
        await trainer.press(
            StaffBookMember(key, member, True).encode(), (await open_card(trainer))["message_id"], forged=True
        )
    await deliver(app, world, 2)
    rows = {n.member_id: n for n in await world.notifications()}
    assert rows[linked].status == "sent" and (rows[guest].status, rows[guest].failure_reason) == (
        "failed",
        NO_LINKED_CHAT,
    )
    [sent] = [c for c in fake.calls("sendMessage") if c.params.get("chat_id") == chats[linked]]
    assert "Tom Trainer booked you onto this session" in sent.params["text"]


def test_the_booked_notice_names_who_booked_and_the_pass() -> None:
    payload = {
        "schedule_id": 1,
        "original_start": "2026-12-01T17:00:00+00:00",
        "title": "Anna <PT>",
        "start": "2026-12-01T17:00:00+00:00",
        "changes": [],
        "by": "Tom & Co",
        "pass": {"pass_id": 3, "sessions_left": 4},
    }
    notice = render(NotificationKind.BOOKED_BY_STAFF, payload, BERLIN)
    assert notice.text.startswith("<b>You are booked</b>: Anna &lt;PT&gt;\nTue 1 Dec 2026, 18:00")
    assert (
        "Tom &amp; Co booked you onto this session. One session was used from your pass: 4 sessions left."
        in notice.text
    )
    assert notice.markup is None
    unlimited = render(
        NotificationKind.BOOKED_BY_STAFF, {**payload, "pass": {"pass_id": 3, "sessions_left": None}}, BERLIN
    )
    assert "Your pass is unlimited." in unlimited.text


async def test_the_card_shows_a_private_session(admin: Phone, trainer: Phone, world: World) -> None:
    await private_with_pass(admin)
    card = await open_card(trainer, 2)
    assert "🔒 Private session (1:1)" in card["text"] and "Capacity: 1" in card["text"]
    review = await trainer.tap("➕ Member 0", await trainer.tap("➕ Book a member", card))
    assert "Pass: PT pack — one session is used (4 sessions left after)" in review["text"]
    after = await trainer.tap("✅ Book", review)
    assert "Member 0 is booked; 4 sessions left on their pass." in after["text"]
    assert "➕ Book a member" not in labels(after) and "👥 Bookings (1)" in labels(after)
    assert await world.active_bookings() == 1
