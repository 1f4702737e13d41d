"""Issue 16.3: conversation state in the database (bot/persistence.py, storage/bot_state.py),
on SQLite and PostgreSQL — a round trip gives back exactly what was stored, an ended
conversation leaves no row, rows another version wrote (or damaged ones) are dropped
and reported, never misread, and a state that did not change costs no write."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import fields
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.persistence import DatabasePersistence
from bot.state_store import Stored
from bot.user_state import CancelDraft, ListView, Outcome, OverrideDraft, StateUnreadable, UserState, decode, encode
from domain.clock import FixedClock
from domain.occurrence import OccurrenceKey
from domain.override import SeenWarning, WarningKind
from storage.bot_state import SqlStateStore
from storage.models import BotStateRow

NAME = "session_changes"
KEY = OccurrenceKey(3, datetime(2026, 12, 1, 17, 0, tzinfo=UTC))
OTHER = OccurrenceKey(4, datetime(2026, 12, 2, 9, 0, tzinfo=UTC))


def full_state() -> UserState:
    """Every field set, none at its default: a field the codec forgot shows up."""
    return UserState(
        override=OverrideDraft(
            KEY,
            message_id=41,
            capacity=12,
            space_id=2,
            trainer_id=5,
            day=date(2026, 12, 2),
            start=datetime(2026, 12, 2, 18, 30, tzinfo=UTC),
            cancel_bookings=True,
            reason="Roof leaks <b>",
            confirmed=(SeenWarning(WarningKind.SPACE_BUSY, OTHER), SeenWarning(WarningKind.CAPACITY_BELOW_BOOKINGS)),
            substitute=True,
        ),
        cancel=CancelDraft(OTHER, message_id=42, reason="Ill"),
        last_list=ListView(date(2026, 11, 30), date(2026, 12, 6), mine=True, page=2),
        outcome=Outcome(KEY, "sv", 40, "✅ Saved\n\n📬 0 of 3 delivered", shown=True, change_id="c-1", told=3, plain="✅ Saved"),
    )


def persistence(sessions: async_sessionmaker[AsyncSession], clock: FixedClock) -> DatabasePersistence:
    kept = DatabasePersistence(SqlStateStore(sessions))
    kept.now = clock.now
    return kept


async def rows(sessions: async_sessionmaker[AsyncSession]) -> dict[tuple[str, str], str]:
    async with sessions() as session:
        return {(r.kind, r.key): r.data for r in (await session.scalars(select(BotStateRow))).all()}


async def test_a_round_trip_gives_back_the_state_and_the_step(
    sessions: async_sessionmaker[AsyncSession], clock: FixedClock
) -> None:
    first = persistence(sessions, clock)
    await first.update_user_data(1002, full_state())
    await first.update_user_data(1004, UserState())  # nothing to keep: no row
    await first.update_conversation(NAME, (1002, 1002), 6)
    await first.flush()

    second = persistence(sessions, clock)
    assert await second.get_user_data() == {1002: full_state()}
    assert await second.get_conversations(NAME) == {(1002, 1002): 6}
    assert await second.get_conversations("another") == {}
    assert second.touched(NAME, (1002, 1002)) == clock.now()
    assert second.unreadable == set()


async def test_an_ended_conversation_and_an_emptied_state_leave_no_row(
    sessions: async_sessionmaker[AsyncSession], clock: FixedClock
) -> None:
    kept = persistence(sessions, clock)
    await kept.update_user_data(1002, full_state())
    await kept.update_conversation(NAME, (1002, 1002), 6)
    await kept.flush()
    assert len(await rows(sessions)) == 2
    await kept.update_conversation(NAME, (1002, 1002), None)  # the conversation ended
    await kept.update_user_data(1002, UserState())
    await kept.flush()
    assert await rows(sessions) == {}
    assert kept.touched(NAME, (1002, 1002)) is None


async def test_rows_of_another_version_or_damaged_are_dropped_not_misread(
    sessions: async_sessionmaker[AsyncSession], clock: FixedClock
) -> None:
    good = json.dumps(encode(full_state()))
    older = json.dumps({"v": 0, "draft": {"capacity": 12}})
    async with sessions() as session, session.begin():
        at = clock.now()
        session.add_all(
            BotStateRow(kind=kind, key=key, data=data, updated_at=at)
            for kind, key, data in [
                ("user", "1002", good),
                ("user", "1003", older),
                ("user", "1004", "{not json"),
                ("user", "1005", json.dumps({"v": 1, "override": {"key": "three"}})),
                ("user", "who", good),
                (f"conversation:{NAME}", "[1002, 1002]", json.dumps({"v": 1, "state": 6})),
                (f"conversation:{NAME}", "[1003, 1003]", json.dumps({"v": 0, "state": 6})),
                (f"conversation:{NAME}", "[1004, 1004]", json.dumps({"v": 1, "state": "six"})),
                (f"conversation:{NAME}", "1005", json.dumps({"v": 1, "state": 6})),
            ]
        )
    kept = persistence(sessions, clock)
    assert await kept.get_user_data() == {1002: full_state()}
    assert kept.unreadable == {1003, 1004, 1005}
    assert await kept.get_conversations(NAME) == {(1002, 1002): 6}
    await kept.flush()  # the dropped rows go with the next write
    assert set(await rows(sessions)) == {("user", "1002"), (f"conversation:{NAME}", "[1002, 1002]")}


def test_the_codec_refuses_other_versions_with_a_reason() -> None:
    stored = encode(full_state())
    assert stored is not None and decode(json.loads(json.dumps(stored))) == full_state()
    with pytest.raises(StateUnreadable, match="version 2"):
        decode({**stored, "v": 2})
    with pytest.raises(StateUnreadable, match="damaged"):
        decode({**stored, "outcome": {**stored["outcome"], "action": "zz"}})
    with pytest.raises(StateUnreadable, match="damaged"):
        decode({**stored, "override": {**stored["override"], "start": "2026-12-02T18:30:00"}})  # no zone


class CountingStore:
    def __init__(self, inner: SqlStateStore) -> None:
        self.inner, self.batches = inner, []  # type: ignore[var-annotated]

    async def load(self, kind: str) -> dict[str, Stored]:
        return await self.inner.load(kind)

    async def write(self, changes: Mapping[tuple[str, str], Stored | None]) -> None:
        self.batches.append(dict(changes))
        await self.inner.write(changes)


async def test_a_state_that_did_not_change_is_not_written_again(
    sessions: async_sessionmaker[AsyncSession], clock: FixedClock
) -> None:
    store = CountingStore(SqlStateStore(sessions))
    kept = DatabasePersistence(store)
    kept.now = clock.now
    await kept.update_user_data(1002, full_state())
    await kept.flush()
    await kept.update_user_data(1002, full_state())  # the same again: a list page, say
    await kept.update_user_data(1004, UserState())  # a member with nothing to keep
    await kept.flush()
    assert [len(batch) for batch in store.batches] == [1, 0]
    await kept.update_conversation(NAME, (1002, 1002), 6)  # a step is always written: its time counts
    await kept.update_conversation(NAME, (1002, 1002), 6)
    await kept.flush()
    assert [len(batch) for batch in store.batches] == [1, 0, 1]


class FailingOnce(CountingStore):
    failed = False

    async def write(self, changes: Mapping[tuple[str, str], Stored | None]) -> None:
        if not self.failed:
            self.failed = True
            raise ConnectionError("database away")
        await super().write(changes)


async def test_a_failed_write_is_kept_for_the_next_flush(
    sessions: async_sessionmaker[AsyncSession], clock: FixedClock
) -> None:
    kept = DatabasePersistence(FailingOnce(SqlStateStore(sessions)))
    kept.now = clock.now
    await kept.update_user_data(1002, full_state())
    await kept.update_conversation(NAME, (1002, 1002), 6)
    with pytest.raises(ConnectionError):
        await kept.flush()
    await kept.update_conversation(NAME, (1002, 1002), 7)  # a newer step wins over the failed one
    await kept.flush()
    again = persistence(sessions, clock)
    assert await again.get_user_data() == {1002: full_state()}
    assert await again.get_conversations(NAME) == {(1002, 1002): 7}


def test_the_codec_knows_every_field_of_the_state() -> None:
    """A field added to UserState or a draft must be stored too (and VERSION bumped if
    an old stored state would be misread without it): this fails until it is."""
    stored = encode(full_state())
    assert stored is not None
    assert set(stored) - {"v"} == {f.name for f in fields(UserState)}
    for name, kind in [
        ("override", OverrideDraft),
        ("cancel", CancelDraft),
        ("last_list", ListView),
        ("outcome", Outcome),
    ]:
        assert set(stored[name]) == {f.name for f in fields(kind)}, name


def test_an_outcome_stored_before_receipts_reads_without_one() -> None:
    stored = encode(UserState(outcome=Outcome(KEY, "sv", 40, "✅ Saved", shown=True)))
    assert stored is not None
    for name in ("change_id", "told", "plain"):
        del stored["outcome"][name]
    outcome = decode(stored).outcome
    assert outcome == Outcome(KEY, "sv", 40, "✅ Saved", shown=True)  # no receipt to follow
