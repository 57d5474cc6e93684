"""A quoted passage says where it comes from when its own words do not."""

from __future__ import annotations

from knowledge.answering.compose import lead_in, quoted_texts
from knowledge.answering.select import Passage
from knowledge.types import Chunk

HOUSING = "This program provides tax benefits to developers who build homes."


def _passage(title: str, headings: tuple[str, ...], sentence: str, first: int = 0) -> Passage:
    chunk = Chunk("doc-0000", "doc", sentence, title, headings, None, None, None, 0)
    return Passage(chunk, first, (sentence,))


def test_a_passage_under_a_section_is_led_in_by_the_section_it_does_not_name() -> None:
    passage = _passage(
        "Incentives for Iowa Employers",
        ("Incentives for Iowa Employers", "Workforce Housing Tax Credit"),
        HOUSING,
    )

    assert quoted_texts([passage]) == [f"Workforce Housing Tax Credit — {HOUSING}"]


def test_a_section_heading_that_is_the_only_one_still_names_the_section() -> None:
    # Plain-text files give a chunk its section heading alone, without the document's.
    passage = _passage("Incentives", ("WORKFORCE HOUSING TAX CREDIT",), HOUSING)
    under_title = _passage(
        "Workforce Housing Tax Credit", ("Workforce Housing Tax Credit",), HOUSING
    )

    assert lead_in(passage) == "WORKFORCE HOUSING TAX CREDIT — "
    assert lead_in(under_title) == "Workforce Housing Tax Credit — "


def test_two_passages_of_one_section_name_it_once() -> None:
    headings = ("Incentives for Iowa Employers", "Workforce Housing Tax Credit")
    first = _passage("Incentives for Iowa Employers", headings, HOUSING)
    second = _passage("Incentives for Iowa Employers", headings, "It is awarded twice a year.", 3)

    assert quoted_texts([first, second]) == [
        f"Workforce Housing Tax Credit — {HOUSING}",
        "It is awarded twice a year.",
    ]


def test_a_page_without_sections_is_led_in_by_its_name_without_the_site() -> None:
    passage = _passage("Workforce Housing Tax Credit | Economic Development Authority", (), HOUSING)

    assert lead_in(passage) == "Workforce Housing Tax Credit — "


def test_no_lead_in_when_the_passage_names_it_already() -> None:
    named = "The Workforce Housing Tax Credit program gives developers tax benefits for housing."
    passage = _passage("Workforce Housing Tax Credit", (), named)

    assert quoted_texts([passage]) == [named]


def test_no_lead_in_from_a_cut_title_or_a_headline() -> None:
    cut = _passage("Iowa Business Sector Partnerships are regional groups designed…", (), HOUSING)
    headline = _passage(
        "State awards $29.8 million in tax credits to 49 workforce housing projects across Iowa",
        (),
        HOUSING,
    )

    assert lead_in(cut) == ""
    assert lead_in(headline) == ""
