"""The coverage report as plain text, for ``sectorbot report``."""

from __future__ import annotations

import datetime as dt

from bot.coverage.grouping import GapGroup
from bot.coverage.report import CoverageReport


def format_coverage(report: CoverageReport) -> str:
    """Numbered groups, largest first, each with its counts, dates and other wordings."""
    if not report.groups:
        return empty_line(report)
    lines = [headline(report), ""]
    for number, group in enumerate(report.groups, start=1):
        lines.append(f"{number}. {group.question}")
        lines.append(f"   {counts_line(group)}")
        if group.other_wordings:
            lines.append("   also asked: " + " | ".join(group.other_wordings))
    if report.truncated:
        lines += ["", truncation_note(report) + " (--days N)"]
    return "\n".join(lines)


def empty_line(report: CoverageReport) -> str:
    """What an empty report says."""
    return (
        f"No declined or not-helpful questions {report.period}: "
        "nothing is missing from the knowledge base that anyone asked about."
    )


def headline(report: CoverageReport) -> str:
    """One sentence saying how much the report covers."""
    groups = len(report.groups)
    return (
        f"{_plural(report.questions, 'question')} the bot declined or that got "
        f"'not helpful' {report.period}, in {_plural(groups, 'group')} "
        "(most asked first): the documents to add."
    )


def counts_line(group: GapGroup) -> str:
    """How often, by how many people, when, and how the bot failed, for one group."""
    return (
        f"{_plural(group.count, 'time')} by {_plural(group.askers, 'person', 'people')}, "
        f"{_dates(group.first_asked, group.last_asked)}; "
        f"{group.declined} declined, {group.not_helpful} not helpful"
    )


def truncation_note(report: CoverageReport) -> str:
    """Said when the report stopped at its row cap."""
    return (
        f"Only the newest {report.questions} questions were read; "
        "look at a shorter period to see them all."
    )


def _dates(first: dt.datetime, last: dt.datetime) -> str:
    start, end = first.date().isoformat(), last.date().isoformat()
    return f"on {start}" if start == end else f"{start} to {end}"


def _plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else many or one + 's'}"
