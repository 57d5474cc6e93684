"""Times as admins read them: "3 hours ago", "2026-11-25 09:14 UTC"."""

from __future__ import annotations

import datetime as dt


def ago(moment: dt.datetime, now: dt.datetime) -> str:
    """How long before ``now`` ``moment`` was, in the largest unit that fits."""
    seconds = max(0, int((now - moment).total_seconds()))
    for unit, size in (("day", 86_400), ("hour", 3_600), ("minute", 60)):
        if seconds >= size:
            count = seconds // size
            return f"{count} {unit}{'s' if count != 1 else ''} ago"
    return "just now"


def stamp(moment: dt.datetime) -> str:
    """A UTC timestamp to the minute."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
