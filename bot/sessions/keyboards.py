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
from bot.i18n import pgettext
from bot.render import page_row, weekday
from bot.user_state import ListView, OverrideDraft
from domain.directory import Directory
from domain.occurrence import Occurrence, OccurrenceKey

PICKER_DAYS = 14


def quick_labels() -> tuple[tuple[str, str], ...]:
    """The quick ranges of /sessions and their buttons' labels, in the reader's language."""
    return (
        ("today", pgettext("button", "Today")),
        ("tomorrow", pgettext("button", "Tomorrow")),
        ("week", pgettext("button", "This week")),
        ("nextweek", pgettext("button", "Next week")),
    )


def quick_picks(mine: bool = False) -> Markup:
    buttons = [Button(label, callback_data=QuickPick(word, mine).encode()) for word, label in quick_labels()]
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
    other = pgettext("button", "All sessions") if view.mine else pgettext("button", "Only mine")
    rows.append([Button(other, callback_data=toggle)])
    if not page:
        rows.append(
            [Button(pgettext("button", "Next week ▶"), callback_data=QuickPick("nextweek", view.mine).encode())]
        )
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
                Button(pgettext("button", "✎ Change"), callback_data=StartOverride(key, version).encode()),
                Button(pgettext("button", "❌ Cancel session"), callback_data=StartCancel(key, version).encode()),
            ]
        )
        if substitute:  # another trainer could lead it
            rows.append(
                [Button(pgettext("button", "🔁 Substitute"), callback_data=StartSubstitute(key, version).encode())]
            )
    if bookings:
        rows.append(
            [
                Button(
                    pgettext("button", "👥 Bookings ({n})").format(n=occurrence.booked),
                    callback_data=ShowBookings(occurrence.key).encode(),
                )
            ]
        )
    if book:  # a free spot: staff book a member onto it (bot/sessions/staff_book.py)
        rows.append(
            [Button(pgettext("button", "➕ Book a member"), callback_data=StaffBookPick(occurrence.key).encode())]
        )
    bottom = [Button(pgettext("button", "↻ Refresh"), callback_data=OpenCard(occurrence.key).encode())]
    if back is not None:
        bottom.insert(
            0,
            Button(
                pgettext("button", "◀ List"),
                callback_data=ListPage(back.first, back.last, back.mine, back.page).encode(),
            ),
        )
    rows.append(bottom)
    return Markup(rows)


def override_menu(occurrence: Occurrence, draft: OverrideDraft, names: Directory) -> Markup:
    first = [Button(pgettext("button", "Capacity"), callback_data=Step("cap").encode())]
    if len(names.active_spaces()) > 1:  # a one-space studio is never asked for a space
        first.append(Button(pgettext("button", "Space"), callback_data=Step("spc").encode()))
    rows = [
        first,
        [
            Button(pgettext("button", "Trainer"), callback_data=Step("trn").encode()),
            Button(pgettext("button", "Date & time"), callback_data=Step("dt").encode()),
        ],
    ]
    if not occurrence.schedule.closed:
        mark = "☑" if draft.cancel_bookings else "☐"
        rows.append(
            [Button(f"{mark} " + pgettext("button", "Cancel existing bookings"), callback_data=Step("tgl").encode())]
        )
    rows.append(
        [
            Button(pgettext("button", "Review ▶"), callback_data=Step("rv").encode()),
            Button(pgettext("button", "✖ Stop"), callback_data=Step("quit").encode()),
        ]
    )
    return Markup(rows)


def spaces(names: Directory, current: int) -> Markup:
    rows = [
        [Button(("• " if space.id == current else "") + space.name, callback_data=Step("sp", space.id).encode())]
        for space in sorted(names.active_spaces(), key=lambda s: s.name)
    ]
    rows.append([Button(pgettext("button", "◀ Back"), callback_data=Step("back").encode())])
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
    rows.append([Button(pgettext("button", "◀ Back"), callback_data=Step("back").encode())])
    return Markup(rows)


def date_picker(first: date, today: date, furthest: date) -> Markup:
    """Two weeks of days from the Monday `first`, jumping a week either way; the past
    and the days after `furthest` are not offered."""
    days = [first + timedelta(days=i) for i in range(PICKER_DAYS)]
    buttons = [
        Button(picker_day(d), callback_data=Step("d", d.toordinal()).encode()) for d in days if today <= d <= furthest
    ]
    rows = [buttons[i : i + 3] for i in range(0, len(buttons), 3)]
    navigation = []
    earlier, later = first - timedelta(days=7), first + timedelta(days=7)
    if first > today:  # the week before still has days to offer
        navigation.append(
            Button(pgettext("button", "◀ Earlier"), callback_data=Step("wk", earlier.toordinal()).encode())
        )
    if later + timedelta(days=7) <= furthest:
        navigation.append(Button(pgettext("button", "Later ▶"), callback_data=Step("wk", later.toordinal()).encode()))
    if navigation:
        rows.append(navigation)
    rows.append([Button(pgettext("button", "◀ Back"), callback_data=Step("back").encode())])
    return Markup(rows)


def picker_day(day: date) -> str:
    """`Tue 01.12` (`Di. 01.12`, `вт 01.12`): the weekday in the reader's language, the
    day as people type it."""
    return f"{weekday(day)} {day:%d.%m}"


def review(occurrence: Occurrence, version: int, has_warnings: bool) -> Markup:
    save = pgettext("button", "⚠️ Confirm and save") if has_warnings else pgettext("button", "✅ Save")
    return Markup(
        [
            [Button(save, callback_data=Step("sv", version, occurrence.key).encode())],
            [
                Button(pgettext("button", "◀ Change more"), callback_data=Step("back").encode()),
                Button(pgettext("button", "✖ Stop"), callback_data=Step("quit").encode()),
            ],
        ]
    )


def reason() -> Markup:
    return Markup(
        [
            [
                Button(pgettext("button", "No reason"), callback_data=Step("skip").encode()),
                Button(pgettext("button", "✖ Keep the session"), callback_data=Step("quit").encode()),
            ]
        ]
    )


def override_reason() -> Markup:
    return Markup(
        [
            [Button(pgettext("button", "No reason"), callback_data=Step("skip").encode())],
            [Button(pgettext("button", "◀ Back"), callback_data=Step("back").encode())],
        ]
    )


def cancel_confirm(occurrence: Occurrence, version: int) -> Markup:
    return Markup(
        [
            [
                Button(
                    pgettext("button", "❌ Yes, cancel the session"),
                    callback_data=Step("cx", version, occurrence.key).encode(),
                )
            ],
            [Button(pgettext("button", "✖ Keep the session"), callback_data=Step("quit").encode())],
        ]
    )


def open_card(key: OccurrenceKey) -> Markup:
    return Markup([[Button(pgettext("button", "Open the session"), callback_data=OpenCard(key).encode())]])


def staff_bookings(occurrence: Occurrence, members: list[tuple[int, str]], page: int = 0, pages: int = 1) -> Markup:
    rows = [
        [Button(f"✖ {name}", callback_data=StaffCancelBooking(booking_id).encode())] for booking_id, name in members
    ]
    if paging := page_row(page, pages, lambda n: _bookings(occurrence, n)):
        rows.append(paging)
    rows.append([Button(pgettext("button", "◀ Session"), callback_data=OpenCard(occurrence.key).encode())])
    return Markup(rows)


def _bookings(occurrence: Occurrence, page: int) -> str:
    """The list of who is booked: its first page as it always was, later ones paged."""
    return ShowBookings(occurrence.key).encode() if page == 0 else BookingsPage(occurrence.key, page).encode()


def staff_cancel_confirm(occurrence: Occurrence, booking_id: int, page: int = 0) -> Markup:
    return Markup(
        [
            [
                Button(
                    pgettext("button", "✖ Yes, cancel the booking"),
                    callback_data=StaffCancelBooking(booking_id, True).encode(),
                )
            ],
            [Button(pgettext("button", "◀ Bookings"), callback_data=_bookings(occurrence, page))],
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
    rows.append([Button(pgettext("button", "◀ Session"), callback_data=OpenCard(key).encode())])
    return Markup(rows)


def book_confirm(occurrence: Occurrence, member_id: int) -> Markup:
    key = occurrence.key
    return Markup(
        [
            [Button(pgettext("button", "✅ Book"), callback_data=StaffBookMember(key, member_id, True).encode())],
            [Button(pgettext("button", "◀ Members"), callback_data=StaffBookPick(key).encode())],
        ]
    )
