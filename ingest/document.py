"""The in-memory shape of a loaded document, shared by every loader and later pipeline steps."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


class LoadError(Exception):
    """A source could not be turned into a document; ``reason`` is safe to show to users."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class UnsupportedTypeError(LoadError):
    """The source is of a type no loader handles."""


@dataclass(frozen=True)
class Document:
    """One source document after loading and cleaning.

    ``text`` is light Markdown: headings are ``#`` lines, paragraphs are separated by blank
    lines and list items start with ``- ``, whatever the original format was. Every later step
    (splitting, chunking) reads only this form.
    """

    source: str
    title: str
    text: str
    kind: str
    url: str | None = None
    date: dt.date | None = None
