"""The scale benchmark keeps running: a tiny version grown and answered in both Chroma modes."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import CORPUS, REPO


def test_scale_benchmark_grows_a_version_and_answers_from_it_embedded_and_via_a_server(
    tmp_path: Path,
) -> None:
    # Two short documents keep the real-model build to a second or two.
    seed = tmp_path / "seed"
    corpus = tmp_path / "corpus"
    seed.mkdir()
    corpus.mkdir()
    shutil.copy(CORPUS / "qa_2016_sector_partnerships.txt", seed)
    shutil.copy(CORPUS / "pathway_navigators_explainer.md", corpus)
    questions = tmp_path / "questions.jsonl"
    asked = ["Who do navigators serve?", "What is a partnership for?", "How is the money shared?"]
    questions.write_text("".join(json.dumps({"question": q}) + "\n" for q in asked))
    command = [sys.executable, str(REPO / "bench" / "scale.py"), "--sizes", "60", "--json"]
    command += ["--seed", str(seed), "--corpus", str(corpus), "--questions", str(questions)]
    command += ["--modes", "embedded,server", "--max-questions", "3", "--rounds", "1"]

    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=120)

    assert done.returncode == 0, done.stderr
    grown = json.loads(done.stdout)["60 chunks"]
    assert grown["chunks"] == 60
    assert grown["synthetic_chunks"] > 0
    assert grown["sentence_items"] > grown["chunks"]
    for mode in ("embedded", "server"):
        assert grown[f"{mode}_chunks"] == 60
        assert grown[f"{mode}_samples"] == 3
    assert grown["server_chroma_rss_mb"] > 0
