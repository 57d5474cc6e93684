"""Split light Markdown into sections at its heading lines."""

from __future__ import annotations

import re
from dataclasses import dataclass

_HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t#]*$")
_BLANK_RUN = re.compile(r"\n{3,}")


@dataclass(frozen=True)
class Section:
    """The body text under one heading, with the path of headings that enclose it."""

    headings: tuple[str, ...]
    text: str


def split_sections(text: str) -> list[Section]:
    """Split light Markdown into sections, one per heading that has body text.

    ``headings`` is the path of enclosing headings (``("Title", "Part", "Topic")``); a heading
    closes every open heading at its level or deeper. Text before the first heading has an
    empty path. A heading with no body of its own (only sub-headings) adds to their paths.

    Args:
        text: Light Markdown, as in ``Document.text``.

    Returns:
        The non-empty sections in document order, paragraph breaks kept.

    """
    sections: list[Section] = []
    path: list[tuple[int, str]] = []
    body: list[str] = []

    def close() -> None:
        joined = _BLANK_RUN.sub("\n\n", "\n".join(body)).strip()
        if joined:
            sections.append(Section(tuple(title for _, title in path), joined))
        body.clear()

    for line in text.splitlines():
        match = _HEADING.match(line)
        if match is None:
            body.append(line.rstrip())
            continue
        close()
        level = len(match.group(1))
        while path and path[-1][0] >= level:
            path.pop()
        path.append((level, match.group(2).strip()))
    close()
    return sections
