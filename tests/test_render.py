"""The rendering every feature shares (bot/render.py): paging that never shows an empty
page of a list that shrank, instants in the studio's zone across a DST change."""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from bot import i18n
from bot.render import day, day_and_clock, escape, full_moment, page_of, pages_for

BERLIN = ZoneInfo("Europe/Berlin")


def test_pages_clamp_to_the_list_as_it_is_now() -> None:
    items = list(range(17))
    first = page_of(items, 0, 8)
    assert (list(first.items), first.pages, first.offset, first.has_next) == (list(range(8)), 3, 0, True)
    last = page_of(items, 2, 8)
    assert (list(last.items), last.offset, last.has_next) == ([16], 16, False)
    shrunk = page_of(items[:5], 2, 8)  # a button drawn when the list was longer
    assert (shrunk.number, list(shrunk.items)) == (0, [0, 1, 2, 3, 4])
    assert page_of([], 3, 8).pages == 1 and page_of([], 3, 8).items == []
    assert page_of(items, -4, 8).number == 0
    assert [pages_for(n, 10) for n in (0, 1, 10, 11)] == [1, 1, 1, 2]


def test_instants_are_shown_in_the_studio_zone_across_daylight_saving() -> None:
    winter = datetime(2026, 12, 1, 17, 0, tzinfo=timezone.utc)
    summer = datetime(2026, 7, 1, 16, 0, tzinfo=timezone.utc)
    assert day_and_clock(winter, BERLIN) == "Tue 01 Dec 18:00"
    assert day_and_clock(summer, BERLIN) == "Wed 01 Jul 18:00"
    assert full_moment(winter, BERLIN) == "Tue 1 Dec 2026, 18:00"
    later = datetime(2026, 12, 1, 18, 0, tzinfo=timezone.utc)
    assert full_moment(later, BERLIN, same_day_as=winter) == "19:00"


def test_one_instant_reads_as_its_zone_and_language_say_each_time() -> None:
    """Formatted texts are kept (bot/render.py `_format`); an equal instant in another
    zone, or another language, is never answered with a text kept for the first."""
    moment = datetime(2026, 12, 1, 17, 0, tzinfo=timezone.utc)
    new_york = ZoneInfo("America/New_York")
    for _ in range(2):  # the second time from what was kept
        assert day_and_clock(moment, BERLIN) == "Tue 01 Dec 18:00"
        assert day_and_clock(moment, new_york) == "Tue 01 Dec 12:00"
        assert day_and_clock(moment, timezone.utc) == "Tue 01 Dec 17:00"
        with i18n.using("de"):
            assert day_and_clock(moment, BERLIN) == "Di., 01. Dez. 18:00"
        assert day(moment.date(), BERLIN) == "Tue 01 Dec"


def test_escaping() -> None:
    assert escape('<b>"Tom" & Co</b>') == '&lt;b&gt;"Tom" &amp; Co&lt;/b&gt;'
