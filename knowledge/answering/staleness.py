"""Say so when an answer rests on a document dated long ago.

A document's date is the one it states (last reviewed, published, dated). An old page may still
be right, so the answer is kept; the reader is told how old its source is and can judge.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

from knowledge.types import Answer, Source

_MARKER = re.compile(r"\[(\d+)\]")


def stale_sources(answer: Answer, max_age_days: int, today: dt.date) -> list[Source]:
    """The cited sources dated more than ``max_age_days`` before ``today``, oldest first.

    Archived pages are left out: the answer already flags them as archived.
    """
    cited = {int(n) for n in _MARKER.findall(answer.text)}
    cutoff = today - dt.timedelta(days=max_age_days)
    old = [
        source
        for source in answer.sources
        if source.n in cited and source.date and source.date < cutoff and not source.archived
    ]
    return sorted(old, key=lambda source: (source.date, source.n))


def with_staleness_note(answer: Answer, max_age_days: int | None, today: dt.date) -> Answer:
    """``answer`` with a closing note naming its stale sources (unchanged if none are)."""
    if max_age_days is None or not answer.confident:
        return answer
    old = stale_sources(answer, max_age_days, today)
    if not old:
        return answer
    return dataclasses.replace(answer, text=f"{answer.text} {staleness_note(old)}")


def staleness_note(old: list[Source]) -> str:
    """One sentence: which sources are old and how old ("[2] is dated January 2023")."""
    described = [f"[{source.n}] is dated {_month(source.date)}" for source in old]
    if len(described) == 1:
        listed = described[0]
    else:
        listed = ", ".join(described[:-1]) + " and " + described[-1]
    subject = "it" if len(old) == 1 else "they"
    return f"Note: {listed}, so {subject} may be out of date."


def _month(date: dt.date | None) -> str:
    return date.strftime("%B %Y") if date else "an unknown date"
