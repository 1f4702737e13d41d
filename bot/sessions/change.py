"""Overriding and cancelling one occurrence, as one conversation (SPEC §2.2, §2.3):
pick what to change, review exactly what will happen, confirm, see the outcome.

Both flows share one ConversationHandler so that a typed capacity, time or reason
always reaches the flow that asked for it; starting one flow ends the other.
"""

from __future__ import annotations

import warnings
from datetime import date, datetime, time, timedelta
from typing import cast

from telegram import Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.ext._utils.types import ConversationKey
from telegram.warnings import PTBUserWarning

from bot import callbacks, i18n, language
from bot.context import TraineryApplication, TraineryContext
from bot.i18n import _, error_text
from bot.persistence import AnyApplication, persist, persistence_of
from bot.ranges import DayError, parse_capacity, parse_day, parse_time
from bot.render import escape
from bot.replies import answer, retire, show
from bot.sessions import keyboards, texts
from bot.sessions.access import staff, staff_press, today
from bot.sessions.card import show_card
from bot.sessions.receipts import Followed
from bot.user_state import CancelDraft, Outcome, OverrideDraft
from domain.cancellation import clean_reason
from domain.delivery import Receipt
from domain.errors import ConfirmationNeeded, DomainError, InvalidReason, NotAllowed, StaleReview
from domain.occurrence import Occurrence
from domain.override import OverrideRequest, OverrideReview
from domain.permissions import may_change
from domain.recurrence import to_utc
from domain.roles import Person
from domain.sessions.cancel import cancel_session, review_cancel
from domain.sessions.card import SessionCard, session_card
from domain.sessions.override import review_override, save_override

CHOOSE, CAPACITY, SPACE, TRAINER, DAY, TIME, REVIEW, REASON, CONFIRM_CANCEL, OVERRIDE_REASON = range(10)
END = ConversationHandler.END
NAME = "session_changes"
TIMEOUT = timedelta(minutes=10)
FURTHEST = timedelta(days=2 * 366)  # how far ahead a session may be moved: a typo's year 2207 is refused


def step_of(update: Update) -> callbacks.Step | None:
    data = callbacks.parse(update.callback_query.data if update.callback_query else None)
    return data if isinstance(data, callbacks.Step) else None


# -- starting: the card's buttons -------------------------------------------------


async def begin(update: Update, context: TraineryContext) -> tuple[Person, SessionCard] | None:
    """Check the pressed Change/Cancel button against the session as it is now."""
    starts = (callbacks.StartOverride, callbacks.StartCancel, callbacks.StartSubstitute)
    pressed = await staff_press(update, context, starts)
    if pressed is None:
        return None
    person, data = pressed
    assert isinstance(data, starts)  # for the type checker
    try:
        card = await session_card(context.studio, person.id, data.key)
    except DomainError as error:
        await answer(update, error_text(error), alert=True)
        return None
    occurrence = card.occurrence
    if not may_change(person, occurrence):
        await answer(update, _(texts.NOT_YOURS), alert=True)
        return None
    await answer(update)
    if occurrence.version != data.version or occurrence.cancelled or occurrence.start <= context.studio.now():
        await show_card(update, context, person, data.key, _(texts.CHANGED_SINCE))
        return None
    return person, card


async def start_override(update: Update, context: TraineryContext) -> int:
    begun = await begin(update, context)
    if begun is None:
        return END
    person, card = begun
    context.state.cancel = None
    draft = OverrideDraft(card.occurrence.key)
    context.state.override = draft
    return await show_menu(update, context, loaded=(person, card, draft))  # the card just read: no second look


async def start_substitute(update: Update, context: TraineryContext) -> int:
    """The card's Substitute: the trainer picker at once; the picked trainer goes
    straight to the review, so list → card → Substitute → trainer → Save is four taps."""
    begun = await begin(update, context)
    if begun is None:
        return END
    card = begun[1]
    occurrence, names = card.occurrence, card.directory
    context.state.cancel = None
    draft = OverrideDraft(occurrence.key, substitute=True)
    context.state.override = draft
    text = texts.pick_substitute(occurrence, names, context.settings.zone)
    draft.message_id = await show(update, context, text, keyboards.trainers(names, occurrence.trainer_id))
    return TRAINER


async def start_cancel(update: Update, context: TraineryContext) -> int:
    begun = await begin(update, context)
    if begun is None:
        return END
    occurrence = begun[1].occurrence
    context.state.override = None
    draft = CancelDraft(occurrence.key)
    context.state.cancel = draft
    draft.message_id = await show(
        update, context, texts.cancel_prompt(occurrence, context.settings.zone), keyboards.reason()
    )
    return REASON


# -- the override menu and its pickers ----------------------------------------------


async def current(update: Update, context: TraineryContext) -> tuple[Person, SessionCard, OverrideDraft] | None:
    """The person, the session being changed (with the names to show) and the draft."""
    draft = context.state.override
    person = await staff(update, context)
    if person is None or draft is None:
        return None
    return person, await session_card(context.studio, person.id, draft.key), draft


async def show_menu(
    update: Update,
    context: TraineryContext,
    note: str | None = None,
    loaded: tuple[Person, SessionCard, OverrideDraft] | None = None,
) -> int:
    loaded = loaded or await current(update, context)
    if loaded is None:
        return END
    person, card, draft = loaded
    occurrence, names = card.occurrence, card.directory
    text = texts.override_menu(occurrence, draft, names, context.settings.zone, note)
    if update.callback_query is None:  # after typed input: a fresh menu below it
        chat_id = update.effective_chat.id if update.effective_chat else 0
        await retire(context, chat_id, draft.message_id, _(texts.CHANGE_IN_PROGRESS))
    draft.message_id = await show(update, context, text, keyboards.override_menu(occurrence, draft, names))
    return CHOOSE


async def menu_pressed(update: Update, context: TraineryContext) -> int:
    step = step_of(update)
    loaded = await current(update, context)
    if step is None or loaded is None:
        await answer(update, _(texts.EXPIRED_BUTTON))
        return END
    person, card, draft = loaded
    occurrence, names, zone = card.occurrence, card.directory, context.settings.zone
    if step.action == "cap":
        await answer(update)
        await show(update, context, _(texts.ASK_CAPACITY))
        return CAPACITY
    if step.action == "spc":
        await answer(update)
        await show(update, context, texts.pick_space(), keyboards.spaces(names, draft.space_id or occurrence.space_id))
        return SPACE
    if step.action == "trn":
        await answer(update)
        await show(
            update, context, texts.pick_trainer(), keyboards.trainers(names, draft.trainer_id or occurrence.trainer_id)
        )
        return TRAINER
    if step.action == "dt":
        await answer(update)
        start = draft.start or occurrence.start
        await show_picker(update, context, start, start.astimezone(zone).date())
        return DAY
    if step.action == "tgl" and not occurrence.schedule.closed:
        draft.cancel_bookings, draft.reason = not draft.cancel_bookings, None
        await answer(update)
        if draft.cancel_bookings:  # the members whose bookings go may be told why
            await show(update, context, _(texts.ASK_OVERRIDE_REASON), keyboards.override_reason())
            return OVERRIDE_REASON
        return await show_menu(update, context)
    if step.action == "rv":
        return await review(update, context, person, occurrence, draft)
    await answer(update, _(texts.EXPIRED_BUTTON))
    return CHOOSE


async def capacity_typed(update: Update, context: TraineryContext) -> int:
    draft = context.state.override
    message = update.effective_message
    value = parse_capacity(message.text or "") if message else None
    if draft is None:
        return END
    if value is None:
        await show(update, context, _(texts.BAD_CAPACITY))
        return CAPACITY
    draft.capacity = value
    return await show_menu(update, context)


async def choice_pressed(update: Update, context: TraineryContext) -> int:
    """A space ("sp") or trainer ("tr") button of the pickers."""
    step, draft = step_of(update), context.state.override
    if draft is not None and draft.substitute and step is not None and step.action == "tr":
        return await substitute_picked(update, context, draft, step.arg)
    await answer(update)
    if draft is not None and step is not None and step.action == "sp":
        draft.space_id = step.arg
    elif draft is not None and step is not None and step.action == "tr":
        draft.trainer_id = step.arg
    return await show_menu(update, context)


async def show_picker(update: Update, context: TraineryContext, current: datetime, week_of: date) -> None:
    """The date picker at the week of `week_of`: never before this week, never past the
    furthest day a session may move to."""
    now, furthest = today(context), today(context) + FURTHEST
    first = min(max(monday(week_of), monday(now)), monday(furthest))
    await show(
        update, context, texts.pick_date(current, context.settings.zone), keyboards.date_picker(first, now, furthest)
    )


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


async def substitute_picked(
    update: Update, context: TraineryContext, draft: OverrideDraft, trainer_id: int | None
) -> int:
    draft.trainer_id, draft.substitute = trainer_id, False  # from here on an ordinary change: Back shows the menu
    loaded = await current(update, context)
    if loaded is None:
        await answer(update, _(texts.EXPIRED_BUTTON))
        return END
    person, card = loaded[0], loaded[1]  # not `_`: that name translates
    return await review(update, context, person, card.occurrence, draft)


async def day_pressed(update: Update, context: TraineryContext) -> int:
    step, draft = step_of(update), context.state.override
    loaded = await current(update, context)
    if step is None or draft is None or loaded is None:
        await answer(update, _(texts.EXPIRED_BUTTON))
        return END
    await answer(update)
    start = draft.start or loaded[1].occurrence.start
    now = today(context)
    picked = _day_of(step.arg)
    if step.action == "d" and picked is not None and now <= picked <= now + FURTHEST:
        return await day_picked(update, context, draft, picked, start)
    if step.action == "wk" and picked is not None:
        await show_picker(update, context, start, picked)
    else:  # a forged button, or a day gone by on a picker left open: the picker as it is today
        await show_picker(update, context, start, start.astimezone(context.settings.zone).date())
    return DAY


def _day_of(ordinal: int | None) -> date | None:
    """A button's day; None for a number no calendar has (forged data)."""
    if ordinal is None or not 0 < ordinal <= date.max.toordinal():
        return None
    return date.fromordinal(ordinal)


async def date_typed(update: Update, context: TraineryContext) -> int:
    """A day typed at the date step instead of tapped: `9.2`, `09.02.2027`, `2027-02-09`."""
    message, loaded = update.effective_message, await current(update, context)
    if message is None or loaded is None:
        return END
    card, draft = loaded[1], loaded[2]  # not `_`: that name translates
    now = today(context)
    try:
        day = parse_day(message.text or "", now)
    except DayError as error:
        await show(update, context, f"{escape(str(error))} {_(texts.OR_PICK)}")
        return DAY
    if not now <= day <= now + FURTHEST:
        await show(update, context, texts.day_out_of_reach(day, now, now + FURTHEST))
        return DAY
    return await day_picked(update, context, draft, day, draft.start or card.occurrence.start)


async def day_picked(
    update: Update, context: TraineryContext, draft: OverrideDraft, day: date, current: datetime
) -> int:
    draft.day = day
    await show(update, context, texts.ask_time(day, current, context.settings.zone))
    return TIME


async def time_typed(update: Update, context: TraineryContext) -> int:
    draft = context.state.override
    message = update.effective_message
    parsed = parse_time(message.text or "") if message else None
    if draft is None or draft.day is None:
        return END
    if parsed is None:
        await show(update, context, _(texts.BAD_TIME))
        return TIME
    draft.start = to_utc(datetime.combine(draft.day, time(*parsed)), context.settings.zone)
    return await show_menu(update, context)


async def override_reason_typed(update: Update, context: TraineryContext) -> int:
    draft, message = context.state.override, update.effective_message
    if draft is None or message is None:
        return END
    try:
        draft.reason = clean_reason(message.text)
    except InvalidReason as error:
        await show(
            update,
            context,
            f"{escape(error_text(error))}\n\n{_(texts.ASK_OVERRIDE_REASON)}",
            keyboards.override_reason(),
        )
        return OVERRIDE_REASON
    return await show_menu(update, context)


async def override_reason_skipped(update: Update, context: TraineryContext) -> int:
    await answer(update)
    if context.state.override is not None:
        context.state.override.reason = None
    return await show_menu(update, context)


async def back_pressed(update: Update, context: TraineryContext) -> int:
    await answer(update)
    if context.state.override is not None:
        context.state.override.substitute = False  # the whole menu from here on
    return await show_menu(update, context)


# -- review and save --------------------------------------------------------------


def request_of(draft: OverrideDraft) -> OverrideRequest:
    return OverrideRequest(
        capacity=draft.capacity,
        space_id=draft.space_id,
        trainer_id=draft.trainer_id,
        start=draft.start,
        cancel_bookings=draft.cancel_bookings,
        reason=draft.reason if draft.cancel_bookings else None,
    )


async def review(
    update: Update, context: TraineryContext, person: Person, occurrence: Occurrence, draft: OverrideDraft
) -> int:
    if draft.is_empty():
        await answer(update, _(texts.PICK_SOMETHING), alert=True)
        return CHOOSE
    try:
        plan = await review_override(context.studio, person.id, draft.key, request_of(draft))
    except DomainError as error:
        await answer(update)
        return await show_menu(update, context, note=error_text(error))
    await answer(update)
    return await show_review(update, context, occurrence, draft, plan)


async def show_review(
    update: Update,
    context: TraineryContext,
    occurrence: Occurrence,
    draft: OverrideDraft,
    plan: OverrideReview,
    note: str | None = None,
) -> int:
    """The review; its warnings are what a Save confirms (the save asks again if others arise)."""
    assert plan.directory is not None
    draft.confirmed = tuple(warning.seen() for warning in plan.warnings)
    text = texts.review(plan, plan.directory, context.settings.zone)
    if note:
        text = f"<i>{escape(note)}</i>\n\n{text}"
    await show(update, context, text, keyboards.review(occurrence, plan.version, bool(plan.warnings)))
    return REVIEW


async def save_pressed(update: Update, context: TraineryContext) -> int:
    step, draft = step_of(update), context.state.override
    person = await staff(update, context)
    if person is None or step is None or step.key is None or draft is None or step.key != draft.key:
        return await stale_button(update, context)
    try:
        saved = await save_override(
            context.studio,
            person.id,
            draft.key,
            request_of(draft),
            expected_version=step.arg,
            confirmed=draft.confirmed,
        )
    except ConfirmationNeeded as needed:  # a space or trainer became busy since the review
        await answer(update, _(texts.NEW_WARNINGS), alert=True)
        return await show_review(update, context, needed.review.before, draft, needed.review, _(texts.NEW_WARNINGS))
    except StaleReview:
        await answer(update, _(texts.CHANGED_SINCE), alert=True)
        await show_card(update, context, person, draft.key, _(texts.CHANGED_SINCE))
        return finish(context)
    except NotAllowed as error:
        await answer(update, error_text(error), alert=True)
        await show_card(update, context, person, draft.key, error_text(error))
        return finish(context)
    except DomainError as error:
        await answer(update)
        return await show_menu(update, context, note=error_text(error))
    assert saved.directory is not None
    outcome = texts.override_outcome(saved, saved.directory, context.settings.zone)
    done = Outcome(draft.key, "sv", 0, outcome, change_id=saved.change_id, told=len(saved.notifications))
    return await show_outcome(update, context, done, _(texts.SAVED))


# -- cancelling -------------------------------------------------------------------


async def reason_typed(update: Update, context: TraineryContext) -> int:
    draft = context.state.cancel
    if draft is None or update.effective_message is None:
        return END
    draft.reason = update.effective_message.text
    chat_id = update.effective_chat.id if update.effective_chat else 0
    await retire(context, chat_id, draft.message_id, _(texts.CANCELLING))
    return await confirm_cancel(update, context, draft)


async def reason_skipped(update: Update, context: TraineryContext) -> int:
    draft = context.state.cancel
    await answer(update)
    if draft is None:
        return END
    draft.reason = None
    return await confirm_cancel(update, context, draft)


async def confirm_cancel(update: Update, context: TraineryContext, draft: CancelDraft) -> int:
    person = await staff(update, context)
    if person is None:
        return finish(context)
    try:
        plan = await review_cancel(context.studio, person.id, draft.key, draft.reason)
    except DomainError as error:
        await show(update, context, f"{escape(error_text(error))}\n\n{_(texts.ASK_REASON)}", keyboards.reason())
        return REASON
    if plan.already_cancelled:
        await show_card(update, context, person, draft.key, _(texts.ALREADY_CANCELLED))
        return finish(context)
    zone = context.settings.zone
    draft.message_id = await show(
        update, context, texts.cancel_confirm(plan, zone), keyboards.cancel_confirm(plan.occurrence, plan.version)
    )
    return CONFIRM_CANCEL


async def cancel_confirmed(update: Update, context: TraineryContext) -> int:
    step, draft = step_of(update), context.state.cancel
    person = await staff(update, context)
    if person is None or step is None or step.key is None or draft is None or step.key != draft.key:
        return await stale_button(update, context)
    try:
        done = await cancel_session(context.studio, person.id, draft.key, draft.reason, expected_version=step.arg)
    except (StaleReview, NotAllowed) as error:
        await answer(update, error_text(error), alert=True)
        await show_card(update, context, person, draft.key, error_text(error))
        return finish(context)
    except DomainError as error:
        await answer(update, error_text(error), alert=True)
        return finish(context)
    outcome = texts.cancel_outcome(done, context.settings.zone)
    told = len(done.notifications)
    return await show_outcome(
        update, context, Outcome(draft.key, "cx", 0, outcome, change_id=done.change_id, told=told), _(texts.CANCELLED)
    )


async def show_outcome(update: Update, context: TraineryContext, outcome: Outcome, toast: str) -> int:
    """Done: remember the outcome before showing it, so a second tap — or a tap after
    Telegram failed to show it — finds it (`stale_button`) instead of acting again."""
    message = update.callback_query.message if update.callback_query else None
    outcome.message_id = message.message_id if message else 0
    outcome.plain = outcome.text
    if outcome.told:  # the receipt line, filled in as the notifications go out
        outcome.text = texts.with_receipt(outcome.plain, Receipt.queued(outcome.told))
    context.state.outcome = outcome
    finish(context)
    await answer(update, toast)
    await show(update, context, outcome.text, keyboards.open_card(outcome.key))
    outcome.shown = True
    follow_receipt(update, context, outcome)
    return END


def follow_receipt(update: Update, context: TraineryContext, outcome: Outcome) -> None:
    """Fill in the outcome's receipt as its notifications go out (bot/sessions/receipts.py)."""
    receipts, chat = context.bot_data.receipts, update.effective_chat
    if receipts is None or chat is None or outcome.change_id is None or not outcome.told:
        return

    def shown(text: str) -> None:
        outcome.text = text  # a second tap on Save shows the outcome as it is now

    receipts.follow(
        Followed(
            chat.id,
            outcome.message_id,
            outcome.plain,
            keyboards.open_card(outcome.key),
            outcome.change_id,
            Receipt.queued(outcome.told),
            shown,
        )
    )


# -- leaving: /cancel, Stop, time-out, stray input, old buttons ---------------------


def finish(context: TraineryContext) -> int:
    context.state.override = None
    context.state.cancel = None
    return END


async def stop(update: Update, context: TraineryContext) -> int:
    await answer(update)
    await show(update, context, _(texts.STOPPED))
    return finish(context)


async def timed_out(update: Update, context: TraineryContext) -> None:
    draft = context.state.override or context.state.cancel
    finish(context)  # first: the state is gone before anyone can see the message change
    # A job, not an update: it would speak the language of whichever update last set
    # the job queue's timer. The person of this conversation's last update, set for
    # this job's own task (PTB runs each job in a task of its own).
    await language.for_update(update, context)
    user, chat = update.effective_user, update.effective_chat
    if draft is not None and chat is not None:
        await retire(context, chat.id, draft.message_id, _(texts.TIMED_OUT))
    if user is not None:  # last: no await may come between this and PTB ending the conversation
        _store_soon(context, user.id)


def _store_soon(context: TraineryContext, user_id: int) -> None:
    """A time-out is a job, not an update, so no update's end stores it: store it in a
    task of its own, which runs after PTB has ended the conversation."""
    context.application.mark_data_for_update_persistence(user_ids=user_id)
    context.application.create_task(persist(context.application), name="store a timed-out conversation")


# -- after a restart: the time-out still applies -------------------------------------


def resume(application: TraineryApplication) -> None:
    """Right after start, before any update is handled (this is synchronous): each
    conversation restored from the database gets the rest of its time-out. One whose
    time ran out while the bot was down, or whose draft could not be read back, ends
    here and now — no update can meet it — and the person is told by a job."""
    persistence, handler = persistence_of(application), conversation_of(application)
    if persistence is None or handler is None or application.job_queue is None:
        return
    now, limit = application.bot_data.studio.now(), handler.conversation_timeout
    limit = limit if isinstance(limit, timedelta) else timedelta(seconds=limit or 0)
    ended = False
    for key in list(restored(handler)):
        touched = persistence.touched(NAME, key)
        if touched is None:
            continue  # begun in this run: PTB's own time-out job covers it
        chat_id, user_id = key
        assert isinstance(chat_id, int) and isinstance(user_id, int)
        left = limit - (now - touched)
        if _readable(application, handler, key) and left > timedelta(0):
            application.job_queue.run_once(expire_restored, left, data=key, chat_id=chat_id, user_id=user_id)
        else:
            draft = _end(application, handler, key)
            application.job_queue.run_once(tell_ended, 0, data=draft, chat_id=chat_id, user_id=user_id)
            ended = True
    if ended:
        application.create_task(persist(application), name="store the conversations ended at start")


async def expire_restored(context: TraineryContext) -> None:
    """The time-out of a conversation restored at start, unless the person has taken a
    step since (then PTB's own time-out job, renewed by that step, counts instead)."""
    handler = conversation_of(context.application)
    assert context.job is not None and handler is not None
    key = cast(tuple[int, int], context.job.data)
    if key not in restored(handler) or key in handler.timeout_jobs:
        return
    draft = _end(context.application, handler, key)
    await persist(context.application)
    await tell_ended(context, draft)


async def tell_ended(context: TraineryContext, draft: OverrideDraft | CancelDraft | None = None) -> None:
    """As the in-process time-out does: the draft's message says so. A draft that could
    not be read back has no message to retire: the person gets a new one."""
    assert context.job is not None and context.job.chat_id is not None
    if context.job.user_id is not None:  # a job: the person's language, as their notifications
        i18n.use(await language.of_user(context, context.job.user_id))
    draft = draft or cast(OverrideDraft | CancelDraft | None, context.job.data)
    if isinstance(draft, OverrideDraft | CancelDraft):
        await retire(context, context.job.chat_id, draft.message_id, _(texts.TIMED_OUT))
    else:  # stored by an older version of the bot, or damaged: dropped at start
        await context.bot.send_message(context.job.chat_id, _(texts.LOST_IN_RESTART))


def _end(
    application: AnyApplication,
    handler: ConversationHandler,  # type: ignore[type-arg]
    key: ConversationKey,
) -> OverrideDraft | CancelDraft | None:
    """End a restored conversation outside an update; returns its draft if it was readable."""
    readable = _readable(application, handler, key)
    user_id = key[-1]
    state = application.user_data.get(user_id) if isinstance(user_id, int) else None
    draft = (state.override or state.cancel) if state is not None and readable else None
    del restored(handler)[key]  # the deletion is stored with the state, by the caller's persist
    if state is not None:
        state.override = state.cancel = None
    application.mark_data_for_update_persistence(user_ids=user_id if isinstance(user_id, int) else None)
    return draft


def _readable(application: AnyApplication, handler: ConversationHandler, key: ConversationKey) -> bool:  # type: ignore[type-arg]
    """Whether a restored conversation can go on: a step this code knows, and its draft
    (dropped at start if an older version stored it)."""
    user_id = key[-1]
    state = application.user_data.get(user_id) if isinstance(user_id, int) else None
    return (
        restored(handler).get(key) in handler.states
        and state is not None
        and (state.override or state.cancel) is not None
    )


def restored(handler: ConversationHandler) -> dict[ConversationKey, object]:  # type: ignore[type-arg]
    """The conversations in progress. PTB keeps them privately and offers no public way
    to end one outside an update; this is the one place that reaches in."""
    return cast(dict[ConversationKey, object], handler._conversations)  # noqa: SLF001


def conversation_of(application: AnyApplication) -> ConversationHandler | None:  # type: ignore[type-arg]
    for handlers in application.handlers.values():
        for handler in handlers:
            if isinstance(handler, ConversationHandler) and handler.name == NAME:
                return handler
    return None


async def use_buttons(update: Update, context: TraineryContext) -> None:
    await answer(update, _(texts.USE_BUTTONS))
    if update.callback_query is None:
        await show(update, context, _(texts.USE_BUTTONS))


async def stale_button(update: Update, context: TraineryContext) -> int:
    """A button of a finished or timed-out conversation — a double tap on Save, say.
    The second tap of a Save or Confirm that went through leaves the outcome standing
    (or shows it, if Telegram failed to) and says so in a toast; another button that
    names its session shows the fresh card. Nothing acts twice."""
    step = step_of(update)
    person = await staff(update, context)
    if person is None:
        return END
    done = context.state.outcome
    if step is not None and done is not None and (step.action, step.key) == (done.action, done.key):
        message = update.callback_query.message if update.callback_query else None
        if message is not None and message.message_id == done.message_id:
            await answer(update, _(texts.SAVED_ALREADY) if done.action == "sv" else _(texts.CANCELLED_ALREADY))
            if not done.shown:
                await show(update, context, done.text, keyboards.open_card(done.key))
                done.shown = True
                follow_receipt(update, context, done)
            return END
    if step is not None and step.key is not None:
        await answer(update, _(texts.EXPIRED_BUTTON))
        await show_card(update, context, person, step.key, _(texts.EXPIRED_BUTTON))
    else:
        await answer(update, _(texts.EXPIRED_BUTTON), alert=True)
    return END


def conversation(timeout: timedelta | None = None) -> ConversationHandler:  # type: ignore[type-arg]
    """The override and cancel flows. Tracked per chat and user, not per message: a
    flow spans several messages (typed answers, a fresh menu below them)."""
    stop_button = CallbackQueryHandler(stop, pattern=callbacks.Step.pattern("quit"))
    back_button = CallbackQueryHandler(back_pressed, pattern=callbacks.Step.pattern("back"))
    typed = filters.TEXT & ~filters.COMMAND
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="If 'per_message=False'", category=PTBUserWarning)
        return _conversation(stop_button, back_button, typed, timeout or TIMEOUT)


def _conversation(
    stop_button: CallbackQueryHandler,  # type: ignore[type-arg]
    back_button: CallbackQueryHandler,  # type: ignore[type-arg]
    typed: filters.BaseFilter,
    timeout: timedelta,
) -> ConversationHandler:  # type: ignore[type-arg]
    step = callbacks.Step.pattern  # the conversation's buttons a state takes
    return ConversationHandler(
        entry_points=[
            CallbackQueryHandler(start_override, pattern=callbacks.StartOverride.pattern()),
            CallbackQueryHandler(start_cancel, pattern=callbacks.StartCancel.pattern()),
            CallbackQueryHandler(start_substitute, pattern=callbacks.StartSubstitute.pattern()),
        ],
        states={
            CHOOSE: [
                stop_button,
                CallbackQueryHandler(menu_pressed, pattern=step("cap", "spc", "trn", "dt", "tgl", "rv")),
            ],
            CAPACITY: [MessageHandler(typed, capacity_typed), back_button, stop_button],
            SPACE: [CallbackQueryHandler(choice_pressed, pattern=step("sp")), back_button, stop_button],
            TRAINER: [CallbackQueryHandler(choice_pressed, pattern=step("tr")), back_button, stop_button],
            DAY: [
                CallbackQueryHandler(day_pressed, pattern=step("d", "wk")),
                MessageHandler(typed, date_typed),
                back_button,
                stop_button,
            ],
            TIME: [MessageHandler(typed, time_typed), back_button, stop_button],
            REVIEW: [CallbackQueryHandler(save_pressed, pattern=step("sv")), back_button, stop_button],
            REASON: [
                MessageHandler(typed, reason_typed),
                CallbackQueryHandler(reason_skipped, pattern=step("skip")),
                stop_button,
            ],
            CONFIRM_CANCEL: [CallbackQueryHandler(cancel_confirmed, pattern=step("cx")), stop_button],
            OVERRIDE_REASON: [
                MessageHandler(typed, override_reason_typed),
                CallbackQueryHandler(override_reason_skipped, pattern=step("skip")),
                back_button,
                stop_button,
            ],
            ConversationHandler.TIMEOUT: [TypeHandler(Update, timed_out)],
        },
        fallbacks=[
            CommandHandler("cancel", stop),
            MessageHandler(typed, use_buttons),
            CallbackQueryHandler(use_buttons, pattern=step()),
        ],
        allow_reentry=True,
        conversation_timeout=timeout,
        name=NAME,
        persistent=True,  # kept in the database: a change in progress survives a restart
    )


async def stop_outside(update: Update, context: TraineryContext) -> None:
    """/cancel with no change open."""
    await show(update, context, _(texts.NOTHING_TO_STOP))


async def unknown_button(update: Update, context: TraineryContext) -> None:
    """Random, truncated or retired callback data: answered, nothing changed."""
    await answer(update, _(texts.EXPIRED_BUTTON), alert=True)
