"""The coverage report: what people asked that the knowledge base could not serve, grouped."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine

from bot.coverage.gather import READ_LIMIT, gather_gaps
from bot.coverage.grouping import GapGroup, group_gaps
from knowledge import CachedEmbedder, Embedder


@dataclass(frozen=True)
class CoverageReport:
    """Groups of failed questions, largest first; ``truncated`` when older rows were not read."""

    groups: tuple[GapGroup, ...]
    days: int | None
    questions: int
    truncated: bool
    generated_at: dt.datetime

    @property
    def period(self) -> str:
        """The period covered, worded for a sentence: "in the last 7 days" or "so far"."""
        if self.days is None:
            return "so far"
        return "in the last day" if self.days == 1 else f"in the last {self.days} days"

    def as_json(self) -> dict[str, Any]:
        """The report as ``sectorbot report --json`` prints it (keys documented in README)."""
        return {
            "generated_at": _iso(self.generated_at),
            "days": self.days,
            "questions": self.questions,
            "truncated": self.truncated,
            "groups": [
                {
                    "question": group.question,
                    "count": group.count,
                    "askers": group.askers,
                    "first_asked": _iso(group.first_asked),
                    "last_asked": _iso(group.last_asked),
                    "declined": group.declined,
                    "not_helpful": group.not_helpful,
                    "other_wordings": list(group.other_wordings),
                }
                for group in self.groups
            ],
        }


def build_report(
    engine: Engine,
    embedder: Embedder,
    *,
    days: int | None = None,
    now: dt.datetime | None = None,
    limit: int = READ_LIMIT,
) -> CoverageReport:
    """Gather the newest ``limit`` failed questions (of the last ``days`` days) and group them."""
    now = now or dt.datetime.now(dt.UTC)
    since = now - dt.timedelta(days=days) if days is not None else None
    gaps, truncated = gather_gaps(engine, since=since, limit=limit)
    # Questions are embedded once: the next report (and App Home) reads them from the cache.
    groups = group_gaps(gaps, CachedEmbedder(embedder, engine))
    return CoverageReport(tuple(groups), days, len(gaps), truncated, now)


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds")
