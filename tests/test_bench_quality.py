"""The quality benchmark's tutorial recipe: load, split, retrieve, scored as the bot is."""

from __future__ import annotations

import sys
from pathlib import Path

from knowledge.embeddings import make_embedder
from tests.conftest import REPO

# The bench scripts import each other as top-level modules (``from _machine import ...``).
sys.path.insert(0, str(REPO / "bench"))

import quality  # noqa: E402
from _recipe import build_recipe  # noqa: E402
from _scores import Question, measures, outcome  # noqa: E402

APPRENTICESHIP = (
    " ".join(
        f"Paragraph {n}: registered apprenticeship combines paid work with classroom learning."
        for n in range(30)
    )
    + " Iowa had 957 active registered apprenticeship programs in Federal Fiscal Year 2023."
)
QUESTIONS = [
    Question(
        qid="q1",
        kind="factual",
        question="How many registered apprenticeship programs were active in Iowa in 2023?",
        expected=["apprenticeship.txt"],
        must_include=["957"],
    ),
    Question(
        qid="q2",
        kind="factual",
        question="What is a sector partnership?",
        expected=["seed"],
        must_include=["community colleges"],
    ),
    Question(
        qid="q3",
        kind="out_of_scope",
        question="What is the capital of France?",
        expected=[],
        must_include=[],
    ),
]


def _documents(root: Path) -> tuple[Path, Path]:
    seed = root / "seed"
    corpus = root / "corpus"
    seed.mkdir()
    corpus.mkdir()
    (seed / "partnerships.md").write_text(
        "# Sector partnerships\n\nA sector partnership brings employers of one industry "
        "together with community colleges in a region.\n",
        encoding="utf-8",
    )
    (corpus / "apprenticeship.txt").write_text(APPRENTICESHIP, encoding="utf-8")
    (corpus / "table.csv").write_text("a,b\n1,2\n", encoding="utf-8")  # no loader: skipped
    return seed, corpus


def test_recipe_cites_the_right_documents_first_and_never_declines_or_routes(
    tmp_path: Path,
) -> None:
    index = build_recipe(_documents(tmp_path), make_embedder("minilm"))
    try:
        cases, scored_by = quality.score_recipe(index.answer, QUESTIONS)
    finally:
        index.close()

    assert scored_by == "knowledge.evaluation.Case"
    assert (index.documents, index.skipped_files) == (2, 1)
    assert index.chunks > 3  # the long document was split (1,000 characters, 200 overlap)
    assert [case.rank() for case in cases[:2]] == [1, 1]
    paths = [source.path for source in cases[0].answer.sources]
    assert len(paths) == len(set(paths)) == 2  # four chunks, two documents, each cited once
    figures = measures([outcome(q, c) for q, c in zip(QUESTIONS, cases, strict=True)])
    assert figures["hit_at_1"] == 1.0
    assert figures["facts"] == 1.0
    assert figures["out_of_scope_declined"] == 0.0
    assert figures["routing_recall"] is None  # no involvement question in this set
