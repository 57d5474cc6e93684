"""A "what is X" question leads with the sentence that says what X is."""

from __future__ import annotations

from pathlib import Path

from bot.services import build_services
from ingest.pipeline import refresh
from knowledge.embeddings import MiniLMEmbedder
from tests.conftest import REPO, make_settings

BUNDLED_PAGE = REPO / "knowledge" / "defaults" / "iwd_sector_partnerships.md"


def test_the_defining_sentence_comes_first(tmp_path: Path, minilm: MiniLMEmbedder) -> None:
    # The page also says what the partnerships' goal is and what their members have done;
    # asked what they are, the answer starts with the sentence that says so.
    services = build_services(make_settings(tmp_path / "kb"), embedder=minilm)
    refresh(services.kb, [(str(BUNDLED_PAGE), None)], full=False, reset=True)

    for question in ("What are sector partnerships?", "what is a sector partnership"):
        answer = services.answerer.answer(question)
        assert answer.confident
        assert answer.text.startswith("Iowa Business Sector Partnerships are regional groups")
    services.close()
