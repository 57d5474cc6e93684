"""Finding a title line in text that has no heading."""

from __future__ import annotations

# Labels such as "Related Topics:" are followed by short values, not by the title.
_LABEL_VALUE_WORDS = 3


def first_content_line(text: str) -> str:
    """The first line that is not a page-furniture label ("Related Topics:") or its value."""
    after_label = False
    for line in text.split("\n"):
        stripped = line.lstrip("#- ").strip()
        if not stripped:
            continue
        if stripped.endswith(":"):
            after_label = True
        elif not (after_label and len(stripped.split()) <= _LABEL_VALUE_WORDS):
            return stripped
    return ""
