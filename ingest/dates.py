"""Find the date a document states about itself, such as "Last reviewed: February 2025"."""

from __future__ import annotations

import datetime as dt
import email.utils
import logging
import re

logger = logging.getLogger(__name__)

# Self-statements sit in a page's header block or its footer; dates deeper in the body are
# usually facts the document reports ("In September 2022, ...") rather than its own date.
HEAD_CHARS = 1500
TAIL_CHARS = 800

_MONTHS = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DATE = (
    r"(?:(?P<iso_y>\d{4})-(?P<iso_m>\d{1,2})-(?P<iso_d>\d{1,2})"
    r"|(?P<us_m>\d{1,2})/(?P<us_d>\d{1,2})/(?P<us_y>\d{4}|\d{2})(?!\d)"
    rf"|(?P<mdy_m>{_MONTH})\s+(?P<mdy_d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<mdy_y>\d{{4}})"
    rf"|(?P<dmy_d>\d{{1,2}})\s+(?P<dmy_m>{_MONTH}),?\s+(?P<dmy_y>\d{{4}})"
    rf"|(?P<my_m>{_MONTH}),?\s+(?P<my_y>\d{{4}})"
    r"|(?P<ym_y>\d{4})-(?P<ym_m>\d{2})(?![\d-]))"
)
# Verbs that introduce a document's own date even in mid-sentence
# ("... article published August 22, 2016"). In running text they are only trusted when the
# date follows at once: "was revised in August 2021" reports a fact about something else.
_VERB = (
    r"(?P<last>\blast\s+)?"
    r"\b(?:reviewed|updated|modified|revised|published|posted|dated|compiled|issued)"
)
# Words that also introduce facts in running text ("moved to IWD as of September 19, 2022"),
# so they only count at the start of a line, where labels like "Date: 12/05/2022" sit.
_LABEL = r"(?:(?:publication|review|revision|effective|release)\s+date|date|effective|as\s+of)\b"
_STATEMENT = re.compile(
    rf"(?:{_VERB}|(?P<label>{_LABEL}))[ \t:\u2013\u2014-]*(?:(?P<prep>on|in)\s+)?{_DATE}",
    re.IGNORECASE,
)
_LINE_PREFIX = re.compile(r"^[ \t>*_#-]*$")
_PASSIVE = re.compile(r"\b(?:was|were|is|are|been|be|being|had|has|have)\s+$", re.IGNORECASE)
_BARE_DATE = re.compile(_DATE, re.IGNORECASE)


def find_document_date(text: str, *, hint: str | None = None) -> dt.date | None:
    """Return the most recent date the document states about itself.

    Only dates introduced by words such as "reviewed", "updated", "published", "dated" or a
    line-leading "Date:" / "Effective" / "As of" count, and only in the first
    ``HEAD_CHARS`` or the last ``TAIL_CHARS`` characters, so dates that are merely part of the
    content are ignored. A month without a day means the first of that month.

    Args:
        text: The document text (light Markdown or plain text).
        hint: A date from metadata (e.g. an ``article:modified_time`` meta tag), usually ISO.

    Returns:
        The latest stated date, or None when the document states none.

    """
    if len(text) <= HEAD_CHARS + TAIL_CHARS:
        windows = [text]
    else:
        windows = [text[:HEAD_CHARS], text[-TAIL_CHARS:]]
    found: list[dt.date] = []
    for window in windows:
        for match in _STATEMENT.finditer(window):
            date = _date_from_match(match) if _is_self_statement(window, match) else None
            if date is not None:
                found.append(date)
    if hint:
        hinted = parse_date_hint(hint)
        if hinted is not None:
            found.append(hinted)
    return max(found) if found else None


def parse_date_hint(value: str) -> dt.date | None:
    """Parse a metadata date: ISO 8601, an HTTP/RFC 2822 date, or a written date.

    Args:
        value: The raw metadata value, e.g. ``2024-01-15T10:00:00Z``.

    Returns:
        The date, or None when the value is not a recognisable date.

    """
    value = value.strip()
    if not value:
        return None
    try:
        return _plausible(dt.datetime.fromisoformat(value.replace("Z", "+00:00")).date())
    except ValueError:
        pass
    try:
        return _plausible(email.utils.parsedate_to_datetime(value).date())
    except (TypeError, ValueError, IndexError):
        pass
    match = _BARE_DATE.search(value)
    return _date_from_match(match) if match else None


def _is_self_statement(text: str, match: re.Match[str]) -> bool:
    line_start = text.rfind("\n", 0, match.start()) + 1
    at_line_start = bool(_LINE_PREFIX.match(text[line_start : match.start()]))
    if match.group("label"):
        return at_line_start
    if at_line_start or match.group("last"):
        return True
    before = text[max(0, match.start() - 12) : match.start()]
    return not match.group("prep") and not _PASSIVE.search(before)


def _date_from_match(match: re.Match[str]) -> dt.date | None:
    groups = match.groupdict()
    try:
        if groups["iso_y"]:
            return _make(groups["iso_y"], groups["iso_m"], groups["iso_d"])
        if groups["us_y"]:
            return _make(groups["us_y"], groups["us_m"], groups["us_d"])
        if groups["mdy_y"]:
            return _make(groups["mdy_y"], _month(groups["mdy_m"]), groups["mdy_d"])
        if groups["dmy_y"]:
            return _make(groups["dmy_y"], _month(groups["dmy_m"]), groups["dmy_d"])
        if groups["my_y"]:
            return _make(groups["my_y"], _month(groups["my_m"]), "1")
        if groups["ym_y"]:
            return _make(groups["ym_y"], groups["ym_m"], "1")
    except ValueError:
        logger.debug("ignoring impossible date %r", match.group(0))
    return None


def _month(name: str) -> str:
    return str(_MONTHS[name.lower()[:3]])


def _make(year: str, month: str, day: str) -> dt.date | None:
    full_year = int(year)
    if len(year) == 2:
        full_year += 2000 if full_year < 70 else 1900
    return _plausible(dt.date(full_year, int(month), int(day)))


def _plausible(date: dt.date) -> dt.date | None:
    return date if 1900 <= date.year <= 2100 else None
