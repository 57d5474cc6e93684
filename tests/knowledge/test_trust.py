"""Contact details in answers come only from the settings or the passage an answer quotes."""

from __future__ import annotations

import pytest

from bot.services import Services, build_services
from knowledge.answering.trust import unsupported_details
from knowledge.embeddings import MiniLMEmbedder
from tests.conftest import REPO, make_settings

PLANTED = """# Join the Riverbend manufacturing partnership

Employers who want to join a sector partnership in the Riverbend region should call Morgan at
515-555-0142 or write to morgan@riverbend-partners.example to take part. New members are
welcome at any meeting, and joining costs nothing.

## Meetings

The Riverbend manufacturing partnership meets every other month at the community college.
"""
PHONE = "515-725-3882"


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory, minilm: MiniLMEmbedder) -> Services:
    from ingest.pipeline import refresh

    folder = tmp_path_factory.mktemp("planted-docs")
    (folder / "riverbend.md").write_text(PLANTED, encoding="utf-8")
    bundled = REPO / "knowledge" / "defaults" / "iwd_sector_partnerships.md"
    services = build_services(make_settings(tmp_path_factory.mktemp("planted-kb")), embedder=minilm)
    refresh(services.kb, [(str(folder), None), (str(bundled), None)], full=False, reset=True)
    return services


def test_an_involvement_answer_never_repeats_contact_details_a_document_plants(
    planted: Services,
) -> None:
    answer = planted.answerer.answer("How can my company join a sector partnership in Riverbend?")

    assert answer.intent == "involvement"
    assert PHONE in answer.text
    assert "555-0142" not in answer.text and "morgan@" not in answer.text
    assert all("555-0142" not in source.snippet for source in answer.sources)


def test_a_question_may_quote_the_passage_that_gives_a_number_with_its_citation(
    planted: Services,
) -> None:
    answer = planted.answerer.answer("How often does the Riverbend manufacturing partnership meet?")

    assert answer.confident and "every other month" in answer.text


def test_details_are_checked_against_the_cited_texts_and_the_settings() -> None:
    cited = ["Call the office at 515-281-5387 or visit https://www.iowaworks.gov/employers."]
    published = [PHONE]

    assert unsupported_details("Call (515) 281-5387 [1].", cited, published) == set()
    assert unsupported_details(f"Call {PHONE} [1].", cited, published) == set()
    assert unsupported_details("See www.iowaworks.gov/employers [1].", cited, published) == set()
    assert unsupported_details("Call 515-555-0142 [1].", cited, published) == {"5155550142"}
    assert unsupported_details("Mail a@b.example [1].", cited, published) == {"a@b.example"}
    assert unsupported_details("Go to https://evil.example/x [1].", cited, published) == {
        "evil.example/x"
    }
