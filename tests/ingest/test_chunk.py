"""Chunking: sections become chunks of whole paragraphs, sentences or lines, headings kept."""

from __future__ import annotations

from ingest.chunk import TARGET_CHARS, TextChunk, chunk_sections
from ingest.split import Section, split_sections


def _sentence(number: int) -> str:
    return f"Sentence number {number} explains how employers in the region share training plans."


def test_a_short_section_is_one_chunk_with_its_headings() -> None:
    section = Section(("Guide", "Joining"), "Call IWD.\n\nMeet the employers.")

    assert chunk_sections([section]) == [
        TextChunk(("Guide", "Joining"), "Call IWD.\n\nMeet the employers.")
    ]


def test_every_chunk_keeps_the_headings_of_its_own_section() -> None:
    text = "# Guide\n\nIntro.\n\n## Joining\n\nCall IWD.\n\n## Starting\n\n" + "\n\n".join(
        _sentence(n) for n in range(20)
    )

    chunks = chunk_sections(split_sections(text))

    assert chunks[0] == TextChunk(("Guide",), "Intro.")
    assert chunks[1] == TextChunk(("Guide", "Joining"), "Call IWD.")
    assert len(chunks) > 3
    assert all(chunk.headings == ("Guide", "Starting") for chunk in chunks[2:])


def test_paragraphs_are_packed_up_to_the_target_size_and_never_split() -> None:
    paragraphs = [_sentence(n) for n in range(40)]

    chunks = chunk_sections([Section(("Guide",), "\n\n".join(paragraphs))])

    assert len(chunks) > 1
    assert all(len(chunk.text) <= TARGET_CHARS for chunk in chunks)
    assert [p for chunk in chunks for p in chunk.text.split("\n\n")] == paragraphs
    # Packing is greedy: each chunk but the last would overflow with the next paragraph.
    for chunk in chunks[:-1]:
        assert len(chunk.text) + 2 + len(paragraphs[0]) > TARGET_CHARS


def test_a_single_paragraph_longer_than_the_target_is_cut_between_sentences() -> None:
    paragraph = " ".join(_sentence(n) for n in range(25))
    assert len(paragraph) > TARGET_CHARS

    chunks = chunk_sections([Section(("Guide",), paragraph)])

    assert len(chunks) > 1
    assert all(len(chunk.text) <= TARGET_CHARS for chunk in chunks)
    assert all(chunk.text.endswith("training plans.") for chunk in chunks)
    rejoined = " ".join(chunk.text.replace("\n\n", " ") for chunk in chunks)
    assert rejoined == paragraph


def test_a_long_list_is_cut_between_items_and_keeps_one_item_per_line() -> None:
    items = [
        f"- Item {n}: a partnership in the health care sector of region {n}" for n in range(30)
    ]
    assert len("\n".join(items)) > TARGET_CHARS

    chunks = chunk_sections([Section(("Directory",), "\n".join(items))])

    assert len(chunks) > 1
    assert all(len(chunk.text) <= TARGET_CHARS for chunk in chunks)
    assert [line for chunk in chunks for line in chunk.text.split("\n")] == items


def test_table_rows_keep_their_own_lines() -> None:
    rows = [f"Region {n} | Advanced manufacturing | Contact {n}" for n in range(30)]
    assert len("\n".join(rows)) > TARGET_CHARS

    chunks = chunk_sections([Section(("Table",), "\n".join(rows))])

    assert len(chunks) > 1
    assert [line for chunk in chunks for line in chunk.text.split("\n")] == rows


def test_a_short_list_stays_in_one_chunk_with_one_item_per_line() -> None:
    text = "Partners include:\n\n- community colleges\n- workforce boards\n- chambers"

    chunks = chunk_sections([Section(("Partners",), text)])

    assert len(chunks) == 1
    lines = [line for line in chunks[0].text.split("\n") if line]
    assert lines == [
        "Partners include:",
        "- community colleges",
        "- workforce boards",
        "- chambers",
    ]


def test_no_sections_give_no_chunks() -> None:
    assert chunk_sections([]) == []


def test_a_list_stays_with_the_line_that_introduces_it_after_a_long_paragraph() -> None:
    opening = " ".join(_sentence(n) for n in range(6))
    items = "\n".join(f"- {n} members from group {n}" for n in range(2, 12))
    text = f"{opening}\n\nUnder the law, the voting members were:\n\n{items}"

    chunks = chunk_sections([Section(("Board",), text)])

    holding = [c.text for c in chunks if "- 2 members" in c.text]
    assert holding and "the voting members were:" in holding[0]
