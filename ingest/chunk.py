"""Cut heading-aware sections into retrievable chunks, carrying the section path along."""

from __future__ import annotations

from dataclasses import dataclass

from ingest.split import Section
from knowledge import split_sentences

# Measured on the IWD documents: chunks of about one FAQ answer or one short section keep
# retrieval precise while leaving enough context for the answer's sentences.
TARGET_CHARS = 700
LIST_CHARS = 1400
LIST_INTRO_CHARS = 240


@dataclass(frozen=True)
class TextChunk:
    """Chunk text with the headings of the section it came from."""

    headings: tuple[str, ...]
    text: str


def chunk_sections(sections: list[Section]) -> list[TextChunk]:
    """Split each section into chunks of whole paragraphs, or whole sentences when needed."""
    chunks: list[TextChunk] = []
    for section in sections:
        for text in _pack(_paragraph_units(section.text)):
            chunks.append(TextChunk(section.headings, text))
    return chunks


def _paragraph_units(text: str) -> list[str]:
    units: list[str] = []
    for paragraph in (p.strip() for p in text.split("\n\n")):
        if not paragraph:
            continue
        if len(paragraph) <= TARGET_CHARS:
            units.append(paragraph)
            continue
        # A long paragraph (or a long list / table) is cut between sentences or lines.
        for line in (line.strip() for line in paragraph.split("\n")):
            if len(line) <= TARGET_CHARS:
                units.extend([line] if line else [])
            else:
                units.extend(split_sentences(line))
    return units


def _pack(units: list[str]) -> list[str]:
    """Greedily join units up to the target size; never split a unit.

    A list stays with the short paragraph that introduces it ("The law lists these
    activities:") up to a larger limit, since the items mean little without it.
    """
    packed: list[str] = []
    current: list[str] = []
    size = 0
    for unit in units:
        limit = LIST_CHARS if _continues_list(current, unit) else TARGET_CHARS
        if current and size + len(unit) > limit:
            packed.append(_join(current))
            current, size = [], 0
        current.append(unit)
        size += len(unit) + 2
    if current:
        packed.append(_join(current))
    return packed


def _continues_list(current: list[str], unit: str) -> bool:
    if not unit.startswith("- "):
        return False
    intro = _intro(current)
    return intro is not None and len(intro) <= LIST_INTRO_CHARS


def _intro(current: list[str]) -> str | None:
    """The paragraph just before the list items at the end of ``current``, if there is one.

    That is the one that introduces the list, not the chunk's first paragraph.
    """
    for unit in reversed(current):
        if not unit.startswith("- "):
            return unit
    return None


def _join(units: list[str]) -> str:
    # List items and table rows keep their own lines; prose paragraphs keep a blank line.
    text = ""
    for unit in units:
        if text:
            both_lines = unit.startswith("- ") or " | " in unit
            text += "\n" if both_lines else "\n\n"
        text += unit
    return text
