"""What the studio decides about timed notices (SPEC §6.2): the reminders' lead times,
the hour of the trainer's day, and how early a pass's expiry is announced."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time, timedelta

from domain.wording import Wording, ngettext

DEFAULT_LEADS = "24h,2h"
_LEAD = re.compile(r"(\d{1,4})\s*([hm])\b")
LONGEST_LEAD = timedelta(days=14)  # further ahead than /book looks is no reminder


@dataclass(frozen=True)
class NoticePolicy:
    leads: tuple[timedelta, ...] = (timedelta(hours=24), timedelta(hours=2))  # longest first
    trainer_day_at: time | None = time(7)  # None: no trainer's day
    pass_warning_days: int = 7  # 0: no expiry warning


def parse_leads(text: str) -> tuple[timedelta, ...]:
    """`24h,2h`, `90m`, `24h 2h`, `24 h; 2 h`: hours or minutes, longest first, each
    once; empty: none. Raises ValueError saying what is wrong."""
    lowered = text.strip().lower()
    if re.sub(r"[\s,;]", "", _LEAD.sub("", lowered)):
        raise ValueError(f"{text.strip()!r} is not a list of lead times: write hours or minutes like 24h,2h or 90m")
    leads = set()
    for match in _LEAD.finditer(lowered):
        amount, unit = int(match[1]), match[2]
        lead = timedelta(hours=amount) if unit == "h" else timedelta(minutes=amount)
        if not timedelta(0) < lead <= LONGEST_LEAD:
            raise ValueError(f"{match[0]!r}: a lead time is more than 0 and at most {LONGEST_LEAD.days} days")
        leads.add(lead)
    return tuple(sorted(leads, reverse=True))


def lead_words(lead: timedelta) -> Wording:
    """`24 h`, `90 min`: for people (the bot renders it in their language)."""
    minutes = int(lead.total_seconds() // 60)
    if minutes % 60 == 0:
        return ngettext("{n} h", "{n} h", minutes // 60)
    return ngettext("{n} min", "{n} min", minutes)
