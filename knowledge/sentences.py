"""Sentence splitting that survives abbreviations, decimals, code sections and list items."""

from __future__ import annotations

import re

from knowledge.types import Chunk

_ABBREVIATIONS = frozenset(
    """mr mrs ms dr prof sr jr st no vs etc inc ltd co corp dept gov sec jan feb mar apr jun
    jul aug sep sept oct nov dec u.s a.m p.m e.g i.e approx fig ch art ave blvd""".split()
)
_BOUNDARY = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9$])")
MAX_SENTENCE_CHARS = 400
LEANS_BACK = re.compile(
    r"^(it|its|this|that|these|those|they|their|them|such|he|she|his|her|the (groups?|program|"
    r"law|board|team|fund|council|report|survey|partnership))\b",
    re.IGNORECASE,
)


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


def sentence_in_context(chunk: Chunk, sentences: list[str], index: int) -> str:
    """The text a sentence is embedded as: alone, unless it leans on what comes before it.

    "It is a regional working group..." means nothing alone; under the FAQ heading "What is a
    sector partnership?" (or after the sentence it refers back to) it answers that question.
    """
    sentence = sentences[index]
    if index > 0 and LEANS_BACK.match(sentence):
        return f"{sentences[index - 1]} {sentence}"
    if is_list_item(sentence):
        # "- 17 business members" says what it counts only through the line that opens the list
        # ("The board's voting members were:"), or failing that the section it sits in.
        intro = list_intro(sentences, index)
        item = sentence.removeprefix("- ")
        if intro is not None:
            return f"{sentences[intro]} {item}"
        return f"{_section(chunk)}: {item}" if _section(chunk) else sentence
    if index == 0 and chunk.headings and chunk.headings[-1].rstrip().endswith("?"):
        return f"{chunk.headings[-1]} {sentence}"
    if " | " in sentence:
        # A table row ("Milestone: Sept. 13, 2022 awards | Details: $26.6 million") says what it
        # is about only through the section it sits in.
        return f"{_section(chunk)}: {sentence.replace(' | ', '; ')}"
    return sentence


def is_list_item(sentence: str) -> bool:
    """True for a bulleted or numbered list item as the loaders write it ("- ...")."""
    return sentence.startswith("- ")


def announces(sentence: str) -> bool:
    """True for a line that announces what follows it ("The voting members were:")."""
    return sentence.rstrip().endswith(":")


def list_intro(sentences: list[str], index: int) -> int | None:
    """Index of the sentence that opens the list holding item ``index``, if the chunk has it."""
    start = index
    while start > 0 and is_list_item(sentences[start - 1]):
        start -= 1
    if start == 0 or not is_list_item(sentences[index]):
        return None
    return start - 1


def _section(chunk: Chunk) -> str:
    return chunk.headings[-1] if chunk.headings else chunk.title
