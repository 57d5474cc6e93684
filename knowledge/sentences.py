"""Sentence splitting that survives abbreviations, decimals, code sections and list items."""

from __future__ import annotations

import re

_ABBREVIATIONS = frozenset(
    """mr mrs ms dr prof sr jr st no vs etc inc ltd co corp dept gov sec jan feb mar apr jun
    jul aug sep sept oct nov dec u.s a.m p.m e.g i.e approx fig ch art ave blvd""".split()
)
_BOUNDARY = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9$])")
MAX_SENTENCE_CHARS = 400


def split_sentences(text: str) -> list[str]:
    """Split text into sentences; list items, table rows and lines stay whole sentences."""
    sentences: list[str] = []
    for block in re.split(r"\n+", text):
        block = block.strip()
        if not block or block.startswith("#"):
            continue
        sentences.extend(_split_block(block))
    return [s for s in sentences if len(s) > 2]


def _split_block(block: str) -> list[str]:
    pieces: list[str] = []
    start = 0
    for match in _BOUNDARY.finditer(block):
        candidate = block[start : match.start()].strip()
        last_word = candidate.rsplit(" ", 1)[-1].rstrip(".").lower()
        # "U.S." or "Dr." or a lone initial ("J.") end in a period without ending the sentence.
        if last_word in _ABBREVIATIONS or (len(last_word) == 1 and last_word.isalpha()):
            continue
        pieces.append(candidate)
        start = match.end()
    pieces.append(block[start:].strip())
    return [piece for sentence in pieces for piece in _cap_length(sentence)]


def _cap_length(sentence: str) -> list[str]:
    if len(sentence) <= MAX_SENTENCE_CHARS:
        return [sentence] if sentence else []
    # Very long "sentences" are usually run-on lists; cut them at semicolons, then by words.
    parts = [part.strip() for part in re.split(r"(?<=;)\s+", sentence) if part.strip()]
    out: list[str] = []
    for part in parts:
        while len(part) > MAX_SENTENCE_CHARS:
            cut = part.rfind(" ", 0, MAX_SENTENCE_CHARS)
            cut = cut if cut > 0 else MAX_SENTENCE_CHARS
            out.append(part[:cut].strip())
            part = part[cut:].strip()
        if part:
            out.append(part)
    return out
