"""A large studio for the benchmarks, bulk-inserted straight into the tables.

`build_studio(years, scale)` computes every row in Python (seeded, reproducible)
and `load(url, studio)` migrates an empty database and inserts the rows with
SQLAlchemy Core executemany, table by table, in one transaction.

The rows keep the invariants the application relies on:
- a pass's `sessions_left` equals the sum of its ledger deltas (one grant entry,
  one `use` per booking, one `refund` per cancelled booking; unlimited passes
  record 0); passes are used in time order, granted before their first use and
  valid at every session they pay for;
- occurrence rows exist only for occurrences with bookings, an override or a
  cancellation, keyed by (schedule, original start) where the original start is
  an instance of the schedule's RRULE (taken from `domain.recurrence`);
- every instant is aware UTC.

History and "upcoming" use separate random streams: the studio's current weeks
(from the Monday of `NOW` on) are identical whatever the length of the history,
so a listing of this week shows the same rows on the 1-, 5- and 10-year studio.
"""

from __future__ import annotations

import random
import time as clock
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.occurrence import OccurrenceKey
from domain.recurrence import original_starts, to_utc
from domain.schedule import Schedule
from storage.database import create_engine, migrate
from storage.models import Base

ZONE = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 30, 7, 0, tzinfo=timezone.utc)  # Monday 08:00 in Berlin
WEEK_START = to_utc(datetime(2026, 11, 30), ZONE)  # that Monday, 00:00 in Berlin
SEED = 20261130

ADMIN_TELEGRAM_ID = 100
TRAINER_TELEGRAM_ID = 1_000  # + trainer index; trainer 0 leads the bootcamp
MEMBER_TELEGRAM_ID = 1_000_000  # + member index

# Template ids (fixed: the generator inserts ids itself).
TEN_CLASSES, UNLIMITED_MONTH, COURSE_PASS, BOOTCAMP_PASS = 1, 2, 3, 4
TEMPLATES = {
    TEN_CLASSES: ("10 classes", 10, 60),
    UNLIMITED_MONTH: ("Unlimited month", None, 30),
    COURSE_PASS: ("Course pass", 8, 90),
    BOOTCAMP_PASS: ("Bootcamp 10", 10, 60),
}
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
TITLES = (
    "Yoga", "Pilates", "Spinning", "HIIT", "Boxing", "Barre", "Zumba", "Kettlebells",
    "Mobility", "Core", "Stretch", "Crossfit", "Aqua fit", "Tai chi", "Step", "Bodypump",
)


@dataclass(frozen=True)
class Scale:
    schedules: int = 300
    spaces: int = 20
    trainers: int = 40
    members: int = 5_000
    bookings_per_year: int = 40_000  # history; 5 years: about 200,000
    upcoming_weeks: int = 4  # bookings from this week's Monday on
    big_sessions: int = 6  # future bootcamp sessions, each with `big_bookings` bookings
    big_bookings: int = 1_000


STUDIO_SCALE = Scale()
TINY_SCALE = Scale(
    schedules=12, spaces=3, trainers=3, members=60, bookings_per_year=1_500,
    upcoming_weeks=2, big_sessions=2, big_bookings=25,
)


@dataclass
class Studio:
    """The generated rows, by table, and what the benchmarks need to know about them."""

    years: int
    scale: Scale
    rows: dict[str, list[dict[str, Any]]]
    trainer_id: int  # the trainer who lists sessions and changes the bootcamp
    trainer_telegram_id: int
    admin_id: int
    bootcamp: Schedule
    big_keys: list[OccurrenceKey]  # future bootcamp sessions with scale.big_bookings bookings
    # For the insert baseline: the bootcamp passes as (member, pass), and a session.
    bootcamp_passes: list[tuple[int, int]] = field(default_factory=list)
    bootcamp_occurrence: int = 0
    seconds: float = 0.0  # time to compute the rows
    counts: dict[str, int] = field(default_factory=dict)  # rows per table

    def drop_rows(self) -> None:
        """Free the rows once loaded (the counts stay): a large heap slows every
        garbage collection, and with it the measurements."""
        self.rows = {}


@dataclass
class _Pass:
    id: int
    member_id: int
    template_id: int
    left: int | None
    granted_at: datetime
    expires_at: datetime

    def usable(self, at: datetime) -> bool:
        return (self.left is None or self.left > 0) and at < self.expires_at


@dataclass
class _Builder:
    years: int
    scale: Scale
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    passes: list[_Pass] = field(default_factory=list)
    current: dict[tuple[int, int], _Pass] = field(default_factory=dict)  # (member, template) -> pass
    unlimited_members: set[int] = field(default_factory=set)
    # Grant times come from a stream of their own: how many passes the history needed
    # must not shift the draws of the studio's current weeks.
    pass_rng: random.Random = field(default_factory=random.Random)
    next_id: dict[str, int] = field(default_factory=lambda: defaultdict(lambda: 1))

    def new_id(self, table: str) -> int:
        value = self.next_id[table]
        self.next_id[table] = value + 1
        return value


def build_studio(years: int, scale: Scale = STUDIO_SCALE, seed: int = SEED) -> Studio:
    """Every row of a studio with `years` of history (years * 52 weeks), reproducibly."""
    started = clock.perf_counter()
    b = _Builder(years, scale, pass_rng=random.Random(f"{seed}-passes-{years}"))
    studio_rng = random.Random(f"{seed}-studio")
    trainers, members, admin = _people(b, studio_rng)
    spaces = _spaces(b, studio_rng)
    schedules = _schedules(b, studio_rng, years, spaces, trainers)
    _templates(b, schedules)
    b.unlimited_members = {m for m in members if studio_rng.random() < 0.2}

    history = [(s, start) for s in schedules for start in original_starts(s, ZONE, _first_start(s), WEEK_START)]
    target = scale.bookings_per_year * years
    per_booked = 5.5  # mean of randint(1, min(capacity, 10)) for capacities >= 10
    p_booked = min(1.0, target / (max(1, len(history)) * per_booked))
    _occurrences(b, random.Random(f"{seed}-history-{years}"), history, p_booked, 10, members, trainers, spaces)

    end = WEEK_START + timedelta(weeks=scale.upcoming_weeks)
    bootcamp = schedules[0]
    big_starts = [
        start for start in original_starts(bootcamp, ZONE, WEEK_START + timedelta(weeks=1), end + timedelta(weeks=52))
    ][: scale.big_sessions]
    upcoming = [
        (s, start) for s in schedules for start in original_starts(s, ZONE, WEEK_START, end)
        if not (s is bootcamp and start in big_starts)
    ]
    _occurrences(b, random.Random(f"{seed}-upcoming"), upcoming, 0.6, 20, members, trainers, spaces, upcoming=True)
    _big_sessions(b, bootcamp, big_starts, members[: scale.big_bookings])

    for pass_ in b.passes:
        b.rows["passes"].append({
            "id": pass_.id, "member_id": pass_.member_id, "template_id": pass_.template_id,
            "sessions_left": pass_.left, "granted_at": pass_.granted_at, "expires_at": pass_.expires_at,
            "active": True,
        })
    rows = {table.name: b.rows.get(table.name, []) for table in Base.metadata.sorted_tables}
    bootcamp_passes = [(p.member_id, p.id) for p in b.passes if p.template_id == BOOTCAMP_PASS]
    return Studio(
        years=years, scale=scale, rows=rows, trainer_id=trainers[0], trainer_telegram_id=TRAINER_TELEGRAM_ID,
        admin_id=admin, bootcamp=bootcamp, big_keys=[OccurrenceKey(bootcamp.id, s) for s in big_starts],
        bootcamp_passes=bootcamp_passes, bootcamp_occurrence=rows["occurrences"][-1]["id"],
        seconds=clock.perf_counter() - started, counts={table: len(r) for table, r in rows.items()},
    )


def _first_start(schedule: Schedule) -> datetime:
    return to_utc(datetime.combine(schedule.starts_on, time()), ZONE)


def _people(b: _Builder, rng: random.Random) -> tuple[list[int], list[int], int]:
    def person(name: str, role: str, telegram_id: int) -> int:
        person_id = b.new_id("people")
        created = NOW - timedelta(weeks=52 * b.years + 4)
        b.rows["people"].append({
            "id": person_id, "name": name, "telegram_user_id": telegram_id, "chat_id": telegram_id,
            "active": True, "created_at": created,
        })
        b.rows["roles"].append({"id": b.new_id("roles"), "person_id": person_id, "role": role})
        return person_id

    admin = person("Ada Admin", "admin", ADMIN_TELEGRAM_ID)
    trainers = [person(f"Trainer {i}", "trainer", TRAINER_TELEGRAM_ID + i) for i in range(b.scale.trainers)]
    members = [person(f"Member {i}", "member", MEMBER_TELEGRAM_ID + i) for i in range(b.scale.members)]
    return trainers, members, admin


def _spaces(b: _Builder, rng: random.Random) -> dict[int, int | None]:
    """Space id -> maximum capacity; the first space (the hall) has no maximum."""
    spaces: dict[int, int | None] = {}
    for i in range(b.scale.spaces):
        space_id = b.new_id("spaces")
        maximum = None if i == 0 or rng.random() < 0.3 else rng.choice((40, 50, 60))
        name = "Main hall" if i == 0 else f"Studio {i}"
        b.rows["spaces"].append({"id": space_id, "name": name, "max_capacity": maximum, "active": True})
        spaces[space_id] = maximum
    return spaces


def _schedules(
    b: _Builder, rng: random.Random, years: int, spaces: dict[int, int | None], trainers: list[int]
) -> list[Schedule]:
    """The bootcamp (weekly, Saturday 10:00, capacity 1,200 in the hall) and a mix of
    daily, weekly and monthly rules. Every schedule started `years` * 52 weeks (plus
    0-6 fortnights) ago: whole fortnights keep INTERVAL=2 rules in the same phase
    whatever `years` is."""
    hall = next(iter(spaces))
    schedules = []
    for i in range(b.scale.schedules):
        starts_on = WEEK_START.date() - timedelta(weeks=52 * years + 2 * rng.randrange(7))
        if i == 0:
            schedule = Schedule(
                0, "Stadium bootcamp", "FREQ=WEEKLY;BYDAY=SA", starts_on, time(10), timedelta(hours=1),
                1_200, hall, trainers[0],
            )
        else:
            kind = rng.random()
            if kind < 0.2:
                rule = rng.choice(("FREQ=DAILY", "FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR", "FREQ=DAILY;INTERVAL=2"))
            elif kind < 0.85:
                days = ",".join(sorted(rng.sample(WEEKDAYS, rng.choice((1, 1, 2, 2, 3))), key=WEEKDAYS.index))
                rule = f"FREQ=WEEKLY;BYDAY={days}" + (";INTERVAL=2" if rng.random() < 0.1 else "")
            else:
                rule = rng.choice((
                    f"FREQ=MONTHLY;BYMONTHDAY={rng.randint(1, 28)}",
                    f"FREQ=MONTHLY;BYDAY={rng.choice(('1', '2', '-1'))}{rng.choice(WEEKDAYS)}",
                ))
            closed = rule.startswith("FREQ=WEEKLY") and rng.random() < 0.06
            space = rng.choice(list(spaces)[1:] or [hall])
            schedule = Schedule(
                0, f"{rng.choice(TITLES)} {i}", rule, starts_on,
                time(rng.randint(7, 20), rng.choice((0, 30))), timedelta(minutes=rng.choice((45, 60, 60, 90))),
                rng.randint(10, 30), space, rng.choice(trainers),
                closed=closed, pass_template_id=COURSE_PASS if closed else None,
            )
        schedule_id = b.new_id("schedules")
        schedules.append(Schedule(**{**schedule.__dict__, "id": schedule_id}))
        b.rows["schedules"].append({
            "id": schedule_id, "title": schedule.title, "rrule": schedule.rrule, "starts_on": schedule.starts_on,
            "start_time": schedule.start_time, "duration_minutes": int(schedule.duration.total_seconds() // 60),
            "default_capacity": schedule.default_capacity, "default_space_id": schedule.default_space_id,
            "default_trainer_id": schedule.default_trainer_id, "closed": schedule.closed,
            "pass_template_id": schedule.pass_template_id, "booking_deadline_minutes": None, "active": True,
        })
    return schedules


def _templates(b: _Builder, schedules: list[Schedule]) -> None:
    for template_id, (name, sessions, validity) in TEMPLATES.items():
        b.rows["pass_templates"].append({
            "id": template_id, "name": name, "sessions": sessions, "validity_days": validity, "active": True,
        })
    for schedule in schedules:
        covering = () if schedule.closed else (TEN_CLASSES, UNLIMITED_MONTH)
        if schedule.id == schedules[0].id:
            covering = (TEN_CLASSES, UNLIMITED_MONTH, BOOTCAMP_PASS)
        for template_id in covering:
            b.rows["pass_template_schedules"].append({"pass_template_id": template_id, "schedule_id": schedule.id})


def _pass_for(b: _Builder, member: int, schedule: Schedule, at: datetime) -> _Pass:
    """The member's pass for a session at `at`: the current one while usable, else a
    new one granted shortly before (never after `NOW`)."""
    if schedule.closed:
        template_id = COURSE_PASS
    else:
        template_id = UNLIMITED_MONTH if member in b.unlimited_members else TEN_CLASSES
    current = b.current.get((member, template_id))
    if current is not None and current.usable(at):
        return current
    name, sessions, validity = TEMPLATES[template_id]
    granted = min(at - timedelta(hours=b.pass_rng.randint(2, 72)), NOW - timedelta(hours=1))
    pass_ = _Pass(b.new_id("passes"), member, template_id, sessions, granted, granted + timedelta(days=validity))
    assert pass_.usable(at)
    b.passes.append(pass_)
    b.current[(member, template_id)] = pass_
    b.rows["pass_ledger"].append({
        "id": b.new_id("pass_ledger"), "pass_id": pass_.id, "booking_id": None, "kind": "grant",
        "delta": sessions or 0, "at": granted,
    })
    return pass_


def _book(
    b: _Builder, occurrence_id: int, member: int, pass_: _Pass, at: datetime, cancelled: str | None,
    cancelled_at: datetime | None,
) -> None:
    booking_id = b.new_id("bookings")
    b.rows["bookings"].append({
        "id": booking_id, "occurrence_id": occurrence_id, "member_id": member, "pass_id": pass_.id,
        "status": "cancelled" if cancelled else "active", "created_at": at,
        "cancelled_at": cancelled_at if cancelled else None, "cancelled_by": cancelled,
    })
    counted = pass_.left is not None
    b.rows["pass_ledger"].append({
        "id": b.new_id("pass_ledger"), "pass_id": pass_.id, "booking_id": booking_id, "kind": "use",
        "delta": -1 if counted else 0, "at": at,
    })
    if cancelled:
        b.rows["pass_ledger"].append({
            "id": b.new_id("pass_ledger"), "pass_id": pass_.id, "booking_id": booking_id, "kind": "refund",
            "delta": 1 if counted else 0, "at": cancelled_at,
        })
    elif counted:
        assert pass_.left is not None
        pass_.left -= 1


def _notify(b: _Builder, rng: random.Random, members: list[int], kind: str, payload: dict[str, Any],
            at: datetime) -> None:
    change_id = str(uuid.UUID(int=rng.getrandbits(128)))
    for member in members:
        b.rows["notifications"].append({
            "id": b.new_id("notifications"), "change_id": change_id, "member_id": member, "kind": kind,
            "payload": payload, "status": "sent", "attempts": 1, "created_at": at, "next_attempt_at": at,
            "sent_at": at + timedelta(seconds=1), "failure_reason": None, "claimed_by": None,
            "claimed_until": None, "last_attempt_at": at + timedelta(seconds=1),
        })


def _occurrences(
    b: _Builder, rng: random.Random, instances: list[tuple[Schedule, datetime]], p_booked: float, most: int,
    members: list[int], trainers: list[int], spaces: dict[int, int | None], *, upcoming: bool = False,
) -> None:
    """Rows for the booked occurrences (and a few with only an override or a
    cancellation), in time order so passes are used in order."""
    instances.sort(key=lambda pair: (pair[1], pair[0].id))
    for schedule, original in instances:
        booked = rng.random() < p_booked
        touched = rng.random()
        if not booked and touched >= 0.01:
            continue
        record: dict[str, Any] = {
            "id": b.new_id("occurrences"), "schedule_id": schedule.id, "original_start": original,
            "start": original, "capacity": None, "space_id": None, "trainer_id": None,
            "cancelled_at": None, "cancel_reason": None, "version": 1,
        }
        change = rng.random() if booked else rng.choice((0.005, 0.015, 0.03, 0.05, 0.065))
        changed_at = min(original - timedelta(days=1), NOW - timedelta(hours=1))
        kind = None
        if change < 0.01:
            record.update(cancelled_at=changed_at, cancel_reason="Trainer ill")
            kind = "training_cancelled"
        elif change < 0.02 and schedule.id != 1:
            record.update(start=original + timedelta(hours=1))
            kind = "training_rescheduled"
        elif change < 0.04:
            record.update(trainer_id=rng.choice([t for t in trainers if t != schedule.default_trainer_id] or trainers))
            kind = "training_updated"
        elif change < 0.06:
            record.update(capacity=schedule.default_capacity + 5)
        elif change < 0.07:
            others = [s for s, m in spaces.items() if s != schedule.default_space_id and (m is None or m >= 40)]
            if others:
                record.update(space_id=rng.choice(others))
                kind = "training_updated"
        start = record["start"]
        count = 0
        if booked:
            capacity = record["capacity"] or schedule.default_capacity
            count = rng.randint(1, min(capacity, most))
        chosen = rng.sample(members, count)
        notified = []
        for member in chosen:
            pass_ = _pass_for(b, member, schedule, start)
            at = max(start - timedelta(hours=rng.randint(3, 72)), pass_.granted_at + timedelta(minutes=1))
            at = min(at, NOW - timedelta(minutes=1))
            if record["cancelled_at"] is not None:
                _book(b, record["id"], member, pass_, at, "occurrence_cancelled", max(at, record["cancelled_at"]))
            elif rng.random() < 0.05:
                _book(b, record["id"], member, pass_, at, "member", at + (min(start, NOW) - at) / 2)
                continue
            else:
                _book(b, record["id"], member, pass_, at, None, None)
            notified.append(member)
        record["version"] = 1 + len(chosen) + (kind is not None)
        b.rows["occurrences"].append(record)
        if kind and notified:
            payload = {
                "schedule_id": schedule.id, "original_start": original.isoformat(), "title": schedule.title,
                "start": start.isoformat(), "changes": [],
            }
            _notify(b, rng, notified, kind, payload, changed_at)


def _big_sessions(b: _Builder, bootcamp: Schedule, starts: list[datetime], members: list[int]) -> None:
    """Future bootcamp sessions with one booking per member, each paid from the
    member's own bootcamp pass (granted a day ago, enough sessions for all)."""
    passes = {}
    for member in members:
        granted = NOW - timedelta(days=1)
        pass_ = _Pass(b.new_id("passes"), member, BOOTCAMP_PASS, 10, granted, granted + timedelta(days=60))
        assert len(starts) <= 10 and all(pass_.usable(s) for s in starts)
        b.passes.append(pass_)
        b.rows["pass_ledger"].append({
            "id": b.new_id("pass_ledger"), "pass_id": pass_.id, "booking_id": None, "kind": "grant",
            "delta": 10, "at": granted,
        })
        passes[member] = pass_
    for start in starts:
        occurrence_id = b.new_id("occurrences")
        b.rows["occurrences"].append({
            "id": occurrence_id, "schedule_id": bootcamp.id, "original_start": start, "start": start,
            "capacity": None, "space_id": None, "trainer_id": None, "cancelled_at": None,
            "cancel_reason": None, "version": 1 + len(members),
        })
        for member in members:
            _book(b, occurrence_id, member, passes[member], NOW - timedelta(hours=12), None, None)


# -- loading ------------------------------------------------------------------------

CHUNK = 20_000


async def load(url: str, studio: Studio) -> float:
    """Migrate the (empty) database at `url` and insert the studio; returns the seconds
    the inserts took. PostgreSQL's sequences are moved past the inserted ids and its
    statistics refreshed (what autovacuum does after a bulk load)."""
    engine = create_engine(url)
    try:
        await migrate(engine)
        started = clock.perf_counter()
        async with engine.begin() as connection:
            for table in Base.metadata.sorted_tables:
                rows = studio.rows.get(table.name) or []
                for offset in range(0, len(rows), CHUNK):
                    await connection.execute(table.insert(), rows[offset : offset + CHUNK])
        if engine.dialect.name == "postgresql":
            await _after_bulk_load(engine)
        return clock.perf_counter() - started
    finally:
        await engine.dispose()


async def _after_bulk_load(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        await connection.execution_options(isolation_level="AUTOCOMMIT")
        for table in Base.metadata.sorted_tables:
            if "id" in table.c:
                await connection.execute(text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                    f"coalesce((SELECT max(id) FROM {table.name}), 0) + 1, false)"
                ))
        await connection.execute(text("ANALYZE"))


async def recreate_postgres_database(server_url: str, name: str) -> str:
    """Drop and create the database `name` on the server; returns its URL. Only
    databases of the benchmark's own (named trainery_bench...) are touched."""
    from sqlalchemy import make_url

    if not name.startswith("trainery_bench"):
        raise ValueError("the benchmarks only touch databases named trainery_bench*")
    server = make_url(server_url)
    engine = create_engine(server.render_as_string(hide_password=False))
    try:
        async with engine.connect() as connection:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            await connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        await engine.dispose()
    return server.set(database=name).render_as_string(hide_password=False)


async def drop_postgres_database(server_url: str, name: str) -> None:
    from sqlalchemy import make_url

    if not name.startswith("trainery_bench"):
        raise ValueError("the benchmarks only touch databases named trainery_bench*")
    engine = create_engine(make_url(server_url).render_as_string(hide_password=False))
    try:
        async with engine.connect() as connection:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        await engine.dispose()


async def check(url: str) -> dict[str, int]:
    """The invariants, counted in the database: each figure must be 0."""
    engine = create_engine(url)
    # Set-based (GROUP BY), so the check stays fast on the 10-year studio.
    queries = {
        "passes whose balance is not their ledger's sum": """
            SELECT count(*) FROM passes p LEFT JOIN (
                SELECT pass_id, sum(delta) AS total FROM pass_ledger GROUP BY pass_id) l ON l.pass_id = p.id
            WHERE p.sessions_left IS NOT NULL AND p.sessions_left <> coalesce(l.total, 0)""",
        "bookings without exactly one use, or with refunds not matching their status": """
            SELECT count(*) FROM bookings b LEFT JOIN (
                SELECT booking_id,
                       sum(CASE WHEN kind = 'use' THEN 1 ELSE 0 END) AS uses,
                       sum(CASE WHEN kind = 'refund' THEN 1 ELSE 0 END) AS refunds
                FROM pass_ledger WHERE booking_id IS NOT NULL GROUP BY booking_id) l ON l.booking_id = b.id
            WHERE coalesce(l.uses, 0) <> 1
               OR coalesce(l.refunds, 0) <> CASE WHEN b.status = 'cancelled' THEN 1 ELSE 0 END""",
        "occurrences with more active bookings than places": """
            SELECT count(*) FROM occurrences o JOIN schedules s ON s.id = o.schedule_id JOIN (
                SELECT occurrence_id, count(*) AS booked FROM bookings WHERE status = 'active'
                GROUP BY occurrence_id) b ON b.occurrence_id = o.id
            WHERE b.booked > coalesce(o.capacity, s.default_capacity)""",
        "occurrence rows with nothing to keep": """
            SELECT count(*) FROM occurrences o LEFT JOIN (
                SELECT DISTINCT occurrence_id FROM bookings) b ON b.occurrence_id = o.id
            WHERE o.cancelled_at IS NULL AND o.start = o.original_start AND o.capacity IS NULL AND o.space_id IS NULL
                  AND o.trainer_id IS NULL AND b.occurrence_id IS NULL""",
    }
    try:
        async with engine.connect() as connection:
            return {name: int((await connection.execute(text(sql))).scalar_one()) for name, sql in queries.items()}
    finally:
        await engine.dispose()


def check_original_starts(studio: Studio, sample: int | None = None) -> int:
    """How many occurrence rows are keyed by a start that is not an instance of their
    schedule's rule (must be 0); `sample` checks only that many, spread evenly."""
    from domain.recurrence import is_original_start

    schedules = {s["id"]: s for s in studio.rows["schedules"]}
    records = studio.rows["occurrences"]
    step = max(1, len(records) // sample) if sample else 1
    wrong = 0
    for record in records[::step]:
        row = schedules[record["schedule_id"]]
        schedule = Schedule(
            row["id"], row["title"], row["rrule"], row["starts_on"], row["start_time"],
            timedelta(minutes=row["duration_minutes"]), row["default_capacity"], row["default_space_id"],
            row["default_trainer_id"],
        )
        wrong += not is_original_start(schedule, ZONE, record["original_start"])
    return wrong
