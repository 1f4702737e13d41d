"""Issue 4: the trainer flows of SPEC §2 in Telegram, end to end — the real
Application processing real updates against the fake Bot API, and the database
checked afterwards. The studio clock stands at Monday 2026-11-30 08:00 Berlin."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

import pytest
from sqlalchemy import update

from bot.app import build_application
from bot.callbacks import OpenCard, StartOverride
from bot.context import TraineryApplication
from bot.sessions import change as session_changes
from domain.bookings.book import book_session
from domain.bookings.waitlist import join_waitlist
from domain.override import OverrideRequest
from domain.sessions.cancel import cancel_session
from domain.sessions.card import find_session
from domain.sessions.override import save_override
from storage.models import SpaceRow
from tests.bot_harness import ADMIN, MEMBER, STRANGER, SUBSTITUTE, TRAINER, app, database_url, fake, settings_for
from tests.fake_bot_api import FakeBotApi
from tests.phone import Phone, button_data, labels
from tests.world import World, berlin

TUESDAY = date(2026, 12, 1)
__all__ = ["app", "database_url", "fake"]  # fixtures, used by name


@pytest.fixture
def trainer(app: TraineryApplication, fake: FakeBotApi) -> Phone:
    return Phone(app, fake, TRAINER, "Tom")


@pytest.fixture
def admin(app: TraineryApplication, fake: FakeBotApi) -> Phone:
    return Phone(app, fake, ADMIN, "Ada")


def all_answered(phone: Phone) -> None:
    """Every button press got its answerCallbackQuery."""
    assert phone.pressed, "nothing was pressed"
    unanswered = [query for query in phone.pressed if phone.fake.answer_of(query) is None]
    assert unanswered == []


# -- /sessions --------------------------------------------------------------------

async def test_sessions_week_shows_each_line(trainer: Phone, fake: FakeBotApi) -> None:
    screen = await trainer.send("/sessions week")
    text = screen["text"]
    assert "Sessions Mon 30 Nov – Sun 06 Dec 2026 (all)" in text
    assert "1. Tue 01 Dec 18:00 · Yoga · Studio A · Tom Trainer · 0/10" in text
    assert "2. Wed 02 Dec 10:00 · Back course · Studio B · Tom Trainer · 0/6" in text
    assert "3. Thu 03 Dec 18:00 · Yoga · Studio A · Tom Trainer · 0/10" in text
    assert "Sessions 1–3 of 3" in text
    assert labels(screen)[:3] == ["1 Yoga", "2 Back course", "3 Yoga"]


async def test_quick_picks_edit_the_message_in_place(trainer: Phone) -> None:
    picks = await trainer.send("/sessions")
    assert picks["text"] == "Which sessions?"
    assert labels(picks) == ["Today", "Tomorrow", "This week", "Next week"]
    shown = await trainer.tap("Next week", picks)
    assert shown["message_id"] == picks["message_id"]
    assert "Mon 07 Dec – Sun 13 Dec 2026" in shown["text"] and "Tue 08 Dec 18:00" in shown["text"]
    assert len(trainer.messages()) == 1
    today = await trainer.tap("Today", await trainer.send("/sessions"))
    assert "Sessions Mon 30 Nov (all)" in today["text"] and "No sessions in this range." in today["text"]


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("/sessions 2026-12-01", "1. Tue 01 Dec 18:00 · Yoga"),
        ("/sessions tomorrow", "1. Tue 01 Dec 18:00 · Yoga"),
        ("/sessions 2026-12-01 2026-12-14 mine", "(you lead)"),
        ("/sessions nextweek", "Mon 07 Dec – Sun 13 Dec 2026"),
        ("/sessions 2026-11-23 2026-11-29", "Mon 23 Nov"),  # the past is listed too
    ],
)
async def test_typed_ranges(trainer: Phone, command: str, expected: str) -> None:
    assert expected in (await trainer.send(command))["text"]


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("/sessions 2026-13-01", "could not read “2026-13-01”"),
        ("/sessions yesterday", "Examples: /sessions week"),
        ("/sessions 2026-12-14 2026-12-01", "ends before it starts"),
        ("/sessions 2026-01-01 2027-06-01", "longer than 366 days"),
        ("/sessions a b c", "more than a range"),
    ],
)
async def test_a_typo_in_the_range_is_answered_with_examples(trainer: Phone, command: str, expected: str) -> None:
    reply = await trainer.send(command)
    assert expected in reply["text"] and not reply.get("reply_markup")


async def test_long_lists_are_paged_and_nothing_is_cut_off(trainer: Phone) -> None:
    first = await trainer.send("/sessions 2026-11-30 2026-12-20")  # 9 sessions over three weeks
    assert "Sessions 1–8 of 9 · page 1/2" in first["text"] and "◀ Previous" not in labels(first)
    second = await trainer.tap("Next ▶", first)
    assert second["message_id"] == first["message_id"]
    assert "9. Thu 17 Dec 18:00 · Yoga" in second["text"] and "Sessions 9–9 of 9 · page 2/2" in second["text"]
    back = await trainer.tap("◀ Previous", second)
    assert "1. Tue 01 Dec 18:00" in back["text"]


async def test_an_empty_range_says_so_and_offers_next_week(trainer: Phone) -> None:
    empty = await trainer.send("/sessions 2026-11-30")
    assert "No sessions in this range." in empty["text"]
    after = await trainer.tap("Next week ▶", empty)
    assert "Tue 08 Dec 18:00 · Yoga" in after["text"]


async def test_mine_and_all_toggle_with_a_substitute(trainer: Phone, admin: Phone, world: World) -> None:
    await save_override(world.studio, world.admin, world.yoga_on(TUESDAY), OverrideRequest(trainer_id=world.substitute))
    substitute = Phone(trainer.app, trainer.fake, SUBSTITUTE, "Sue")
    mine = await substitute.send("/sessions week mine")
    assert "(you lead)" in mine["text"] and "Sessions 1–1 of 1" in mine["text"]
    assert "Sue Substitute · 0/10 · ✎ trainer" in mine["text"]
    everything = await substitute.tap("All sessions", mine)
    assert "(all)" in everything["text"] and "Sessions 1–3 of 3" in everything["text"]
    again = await substitute.tap("Only mine", everything)
    assert "Sessions 1–1 of 1" in again["text"]


async def test_marks_for_overridden_and_cancelled_sessions(trainer: Phone, world: World) -> None:
    await save_override(world.studio, world.admin, world.yoga_on(TUESDAY), OverrideRequest(capacity=12, start=berlin(2026, 12, 1, 19)))
    await cancel_session(world.studio, world.admin, world.yoga_on(date(2026, 12, 3)), "Flooded")
    text = (await trainer.send("/sessions week"))["text"]
    assert "Tue 01 Dec 19:00 · Yoga · Studio A · Tom Trainer · 0/12 · ✎ date and time, capacity" in text
    assert "Thu 03 Dec 18:00 · Yoga · Studio A · Tom Trainer · 0/10 · ❌ cancelled" in text


async def test_members_and_strangers_cannot_list(app: TraineryApplication, fake: FakeBotApi) -> None:
    for user in (MEMBER, STRANGER):
        reply = await Phone(app, fake, user).send("/sessions week")
        assert "Only trainers and admins" in reply["text"]


# -- the occurrence card ----------------------------------------------------------

async def open_card(phone: Phone, number: int = 1, command: str = "/sessions week") -> dict:  # type: ignore[type-arg]
    listing = await phone.send(command)
    return await phone.tap(f"{number} ", listing)


async def test_the_card_shows_overrides_next_to_defaults_and_the_allowed_actions(trainer: Phone, world: World) -> None:
    await world.book_all(world.yoga_on(TUESDAY), world.members[:2])
    await save_override(world.studio, world.admin, world.yoga_on(TUESDAY), OverrideRequest(capacity=8, space_id=world.studio_b))
    card = await open_card(trainer)
    text = card["text"]
    assert "Yoga · Tue 01 Dec 2026, 18:00–19:00" in text
    assert "Space: Studio B (schedule: Studio A)" in text
    assert "Trainer: Tom Trainer" in text and "Capacity: 8 (schedule: 10)" in text
    assert "Booked: 2/8" in text
    assert labels(card) == ["✎ Change", "❌ Cancel session", "🔁 Substitute", "👥 Bookings (2)", "➕ Book a member", "◀ List", "↻ Refresh"]


async def test_the_card_shows_the_waitlist(trainer: Phone, world: World) -> None:
    key = world.yoga_on(TUESDAY)
    await save_override(world.studio, world.admin, key, OverrideRequest(capacity=2))
    await world.book_all(key, world.members[:2])
    await join_waitlist(world.studio, world.members[2], key, world.members[2])
    assert "Booked: 2/2 · waitlist: 1" in (await open_card(trainer))["text"]


async def test_a_trainer_who_does_not_lead_sees_no_actions(app: TraineryApplication, fake: FakeBotApi) -> None:
    card = await open_card(Phone(app, fake, SUBSTITUTE, "Sue"))
    assert labels(card) == ["◀ List", "↻ Refresh"]


async def test_refreshing_an_unchanged_card_is_fine(trainer: Phone) -> None:
    card = await open_card(trainer)
    again = await trainer.tap("↻ Refresh", card)  # Telegram answers 400 "not modified"
    assert again["text"] == card["text"] and trainer.answer() is not None


# -- override -----------------------------------------------------------------------

async def test_override_several_fields_review_save_and_outcome(trainer: Phone, world: World, fake: FakeBotApi) -> None:
    key = world.yoga_on(TUESDAY)
    await world.book_all(key)
    card = await open_card(trainer)
    menu = await trainer.tap("✎ Change", card)
    assert menu["message_id"] == card["message_id"]
    assert "Change <b>" not in menu["text"] and "this session only" in menu["text"]
    assert labels(menu) == ["Capacity", "Space", "Trainer", "Date & time", "☐ Cancel existing bookings", "Review ▶", "✖ Stop"]

    await trainer.tap("Capacity", menu)
    menu = await trainer.send("twelve")
    assert "whole number" in menu["text"]  # a typo re-asks with an example
    menu = await trainer.send("12")
    assert "capacity: 10 → 12" in menu["text"]

    pick = await trainer.tap("Trainer", menu)
    assert labels(pick) == ["Sue Substitute", "• Tom Trainer", "◀ Back"]
    menu = await trainer.tap("Sue Substitute", pick)
    assert "trainer: Tom Trainer → Sue Substitute" in menu["text"]

    picker = await trainer.tap("Date & time", menu)
    assert "Pick the new date" in picker["text"] and labels(picker)[0] == "Mon 30.11"
    ask = await trainer.tap("Wed 02.12", picker)
    assert "Type the start time as HH:MM" in ask["text"]
    again = await trainer.send("25:99")
    assert "That is not a time" in again["text"]
    menu = await trainer.send("19:30")
    assert "time: Tue 01 Dec 18:00 → Wed 02 Dec 19:30" in menu["text"]

    review = await trainer.tap("Review ▶", menu)
    text = review["text"]
    assert "• date and time: Tue 01 Dec 18:00 → <b>Wed 02 Dec 19:30</b>" not in text  # HTML is rendered
    assert "• date and time: Tue 01 Dec 18:00 → Wed 02 Dec 19:30" in text
    assert "• capacity: 10 → 12" in text and "• trainer: Tom Trainer → Sue Substitute" in text
    assert "• 4 members will be told: “Training rescheduled”" in text
    assert "• Sue Substitute will be told that they now lead it" in text  # Tom changed it: not told himself
    assert labels(review) == ["✅ Save", "◀ Change more", "✖ Stop"]
    assert await world.notifications() == []  # the review changed nothing

    outcome = await trainer.tap("✅ Save", review)
    assert "✅ Saved — Yoga · Wed 02 Dec 2026, 19:30–20:30" in outcome["text"]
    assert "• 4 members are told: “Training rescheduled”" in outcome["text"]
    assert "• Sue Substitute is told that they now lead it" in outcome["text"]
    occurrence = await find_session(world.studio, world.admin, key)
    assert (occurrence.start, occurrence.capacity, occurrence.trainer_id) == (berlin(2026, 12, 2, 19, 30), 12, world.substitute)
    assert [n.kind for n in await world.notifications()] == ["trainer_substitute"] + ["training_rescheduled"] * 4
    all_answered(trainer)


async def test_space_change_with_cancel_existing_bookings(trainer: Phone, world: World) -> None:
    key = world.yoga_on(TUESDAY)
    await world.book_all(key, world.members[:3])
    menu = await trainer.tap("✎ Change", await open_card(trainer))
    await trainer.tap("Capacity", menu)
    menu = await trainer.send("8")
    pick = await trainer.tap("Space", menu)
    assert labels(pick) == ["• Studio A", "Studio B", "◀ Back"]
    menu = await trainer.tap("Studio B", pick)
    prompt = await trainer.tap("Cancel existing bookings", menu)
    assert "Type a reason the members will read" in prompt["text"]  # issue 12: asked for a reason
    menu = await trainer.tap("No reason", prompt)
    assert "☑ Cancel existing bookings" in labels(menu)
    assert "No reason given to members." in menu["text"]
    review = await trainer.tap("Review ▶", menu)
    assert "3 bookings will be cancelled, 3 pass sessions refunded" in review["text"]
    assert "3 members will be told: “Your booking was cancelled” (with the refund)" in review["text"]
    await trainer.tap("Save", review)
    assert await world.active_bookings() == 0
    assert [await world.pass_balance(m) for m in world.members[:3]] == [10, 10, 10]


async def test_a_warning_is_shown_and_must_be_confirmed(trainer: Phone, world: World) -> None:
    await world.book_all(world.yoga_on(TUESDAY))
    menu = await trainer.tap("✎ Change", await open_card(trainer))
    await trainer.tap("Capacity", menu)
    review = await trainer.tap("Review ▶", await trainer.send("2"))
    assert "⚠️ 4 members are booked but the capacity becomes 2" in review["text"]
    assert labels(review)[0] == "⚠️ Confirm and save"
    assert "No member will be notified." in review["text"]
    await trainer.tap("Confirm and save", review)
    assert (await find_session(world.studio, world.admin, world.yoga_on(TUESDAY))).capacity == 2


async def test_a_warning_that_arises_between_review_and_save_is_shown_before_saving(
    trainer: Phone, world: World
) -> None:
    """The review showed no warning; meanwhile an admin moved another session into
    Studio B at that hour. Save does not save blindly: it shows the fresh review with
    the warning, and only the confirmation saves."""
    menu = await trainer.tap("✎ Change", await open_card(trainer))
    await trainer.tap("Capacity", menu)
    menu = await trainer.send("8")  # Studio B holds at most 8
    menu = await trainer.tap("Studio B", await trainer.tap("Space", menu))
    review = await trainer.tap("Review ▶", menu)
    assert "⚠️" not in review["text"] and labels(review)[0] == "✅ Save"
    assert world.closed is not None
    course = world.closed_on(date(2026, 12, 2))
    await save_override(world.studio, world.admin, course, OverrideRequest(start=berlin(2026, 12, 1, 18)), confirmed=True)
    again = await trainer.tap("Save", review)
    assert "Something changed since your review" in again["text"]
    assert "already busy then: Back course Tue 01 Dec 18:00" in again["text"]
    assert labels(again)[0] == "⚠️ Confirm and save"
    assert (await find_session(world.studio, world.admin, world.yoga_on(TUESDAY))).space_id == world.studio_a
    await trainer.tap("Confirm and save", again)
    assert (await find_session(world.studio, world.admin, world.yoga_on(TUESDAY))).space_id == world.studio_b


async def test_a_domain_refusal_shows_in_the_menu_and_changes_nothing(trainer: Phone, world: World) -> None:
    menu = await trainer.tap("✎ Change", await open_card(trainer))
    await trainer.tap("Capacity", menu)
    menu = await trainer.send("10")  # the same as now
    after = await trainer.tap("Review ▶", menu)
    assert "That changes nothing" in after["text"] and "Review ▶" in labels(after)
    assert (await find_session(world.studio, world.admin, world.yoga_on(TUESDAY))).version == 0


async def test_review_with_nothing_picked_asks_to_pick(trainer: Phone) -> None:
    menu = await trainer.tap("✎ Change", await open_card(trainer))
    await trainer.tap("Review ▶", menu)
    assert trainer.answer() == {"callback_query_id": trainer.last_query, "text": "Pick something to change first.", "show_alert": True}


async def test_no_space_question_in_a_one_space_studio(trainer: Phone, world: World) -> None:
    async with world.sessions() as session:
        await session.execute(update(SpaceRow).where(SpaceRow.id == world.studio_b).values(active=False))
        await session.commit()
    menu = await trainer.tap("✎ Change", await open_card(trainer))
    assert "Space" not in labels(menu)


async def test_no_cancel_bookings_toggle_on_a_closed_schedule(trainer: Phone) -> None:
    menu = await trainer.tap("✎ Change", await open_card(trainer, number=2))
    assert "Back course" in menu["text"]
    assert not any("Cancel existing bookings" in label for label in labels(menu))


# -- cancel -------------------------------------------------------------------------

async def test_cancel_with_a_typed_reason(trainer: Phone, world: World, fake: FakeBotApi) -> None:
    await world.book_all(world.yoga_on(TUESDAY))
    prompt = await trainer.tap("❌ Cancel session", await open_card(trainer))
    assert "Type a reason members will see" in prompt["text"]
    confirm = await trainer.send("Trainer is <ill>")
    assert "Reason shown to members: “Trainer is <ill>”" in confirm["text"]
    assert "• 4 bookings will be cancelled, 4 pass sessions refunded" in confirm["text"]
    assert "• 4 members will be told: “Training cancelled”" in confirm["text"]
    assert fake.message(TRAINER, prompt["message_id"])["text"] == "❌ Cancelling — see below."  # type: ignore[index]
    done = await trainer.tap("Yes, cancel the session", confirm)
    assert "❌ Cancelled — Yoga · Tue 01 Dec 2026" in done["text"]
    occurrence = await find_session(world.studio, world.admin, world.yoga_on(TUESDAY))
    assert occurrence.cancelled and occurrence.record.cancel_reason == "Trainer is <ill>"
    assert [n.kind for n in await world.notifications()] == ["training_cancelled"] * 4
    all_answered(trainer)


async def test_cancel_without_a_reason(trainer: Phone, world: World) -> None:
    prompt = await trainer.tap("❌ Cancel session", await open_card(trainer))
    confirm = await trainer.tap("No reason", prompt)
    assert "No reason given." in confirm["text"] and "No member will be notified." in confirm["text"]
    await trainer.tap("Yes, cancel the session", confirm)
    assert (await find_session(world.studio, world.admin, world.yoga_on(TUESDAY))).cancelled


# -- a phone's reality ----------------------------------------------------------------

async def test_a_double_tap_on_save_saves_once(trainer: Phone, world: World) -> None:
    await world.book_all(world.yoga_on(TUESDAY))
    menu = await trainer.tap("✎ Change", await open_card(trainer))
    await trainer.tap("Trainer", menu)
    review = await trainer.tap("Review ▶", await trainer.tap("Sue Substitute"))
    save = button_data(review, "Save")
    await trainer.press(save, review["message_id"])
    outcome = trainer.screen()
    await trainer.press(save, review["message_id"], forged=True)  # the second tap of a double tap
    assert trainer.answer()["text"] == "Already saved — nothing was changed twice."  # type: ignore[index]
    assert trainer.screen() == outcome and outcome["text"].startswith("✅ Saved")  # the outcome stands
    assert len(await world.notifications()) == 5  # one change, not two: 4 members and the substitute
    occurrence = await find_session(world.studio, world.admin, world.yoga_on(TUESDAY))
    assert occurrence.version == 5  # 4 bookings, 1 override


async def test_a_double_tap_on_confirm_cancel_cancels_once(trainer: Phone, world: World) -> None:
    await world.book_all(world.yoga_on(TUESDAY))
    confirm = await trainer.tap("No reason", await trainer.tap("❌ Cancel session", await open_card(trainer)))
    data = button_data(confirm, "Yes, cancel")
    await trainer.press(data, confirm["message_id"])
    await trainer.press(data, confirm["message_id"], forged=True)
    assert len(await world.notifications()) == 4
    assert [await world.pass_balance(m) for m in world.members] == [10] * 4


async def test_an_old_button_on_a_changed_session_shows_the_fresh_card(trainer: Phone, world: World) -> None:
    card = await open_card(trainer)
    await save_override(world.studio, world.admin, world.yoga_on(TUESDAY), OverrideRequest(capacity=14))
    fresh = await trainer.tap("✎ Change", card)
    assert "changed since you opened it" in fresh["text"] and "Capacity: <b>" not in fresh["text"]
    assert "Capacity: 14 (schedule: 10)" in fresh["text"]
    assert labels(fresh)[0] == "✎ Change"  # the fresh card's own buttons, with the new version


async def test_a_session_changed_between_review_and_save_is_not_saved(trainer: Phone, world: World) -> None:
    menu = await trainer.tap("✎ Change", await open_card(trainer))
    await trainer.tap("Capacity", menu)
    review = await trainer.tap("Review ▶", await trainer.send("12"))
    await book_session(world.studio, world.admin, world.yoga_on(TUESDAY), world.members[0])  # meanwhile
    fresh = await trainer.tap("Save", review)
    assert "changed since" in fresh["text"] and "Booked: 1/10" in fresh["text"]
    assert (await find_session(world.studio, world.admin, world.yoga_on(TUESDAY))).capacity == 10


async def test_slash_cancel_leaves_any_step(trainer: Phone, world: World) -> None:
    menu = await trainer.tap("✎ Change", await open_card(trainer))
    await trainer.tap("Capacity", menu)
    stopped = await trainer.send("/cancel")
    assert stopped["text"] == "Stopped. Nothing was changed."
    after = await trainer.send("12")  # no longer read as a capacity
    assert after["text"] == "I did not understand that. Send /help for what you can do."
    assert (await find_session(world.studio, world.admin, world.yoga_on(TUESDAY))).capacity == 10
    assert (await trainer.send("/cancel"))["text"] == "Nothing to stop: no change is open."


async def test_unknown_commands_and_stray_messages_are_answered(trainer: Phone, world: World) -> None:
    assert (await trainer.send("/sesions week"))["text"] == "There is no command /sesions. Send /help for the commands you can use."
    assert (await trainer.send("hello"))["text"] == "I did not understand that. Send /help for what you can do."
    assert await world.notifications() == []


async def test_stray_text_during_a_button_step_is_told_to_use_the_buttons(trainer: Phone) -> None:
    await trainer.tap("✎ Change", await open_card(trainer))
    reply = await trainer.send("hello?")
    assert reply["text"] == "Please use the buttons above, or send /cancel to stop."


async def test_an_abandoned_conversation_times_out_cleanly(
    fake: FakeBotApi, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(session_changes, "TIMEOUT", timedelta(seconds=0.5))
    application = build_application(settings_for(fake), world.sessions)
    application.bot_data.use_studio(world.studio)
    async with application:
        await application.start()  # the JobQueue runs the time-out
        phone = Phone(application, fake, TRAINER)
        menu = await phone.tap("✎ Change", await open_card(phone))
        for _ in range(400):  # waits for the event, up to 20 s on a loaded machine
            if fake.message(TRAINER, menu["message_id"])["text"] == session_changes.texts.TIMED_OUT:  # type: ignore[index]
                break
            await asyncio.sleep(0.05)
        assert fake.message(TRAINER, menu["message_id"])["text"] == session_changes.texts.TIMED_OUT  # type: ignore[index]
        assert application.user_data[TRAINER].override is None
        await application.stop()


async def test_forged_and_replayed_trainer_buttons_change_nothing(app: TraineryApplication, fake: FakeBotApi, world: World, trainer: Phone) -> None:
    key = world.yoga_on(TUESDAY)
    card = await open_card(trainer)
    change = StartOverride(key, 0).encode()
    for user, expected in ((MEMBER, "Only trainers and admins"), (STRANGER, "Only trainers and admins"), (SUBSTITUTE, "Only an admin or the trainer")):
        phone = Phone(app, fake, user)
        await phone.send("/start")
        answer = await phone.press(change, phone.screen()["message_id"], forged=True)
        assert answer is not None and expected in answer["text"], (user, answer)
        assert app.user_data[user].override is None
    # a replayed Save from a member, with the real session key
    member = Phone(app, fake, MEMBER)
    save = "F1:sv:" + OpenCard(key).encode().removeprefix("C1:") + ":0"
    await member.press(save, member.screen()["message_id"], forged=True)
    assert "Only trainers and admins" in member.answer()["text"]  # type: ignore[index]
    occurrence = await find_session(world.studio, world.admin, key)
    assert occurrence.version == 0 and occurrence.overridden == ()
    assert card["text"] == fake.message(TRAINER, card["message_id"])["text"]  # type: ignore[index]


@pytest.mark.parametrize("data", ["garbage", "C1:1", "O1:1:2", "F1:zz", "L1:1:2:3:4:5", "C1:1:99999999999999999999", ""])
async def test_random_or_truncated_callback_data_is_answered(trainer: Phone, world: World, data: str) -> None:
    card = await open_card(trainer)
    answer = await trainer.press(data or "x", card["message_id"], forged=True)
    assert answer is not None
    assert (await find_session(world.studio, world.admin, world.yoga_on(TUESDAY))).version == 0


async def test_telegram_errors_on_the_trainers_reply_never_lose_a_saved_change(trainer: Phone, world: World, fake: FakeBotApi) -> None:
    await world.book_all(world.yoga_on(TUESDAY))
    menu = await trainer.tap("✎ Change", await open_card(trainer))
    await trainer.tap("Trainer", menu)
    review = await trainer.tap("Review ▶", await trainer.tap("Sue Substitute"))
    fake.fail_next("editMessageText", code=429, retry_after=1)
    await trainer.press(button_data(review, "Save"), review["message_id"])  # the outcome cannot be shown
    occurrence = await find_session(world.studio, world.admin, world.yoga_on(TUESDAY))
    assert occurrence.trainer_id == world.substitute
    assert len(await world.notifications()) == 5  # 4 members and the substitute
    # the trainer, seeing no outcome, taps Save again: the outcome they missed, not a second change
    retried = await trainer.press(button_data(review, "Save"), review["message_id"])
    assert retried is not None and retried["text"] == "Already saved — nothing was changed twice."
    assert trainer.screen()["text"].startswith("✅ Saved — Yoga") and "→ Sue Substitute" in trainer.screen()["text"]
    shown = trainer.screen()
    # and a third time (a tap sent before the outcome arrived): the toast, the outcome stands
    again = await trainer.press(button_data(review, "Save"), review["message_id"], forged=True)
    assert again is not None and again["text"] == "Already saved — nothing was changed twice."
    assert trainer.screen() == shown
    assert len(await world.notifications()) == 5
    assert (await find_session(world.studio, world.admin, world.yoga_on(TUESDAY))).version == occurrence.version


async def test_a_network_error_on_the_outcome_never_loses_the_saved_cancel(trainer: Phone, world: World, fake: FakeBotApi) -> None:
    await world.book_all(world.yoga_on(TUESDAY))
    confirm = await trainer.tap("No reason", await trainer.tap("❌ Cancel session", await open_card(trainer)))
    fake.disconnect_next("editMessageText")
    await trainer.press(button_data(confirm, "Yes, cancel"), confirm["message_id"])  # the outcome is lost on the way
    assert (await find_session(world.studio, world.admin, world.yoga_on(TUESDAY))).cancelled
    assert len(await world.notifications()) == 4
    await trainer.press(button_data(confirm, "Yes, cancel"), confirm["message_id"])  # tapped again: nothing twice
    assert len(await world.notifications()) == 4
    assert [await world.pass_balance(m) for m in world.members] == [10] * 4


async def test_staff_cancel_a_members_booking_from_the_card_after_the_deadline(trainer: Phone, world: World, fake: FakeBotApi) -> None:
    key = world.yoga_on(TUESDAY)
    await world.book_all(key, world.members[:2])
    world.studio.clock.set(berlin(2026, 12, 1, 17, 30))  # type: ignore[attr-defined]  # members can no longer cancel
    card = await open_card(trainer, command="/sessions today")
    listing = await trainer.tap("👥 Bookings (2)", card)
    assert "1. Member 0" in listing["text"] and "2. Member 1" in listing["text"]
    confirm = await trainer.tap("✖ Member 1", listing)
    assert "Cancel Member 1's booking" in confirm["text"] and await world.active_bookings() == 2
    after = await trainer.tap("Yes, cancel the booking", confirm)
    assert "Member 1's booking was cancelled and refunded." in after["text"] and "2. Member 1" not in after["text"]
    assert await world.active_bookings() == 1 and await world.pass_balance(world.members[1]) == 10
    assert [(n.member_id, n.kind) for n in await world.notifications()] == [(world.members[1], "booking_cancelled")]
    # a second tap on the old confirmation changes nothing
    await trainer.press(button_data(confirm, "Yes, cancel"), confirm["message_id"], forged=True)
    assert "already cancelled" in trainer.answer()["text"]  # type: ignore[index]
    assert await world.pass_balance(world.members[1]) == 10
    all_answered(trainer)


async def test_others_cannot_see_or_cancel_bookings(app: TraineryApplication, fake: FakeBotApi, world: World) -> None:
    from bot.callbacks import ShowBookings, StaffCancelBooking

    key = world.yoga_on(TUESDAY)
    booking = await book_session(world.studio, world.admin, key, world.members[1])
    for user in (MEMBER, SUBSTITUTE):
        phone = Phone(app, fake, user)
        await phone.send("/start")
        mid = phone.screen()["message_id"]
        for data in (ShowBookings(key).encode(), StaffCancelBooking(booking.id, True).encode()):
            answer = await phone.press(data, mid, forged=True)
            assert answer is not None and "Only" in answer["text"], (user, answer)
    assert await world.active_bookings() == 1
