from pathlib import Path

from ingest.loaders import load_file
from ingest.split import Section, split_sections

CORPUS = Path(__file__).resolve().parents[1] / "data" / "corpus"


def test_headings_form_a_path():
    text = "# Guide\n\nIntro.\n\n## Joining\n\n### Call\n\nCall IWD.\n\n### Meet\n\nMeet employers."

    assert split_sections(text) == [
        Section(("Guide",), "Intro."),
        Section(("Guide", "Joining", "Call"), "Call IWD."),
        Section(("Guide", "Joining", "Meet"), "Meet employers."),
    ]


def test_new_h2_resets_deeper_levels():
    text = "# Guide\n## A\n### A1\nOne.\n## B\nTwo."

    assert [section.headings for section in split_sections(text)] == [
        ("Guide", "A", "A1"),
        ("Guide", "B"),
    ]


def test_text_before_the_first_heading_has_an_empty_path():
    sections = split_sections("Preamble line.\n\n# Title\n\nBody.")

    assert sections[0] == Section((), "Preamble line.")
    assert sections[1] == Section(("Title",), "Body.")


def test_empty_sections_are_dropped():
    assert split_sections("# Title\n\n## Empty\n\n\n## Full\n\nText.") == [
        Section(("Title", "Full"), "Text.")
    ]
    assert split_sections("") == []


def test_paragraph_breaks_are_kept_and_blank_runs_collapsed():
    sections = split_sections("# T\n\nFirst paragraph.\n\n\n\nSecond one.\n- item\n- item two")

    assert sections == [Section(("T",), "First paragraph.\n\nSecond one.\n- item\n- item two")]


def test_hashes_without_a_space_are_not_headings():
    sections = split_sections("# T\n#hashtag and #2 stay text")

    assert sections == [Section(("T",), "#hashtag and #2 stay text")]


def test_skipped_levels_still_nest_under_the_last_heading():
    sections = split_sections("# FAQ\n### Question?\nAnswer.\n## Sources\n- link")

    assert [section.headings for section in sections] == [
        ("FAQ", "Question?"),
        ("FAQ", "Sources"),
    ]


def test_faq_page_splits_into_one_section_per_question():
    document = load_file(CORPUS / "sector_partnerships_faq.html")

    sections = split_sections(document.text)

    title = "Business Sector Partnerships: Frequently Asked Questions"
    who_runs = [s for s in sections if s.headings == (title, "Who runs the program today?")]
    assert len(who_runs) == 1
    assert "September 2022" in who_runs[0].text
    assert sections[0].headings == (title,)
    assert sections[0].text.startswith("Last reviewed: February 2025")
    assert len(sections) == 12  # the opening, ten questions, the related pages
