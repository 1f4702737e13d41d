"""Inline keyboards of the trainer flows. Every button's data comes from bot.callbacks."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton as Button
from telegram import InlineKeyboardMarkup as Markup

from bot.callbacks import (
    BookingsPage,
    ListPage,
    OpenCard,
    QuickPick,
    ShowBookings,
    StaffBookMember,
    StaffBookPick,
    StaffCancelBooking,
    StartCancel,
    StartOverride,
    StartSubstitute,
    Step,
)
from bot.render import page_row
from bot.user_state import ListView, OverrideDraft
from domain.directory import Directory
from domain.occurrence import Occurrence, OccurrenceKey

QUICK_LABELS = (("today", "Today"), ("tomorrow", "Tomorrow"), ("week", "This week"), ("nextweek", "Next week"))
PICKER_DAYS = 14


def quick_picks(mine: bool = False) -> Markup:
    buttons = [Button(label, callback_data=QuickPick(word, mine).encode()) for word, label in QUICK_LABELS]
    return Markup([buttons[:2], buttons[2:]])


def listing(view: ListView, page: list[Occurrence], offset: int, pages: int, zone: ZoneInfo) -> Markup:
    rows: list[list[Button]] = []
    numbers = [
        Button(f"{offset + i + 1} {o.title[:12]}", callback_data=OpenCard(o.key).encode()) for i, o in enumerate(page)
    ]
    rows += [numbers[i : i + 2] for i in range(0, len(numbers), 2)]
    if paging := page_row(view.page, pages, lambda n: _page(view, n)):
        rows.append(paging)
    toggle = ListPage(view.first, view.last, not view.mine, 0).encode()
    rows.append([Button("All sessions" if view.mine else "Only mine", callback_data=toggle)])
    if not page:
        rows.append([Button("Next week ▶", callback_data=QuickPick("nextweek", view.mine).encode())])
    return Markup(rows)


def _page(view: ListView, page: int) -> str:
    return ListPage(view.first, view.last, view.mine, page).encode()


def card(
    occurrence: Occurrence,
    may_change: bool,
    back: ListView | None,
    bookings: bool = False,
    substitute: bool = False,
    book: bool = False,
) -> Markup:
    rows = []
    key, version = occurrence.key, occurrence.version
    if may_change:
        rows.append(
            [
                Button("✎ Change", callback_data=StartOverride(key, version).encode()),
                Button("❌ Cancel session", callback_data=StartCancel(key, version).encode()),
            ]
        )
        if substitute:  # another trainer could lead it
            rows.append([Button("🔁 Substitute", callback_data=StartSubstitute(key, version).encode())])
    if bookings:
        rows.append([Button(f"👥 Bookings ({occurrence.booked})", callback_data=ShowBookings(occurrence.key).encode())])
    if book:  # a free spot: staff book a member onto it (bot/sessions/staff_book.py)
        rows.append([Button("➕ Book a member", callback_data=StaffBookPick(occurrence.key).encode())])
    bottom = [Button("↻ Refresh", callback_data=OpenCard(occurrence.key).encode())]
    if back is not None:
        bottom.insert(0, Button("◀ List", callback_data=ListPage(back.first, back.last, back.mine, back.page).encode()))
    rows.append(bottom)
    return Markup(rows)


def override_menu(occurrence: Occurrence, draft: OverrideDraft, names: Directory) -> Markup:
    first = [Button("Capacity", callback_data=Step("cap").encode())]
    if len(names.active_spaces()) > 1:  # a one-space studio is never asked for a space
        first.append(Button("Space", callback_data=Step("spc").encode()))
    rows = [
        first,
        [
            Button("Trainer", callback_data=Step("trn").encode()),
            Button("Date & time", callback_data=Step("dt").encode()),
        ],
    ]
    if not occurrence.schedule.closed:
        mark = "☑" if draft.cancel_bookings else "☐"
        rows.append([Button(f"{mark} Cancel existing bookings", callback_data=Step("tgl").encode())])
    rows.append(
        [Button("Review ▶", callback_data=Step("rv").encode()), Button("✖ Stop", callback_data=Step("quit").encode())]
    )
    return Markup(rows)


def spaces(names: Directory, current: int) -> Markup:
    rows = [
        [Button(("• " if space.id == current else "") + space.name, callback_data=Step("sp", space.id).encode())]
        for space in sorted(names.active_spaces(), key=lambda s: s.name)
    ]
    rows.append([Button("◀ Back", callback_data=Step("back").encode())])
    return Markup(rows)


def trainers(names: Directory, current: int) -> Markup:
    rows = [
        [
            Button(
                ("• " if person.id == current else "") + names.trainer_name(person.id),
                callback_data=Step("tr", person.id).encode(),
            )
        ]
        for person in sorted(names.active_trainers(), key=lambda p: (p.name, p.id))
    ]
    rows.append([Button("◀ Back", callback_data=Step("back").encode())])
    return Markup(rows)


def date_picker(first: date, today: date, furthest: date) -> Markup:
    """Two weeks of days from the Monday `first`, jumping a week either way; the past
    and the days after `furthest` are not offered."""
    days = [first + timedelta(days=i) for i in range(PICKER_DAYS)]
    buttons = [
        Button(d.strftime("%a %d.%m"), callback_data=Step("d", d.toordinal()).encode())
        for d in days
        if today <= d <= furthest
    ]
    rows = [buttons[i : i + 3] for i in range(0, len(buttons), 3)]
    navigation = []
    earlier, later = first - timedelta(days=7), first + timedelta(days=7)
    if first > today:  # the week before still has days to offer
        navigation.append(Button("◀ Earlier", callback_data=Step("wk", earlier.toordinal()).encode()))
    if later + timedelta(days=7) <= furthest:
        navigation.append(Button("Later ▶", callback_data=Step("wk", later.toordinal()).encode()))
    if navigation:
        rows.append(navigation)
    rows.append([Button("◀ Back", callback_data=Step("back").encode())])
    return Markup(rows)


def review(occurrence: Occurrence, version: int, has_warnings: bool) -> Markup:
    save = "⚠️ Confirm and save" if has_warnings else "✅ Save"
    return Markup(
        [
            [Button(save, callback_data=Step("sv", version, occurrence.key).encode())],
            [
                Button("◀ Change more", callback_data=Step("back").encode()),
                Button("✖ Stop", callback_data=Step("quit").encode()),
            ],
        ]
    )


def reason() -> Markup:
    return Markup(
        [
            [
                Button("No reason", callback_data=Step("skip").encode()),
                Button("✖ Keep the session", callback_data=Step("quit").encode()),
            ]
        ]
    )


def override_reason() -> Markup:
    return Markup(
        [
            [Button("No reason", callback_data=Step("skip").encode())],
            [Button("◀ Back", callback_data=Step("back").encode())],
        ]
    )


def cancel_confirm(occurrence: Occurrence, version: int) -> Markup:
    return Markup(
        [
            [Button("❌ Yes, cancel the session", callback_data=Step("cx", version, occurrence.key).encode())],
            [Button("✖ Keep the session", callback_data=Step("quit").encode())],
        ]
    )


def open_card(key: OccurrenceKey) -> Markup:
    return Markup([[Button("Open the session", callback_data=OpenCard(key).encode())]])


def staff_bookings(occurrence: Occurrence, members: list[tuple[int, str]], page: int = 0, pages: int = 1) -> Markup:
    rows = [
        [Button(f"✖ {name}", callback_data=StaffCancelBooking(booking_id).encode())] for booking_id, name in members
    ]
    if paging := page_row(page, pages, lambda n: _bookings(occurrence, n)):
        rows.append(paging)
    rows.append([Button("◀ Session", callback_data=OpenCard(occurrence.key).encode())])
    return Markup(rows)


def _bookings(occurrence: Occurrence, page: int) -> str:
    """The list of who is booked: its first page as it always was, later ones paged."""
    return ShowBookings(occurrence.key).encode() if page == 0 else BookingsPage(occurrence.key, page).encode()


def staff_cancel_confirm(occurrence: Occurrence, booking_id: int, page: int = 0) -> Markup:
    return Markup(
        [
            [Button("✖ Yes, cancel the booking", callback_data=StaffCancelBooking(booking_id, True).encode())],
            [Button("◀ Bookings", callback_data=_bookings(occurrence, page))],
        ]
    )


def book_pick(occurrence: Occurrence, members: list[tuple[int, str]], page: int = 0, pages: int = 1) -> Markup:
    """The members staff could book, a button each; paged like the bookings."""
    key = occurrence.key
    rows = [
        [Button(f"➕ {name}", callback_data=StaffBookMember(key, member_id).encode())] for member_id, name in members
    ]
    if paging := page_row(page, pages, lambda n: StaffBookPick(key, n).encode()):
        rows.append(paging)
    rows.append([Button("◀ Session", callback_data=OpenCard(key).encode())])
    return Markup(rows)


def book_confirm(occurrence: Occurrence, member_id: int) -> Markup:
    key = occurrence.key
    return Markup(
        [
            [Button("✅ Book", callback_data=StaffBookMember(key, member_id, True).encode())],
            [Button("◀ Members", callback_data=StaffBookPick(key).encode())],
        ]
    )
