"""What a member sees (SPEC §3): `/my` — their upcoming bookings, places in line and
passes — and `/book` — the sessions they may book in the coming days. Each is one
query in one unit of work."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from domain.aggregate import occurrences_between
from domain.booking import WaitlistEntry
from domain.errors import NotAllowed
from domain.member_view import (
    BOOKING_WINDOW,
    BookedSession,
    MemberOverview,
    Offer,
    PassView,
    WaitingPlace,
    current_passes,
)
from domain.occurrence import Occurrence
from domain.passes import Pass
from domain.ports import UnitOfWork
from domain.roles import Person, Role
from domain.schedule import Schedule
from domain.studio import Studio
from domain.waitlist import deadline_passed
from domain.wording import N_


async def member_overview(studio: Studio, actor_id: int) -> MemberOverview:
    async def query(uow: UnitOfWork) -> MemberOverview:
        member = await _member(uow, actor_id)
        now = studio.now()
        booked = []
        for booking in await uow.bookings.active_of_member(member.id):
            occurrence = await _occurrence_by_id(uow, booking.occurrence_id)
            if occurrence is not None and occurrence.start > now and not occurrence.cancelled:
                cancellable = not occurrence.schedule.closed and not deadline_passed(occurrence, now)
                booked.append(BookedSession(booking, occurrence, cancellable))
        entries = await uow.waitlist.of_member(member.id)
        lines = await uow.waitlist.lines(entry.occurrence_id for entry in entries)
        waiting = []
        for entry in entries:
            occurrence = await _occurrence_by_id(uow, entry.occurrence_id)
            if occurrence is not None and occurrence.start > now and not occurrence.cancelled:
                place = [e.id for e in lines.get(entry.occurrence_id, [])].index(entry.id) + 1
                waiting.append(WaitingPlace(entry, occurrence, place))
        closed = {s.pass_template_id for s in await uow.schedules.all() if s.closed}
        passes = []
        for pass_ in current_passes(await uow.passes.of_member(member.id), now):
            template = await uow.passes.template(pass_.template_id)
            enrolled = sum(b.booking.pass_id == pass_.id for b in booked) if pass_.template_id in closed else None
            passes.append(PassView(pass_, template.name if template else "Pass", enrolled))
        return MemberOverview(
            tuple(sorted(booked, key=lambda b: b.occurrence.start)),
            tuple(sorted(waiting, key=lambda w: w.occurrence.start)),
            tuple(passes),
        )

    return await studio.read(query)


@dataclass(frozen=True)
class OfferPage:
    """One page of a member's offers, with how many there are in all."""

    offers: tuple[Offer, ...]
    number: int  # 0-based, clamped to the pages that exist
    pages: int
    total: int
    offset: int  # of the first offer shown, among all of them


async def bookable(studio: Studio, actor_id: int, within: timedelta = BOOKING_WINDOW) -> list[Offer]:
    """Sessions of open schedules in the coming days that the member may book now
    with a usable pass and has not booked; a full one is offered for its waitlist."""

    async def query(uow: UnitOfWork) -> list[Offer]:
        offers = await _MemberOffers.load(uow, await _member(uow, actor_id), studio.zone, studio.now(), within)
        return offers.walk(0, None)

    return await studio.read(query)


async def bookable_page(
    studio: Studio, actor_id: int, number: int, size: int, within: timedelta = BOOKING_WINDOW
) -> OfferPage:
    """Page `number` (0-based; past the end: the last) of what `bookable` lists. A
    member's pass often covers most of the ~1,300 sessions of the coming two weeks
    while a page shows a handful: the offers are counted per schedule (its starts
    sorted, bisected), and only the page shown is built (issue 15's burst)."""

    async def query(uow: UnitOfWork) -> OfferPage:
        offers = await _MemberOffers.load(uow, await _member(uow, actor_id), studio.zone, studio.now(), within)
        total = offers.count()
        pages = max(1, -(-total // size))
        shown = max(0, min(number, pages - 1))
        page = offers.walk(shown * size, size)
        return OfferPage(tuple(page), shown, pages, total, shown * size)

    return await studio.read(query)


@dataclass(frozen=True)
class _Bookable:
    """The occurrences around the coming days that members may book at all (open,
    public schedule; not cancelled), in their order; each group's starts sorted (to
    count a member's offers without walking them) and the occurrences by record id.
    A group is a schedule with one booking deadline (an edit from a date on may
    change it: occurrence.schedule is the schedule as of its date)."""

    occurrences: tuple[Occurrence, ...]
    schedules: dict[_Group, Schedule]
    starts: dict[_Group, list[datetime]]
    by_record: dict[int, Occurrence]
    # What each combination of passes covers (_Coverage), made once per combination
    # while this memo lives: members hold passes of a few templates, so most of them
    # share a combination.
    coverages: OrderedDict[tuple[frozenset[int], ...], _Coverage] = field(default_factory=OrderedDict)

    @classmethod
    def of(cls, occurrences: tuple[Occurrence, ...]) -> _Bookable:
        schedules: dict[_Group, Schedule] = {}
        starts: dict[_Group, list[datetime]] = {}
        for occurrence in occurrences:
            group = _group(occurrence)
            schedules.setdefault(group, occurrence.schedule)
            starts.setdefault(group, []).append(occurrence.start)
        for listed in starts.values():
            listed.sort()
        by_record = {o.record.id: o for o in occurrences if o.record.id is not None}
        return cls(occurrences, schedules, starts, by_record)

    def coverage(self, covered: tuple[frozenset[int], ...]) -> _Coverage:
        """How passes covering these schedule ids (one set per pass, in pick_pass's
        order) cover the groups on offer."""
        known = self.coverages.get(covered)
        if known is None:
            known = self.coverages[covered] = _Coverage.of(self, covered)
            if len(self.coverages) > _COVERAGES_KEPT:
                self.coverages.popitem(last=False)
        return known


_COVERAGES_KEPT = 256  # combinations of passes; each holds the starts on offer once


@dataclass(frozen=True)
class _Coverage:
    """The groups on offer that some combination of passes covers, in classes: the
    groups of a class have the same covering passes (their positions in the member's
    list) and the same booking deadline, so one window serves them all and their
    starts, merged and sorted, are counted at once."""

    starts: dict[_Class, list[datetime]]  # the class's starts, merged and sorted
    class_of: dict[_Group, _Class]  # groups no pass covers: absent

    @classmethod
    def of(cls, bookable: _Bookable, covered: tuple[frozenset[int], ...]) -> _Coverage:
        # Only open schedules are on offer (_open_schedule), and an open schedule is
        # covered by the passes whose coverage names it (Pass.covers).
        starts: dict[_Class, list[datetime]] = {}
        class_of: dict[_Group, _Class] = {}
        for group, schedule in bookable.schedules.items():
            covering = tuple(i for i, ids in enumerate(covered) if schedule.id in ids)
            if covering:
                class_of[group] = (covering, group[1])
                starts.setdefault(class_of[group], []).extend(bookable.starts[group])
        for merged in starts.values():
            merged.sort()
        return cls(starts, class_of)


@dataclass(frozen=True)
class _Window:
    """The starts of one class of schedules a member may book now: after now, not past
    the booking deadline, within the days listed and before their last pass covering
    it expires; `passes` cover it, the one expiring first first (pick_pass's choice)."""

    after: datetime
    first: datetime
    until: datetime
    passes: list[Pass]

    def holds(self, start: datetime) -> bool:
        return self.after < start and self.first <= start < self.until

    def count(self, starts: list[datetime]) -> int:
        low = max(bisect_right(starts, self.after), bisect_left(starts, self.first))
        return max(0, bisect_left(starts, self.until) - low)


@dataclass(frozen=True)
class _MemberOffers:
    bookable: _Bookable
    coverage: _Coverage
    windows: dict[_Class, _Window]
    mine: set[int]  # record ids the member has booked
    waiting: dict[int, int]  # record id -> the member's waitlist entry
    lines: dict[int, list[WaitlistEntry]]

    @classmethod
    async def load(
        cls, uow: UnitOfWork, member: Person, zone: ZoneInfo, now: datetime, within: timedelta
    ) -> _MemberOffers:
        # A member's passes of all the years: only those usable now can pay for any
        # session ahead (pick_pass would refuse the others for every one of them).
        # The one expiring first first: pick_pass's order, kept by each window's list.
        passes = sorted(await uow.passes.usable_of_member(member.id, now), key=lambda p: (p.expires_at, p.id))
        mine = await uow.bookings.booked_record_ids(member.id, starting_from=now)  # none before now is offered
        waiting = {entry.occurrence_id: entry.id for entry in await uow.waitlist.of_member(member.id)}
        lines = await uow.waitlist.lines(waiting)
        bookable = await _coming(uow, zone, now, within)
        coverage = bookable.coverage(tuple(p.covered_schedule_ids for p in passes))
        end = now + within
        windows = {}
        for covering, deadline in coverage.starts:  # the last one expires last: until then a pass covers
            by = [passes[i] for i in covering]
            windows[covering, deadline] = _Window(now, now + deadline, min(end, by[-1].expires_at), by)
        return cls(bookable, coverage, windows, mine, waiting, lines)

    def window(self, occurrence: Occurrence) -> _Window | None:
        kind = self.coverage.class_of.get(_group(occurrence))
        return None if kind is None else self.windows[kind]

    def offered(self, occurrence: Occurrence) -> bool:
        window = self.window(occurrence)
        return window is not None and window.holds(occurrence.start) and occurrence.record.id not in self.mine

    def count(self) -> int:
        total = sum(self.windows[kind].count(starts) for kind, starts in self.coverage.starts.items())
        booked = (self.bookable.by_record.get(record_id) for record_id in self.mine)
        return total - sum(1 for o in booked if o is not None and self._in_window(o))

    def _in_window(self, occurrence: Occurrence) -> bool:
        window = self.window(occurrence)
        return window is not None and window.holds(occurrence.start)

    def walk(self, skip: int, take: int | None) -> list[Offer]:
        """The offers in the occurrences' order: `take` of them (None: all) after `skip`."""
        offers: list[Offer] = []
        for occurrence in self.bookable.occurrences:
            if take is not None and len(offers) >= take:
                break
            if not self.offered(occurrence):
                continue
            if skip:
                skip -= 1
                continue
            offers.append(self._offer(occurrence))
        return offers

    def _offer(self, occurrence: Occurrence) -> Offer:
        # pick_pass, for passes known usable now and covering: the first (expiring
        # first) still valid at the session; the window ends at the last one's expiry.
        window, record_id = self.window(occurrence), occurrence.record.id
        assert window is not None  # offered
        pass_ = next(p for p in window.passes if occurrence.start < p.expires_at)
        place = None
        if record_id is not None and record_id in self.waiting:
            place = [e.id for e in self.lines.get(record_id, [])].index(self.waiting[record_id]) + 1
        return Offer(occurrence, pass_, place)


async def _coming(uow: UnitOfWork, zone: ZoneInfo, now: datetime, within: timedelta) -> _Bookable:
    """The occurrences of the whole hours around [now, now + within) that members may
    book at all: the same for every member who asks within the hour, so the memo keeps
    one. Which of them a member is offered now is the windows' business."""
    hour = now.replace(minute=0, second=0, microsecond=0)

    async def build() -> _Bookable:
        around = await occurrences_between(uow, zone, hour, hour + within + timedelta(hours=1))
        return _Bookable.of(tuple(o for o in around if _open_schedule(o)))

    kept = await uow.memo.kept(("bookable", zone.key, hour, within), build)
    assert isinstance(kept, _Bookable)
    return kept


_Group = tuple[int, timedelta]  # schedule id, its booking deadline
_Class = tuple[tuple[int, ...], timedelta]  # the covering passes (positions in pick_pass's order), the deadline


def _group(occurrence: Occurrence) -> _Group:
    return occurrence.schedule.id, occurrence.schedule.deadline()


def _open_schedule(occurrence: Occurrence) -> bool:
    """open_to_members, the parts that do not depend on the time."""
    schedule = occurrence.schedule
    return schedule.active and not schedule.closed and not schedule.private and not occurrence.cancelled


async def _member(uow: UnitOfWork, actor_id: int) -> Person:
    person = await uow.people.get(actor_id)
    if person is None or not person.holds(Role.MEMBER):
        raise NotAllowed(N_("Only members of this studio can book sessions. Ask the studio for an invite link."))
    return person


async def _occurrence_by_id(uow: UnitOfWork, record_id: int) -> Occurrence | None:
    record = await uow.occurrences.get_by_id(record_id)
    schedule = await uow.schedules.get(record.schedule_id) if record is not None else None
    if record is None or schedule is None:
        return None
    booked = await uow.occurrences.booked_counts([record_id])
    return Occurrence.of(schedule, record, booked.get(record_id, 0))
