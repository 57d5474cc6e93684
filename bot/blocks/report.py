"""The coverage report in Slack: the `/sectorbot report` reply and App Home's top lines.

Every question is user text, so it is clipped and escaped; clipping before escaping keeps each
group's section far under Slack's 3,000 characters even when every character is an ``&``.
"""

from __future__ import annotations

from bot.blocks.elements import Block, section
from bot.coverage.grouping import GapGroup
from bot.coverage.report import CoverageReport
from bot.coverage.text import counts_line, empty_line, headline
from bot.slack_text import escape

# Header, footer and 40 groups stay within Slack's 50 blocks, with room to spare.
SLACK_GROUPS = 40
HOME_GROUPS = 3
QUESTION_CHARS = 200
WORDING_CHARS = 100
HOME_QUESTION_CHARS = 120
FOOTER = "`sectorbot report [--days N] [--json]` prints the whole report on the server."


def build_report_blocks(report: CoverageReport) -> tuple[str, list[Block]]:
    """The fallback text and blocks of the `/sectorbot report` reply."""
    if not report.groups:
        return empty_line(report), [section(empty_line(report))]
    blocks = [section(f"*Coverage report*\n{headline(report)}")]
    shown = report.groups[:SLACK_GROUPS]
    blocks += [section(_group_text(number, group)) for number, group in enumerate(shown, start=1)]
    notes = []
    if len(report.groups) > len(shown):
        notes.append(f"...and {len(report.groups) - len(shown)} smaller groups.")
    if report.truncated:
        notes.append(f"Only the newest {report.questions} questions were read.")
    notes.append(FOOTER)
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": " ".join(notes)}]})
    return headline(report), blocks


def build_report_home_text(report: CoverageReport) -> str:
    """App Home's lines: the three largest groups, for admins."""
    title = "*Unanswered questions* (admins only)"
    if not report.groups:
        return f"{title}\n{escape(empty_line(report))}"
    lines = [
        f"\u2022 {_quoted(group.question, HOME_QUESTION_CHARS)}: {counts_line(group)}"
        for group in report.groups[:HOME_GROUPS]
    ]
    more = len(report.groups) - HOME_GROUPS
    tail = f"{more} more in `/sectorbot report`." if more > 0 else "`/sectorbot report` for all."
    heading = f"{title}: {len(report.groups)} groups {report.period}"
    return "\n".join([heading, *lines, tail])


def report_unavailable_text(*, timed_out: bool) -> str:
    """Shown in App Home when the report took too long, or failed (details go to the log)."""
    reason = (
        "The report is still being prepared; open Home again in a minute."
        if timed_out
        else "The report could not be built just now (the server log says why)."
    )
    return f"*Unanswered questions* (admins only)\n{reason}"


def _group_text(number: int, group: GapGroup) -> str:
    lines = [f"*{number}.* {_quoted(group.question, QUESTION_CHARS)}", counts_line(group)]
    if group.other_wordings:
        also = ", ".join(_quoted(text, WORDING_CHARS) for text in group.other_wordings)
        lines.append(f"_Also asked:_ {also}")
    return "\n".join(lines)


def _quoted(text: str, limit: int) -> str:
    clipped = text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"
    return f"\u201c{escape(clipped)}\u201d"
