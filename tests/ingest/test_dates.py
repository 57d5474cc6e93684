import datetime as dt
from pathlib import Path

import pytest

from ingest.dates import find_document_date, parse_date_hint
from ingest.loaders import load_file

CORPUS = Path(__file__).resolve().parents[1] / "data" / "corpus"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Last reviewed: February 2025", dt.date(2025, 2, 1)),
        ("Last updated March 3, 2024", dt.date(2024, 3, 3)),
        ("Published August 22, 2016", dt.date(2016, 8, 22)),
        ("Dated 2023-07-01", dt.date(2023, 7, 1)),
        ("Date: 12/05/2022", dt.date(2022, 12, 5)),
        ("Updated: 2024-01-15", dt.date(2024, 1, 15)),
        ("Page last updated on 3 March 2024", dt.date(2024, 3, 3)),
        ("Published: Sept. 13, 2022", dt.date(2022, 9, 13)),
        ("Intro.\n  Effective date: 2023-07-01", dt.date(2023, 7, 1)),
        ("As of March 2024, the rule applies.", dt.date(2024, 3, 1)),
        (
            "Summary of a DE article published August 22, 2016. Historical item.",
            dt.date(2016, 8, 22),
        ),
        (
            "_Summary compiled for the knowledge base, last reviewed January 2025._",
            dt.date(2025, 1, 1),
        ),
    ],
)
def test_stated_document_dates_are_found(text, expected):
    assert find_document_date(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "In September 2022, administration moved to IWD.",
        "The state plan was revised in August 2021.",
        "The page says the program moved to IWD as of September 19, 2022.",
        "It gives the effective date as September 19, 2022.",
        "Mason City Junior College dated from 1918.",
        "Updated: 2024-02-31",
    ],
)
def test_dates_that_are_only_content_are_ignored(text):
    assert find_document_date(text) is None


def test_statements_deep_in_the_body_are_ignored():
    filler = "Partnerships bring employers together. " * 60
    text = filler + "Last updated March 3, 2024. " + filler

    assert find_document_date(text) is None


def test_statement_at_the_end_counts():
    text = "Partnerships bring employers together. " * 100 + "\nLast updated: 2024-05-02"

    assert find_document_date(text) == dt.date(2024, 5, 2)


def test_most_recent_statement_wins():
    text = "Published August 22, 2016\n\nLast reviewed: February 2025\n"

    assert find_document_date(text) == dt.date(2025, 2, 1)


def test_meta_hint_counts_as_a_statement():
    assert find_document_date("No date here.", hint="2024-01-15T10:00:00Z") == dt.date(2024, 1, 15)
    assert find_document_date("Last reviewed: February 2025", hint="2023-01-01") == dt.date(
        2025, 2, 1
    )


@pytest.mark.parametrize(
    ("hint", "expected"),
    [
        ("2024-01-15", dt.date(2024, 1, 15)),
        ("2024-01-15T10:00:00+02:00", dt.date(2024, 1, 15)),
        ("Tue, 15 Nov 1994 08:12:31 GMT", dt.date(1994, 11, 15)),
        ("March 3, 2024", dt.date(2024, 3, 3)),
        ("not a date", None),
        ("", None),
    ],
)
def test_date_hints_are_parsed(hint, expected):
    assert parse_date_hint(hint) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("sector_partnerships_faq.html", dt.date(2025, 2, 1)),
        ("regional_partnerships_directory.html", dt.date(2025, 1, 1)),
        ("qa_2016_sector_partnerships.txt", dt.date(2016, 8, 22)),
        ("business_services_hiring_credits.md", dt.date(2024, 9, 12)),
        ("transition_to_iwd_briefing.txt", None),
        ("doe_sector_partnerships_archived.html", dt.date(2019, 3, 1)),
    ],
)
def test_corpus_documents_get_the_date_they_state(name, expected):
    assert load_file(CORPUS / name).date == expected
