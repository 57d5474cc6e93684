"""Check a generated answer's [n] markers against the passages the model was given."""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

# "[1]", "[1, 3]", "[1][2]" and "[1-2]" (a range) are all read; anything else in brackets is text.
_MARKER = re.compile(r"\s*\[(\d+(?:\s*(?:,|-|–)\s*\d+)*)\]")
_SPACE_BEFORE_PUNCTUATION = re.compile(r"\s+([.,;:!?])")


@dataclass(frozen=True)
class CheckedText:
    """The answer with only valid markers left, and the passage numbers it cites, in order."""

    text: str
    cited: tuple[int, ...]


def check_citations(text: str, valid: Collection[int]) -> CheckedText:
    """Drop markers that point at no passage; list the passages the rest cite (first use first).

    A marker naming several passages keeps the valid ones, each in its own brackets.
    """
    cited: list[int] = []

    def keep(match: re.Match[str]) -> str:
        numbers = [n for n in _numbers(match.group(1)) if n in valid]
        for n in numbers:
            if n not in cited:
                cited.append(n)
        if not numbers:
            return ""
        # Keep the spacing the model used ("fact [1][2]" stays, "fact[1]" stays).
        space = " " if match.group(0)[:1].isspace() else ""
        return space + "".join(f"[{n}]" for n in dict.fromkeys(numbers))

    checked = _MARKER.sub(keep, text.strip())
    checked = _SPACE_BEFORE_PUNCTUATION.sub(r"\1", checked)
    checked = re.sub(r"[ \t]{2,}", " ", checked).strip()
    return CheckedText(checked, tuple(cited))


def renumber(text: str, numbers: dict[int, int]) -> str:
    """Replace each valid ``[n]`` by ``[numbers[n]]`` (markers were checked already)."""
    return re.sub(r"\[(\d+)\]", lambda m: f"[{numbers[int(m.group(1))]}]", text)


def _numbers(spec: str) -> list[int]:
    found: list[int] = []
    for part in re.split(r"\s*,\s*", spec):
        bounds = re.split(r"\s*[-–]\s*", part)
        if len(bounds) == 2 and int(bounds[0]) <= int(bounds[1]) <= int(bounds[0]) + 10:
            found.extend(range(int(bounds[0]), int(bounds[1]) + 1))
        else:
            found.extend(int(b) for b in bounds)
    return found
