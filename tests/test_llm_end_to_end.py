"""End to end: ``sectorbot ask --json`` through the real langchain-openai client and a local
OpenAI-compatible server (tests/fakes/openai_server.py, SSE streaming), and with it down."""

from __future__ import annotations

import json
import logging
import os
import re
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from bot.cli import cli
from tests.conftest import _SCRUBBED_PREFIXES, REPO
from tests.fakes.openai_server import FakeOpenAI, user_text

IWD_URL = "https://workforce.iowa.gov/employers/boards-and-partnerships/sector-partnerships"
QUESTION = "When did administration of the Business Sector Partnerships move to IWD?"
API_KEY = "sk-e2e-0123456789abcdefghijklmnop"
MODEL_TEXT = (
    "Administration moved from the Iowa Department of Education to Iowa Workforce Development "
    "in September 2022 [1]. It happened overnight [4]."
)


@pytest.fixture(scope="module")
def built_kb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A data dir holding the bundled IWD page, built once by ``sectorbot ingest``."""
    home = tmp_path_factory.mktemp("llm-cli")
    with pytest.MonkeyPatch.context() as patch:
        for key in list(os.environ):
            if key.startswith(_SCRUBBED_PREFIXES):
                patch.delenv(key)
        patch.chdir(home)
        result = CliRunner().invoke(
            cli,
            ["ingest", "--json"],
            env={
                "SECTORBOT_DATA_DIR": str(home / "data"),
                "SECTORBOT_CONFIG": str(REPO / "sectorbot.toml"),
            },
        )
        assert result.exit_code == 0, result.output
    yield home / "data"


def _ask(data_dir: Path, base_url: str) -> Result:
    return CliRunner().invoke(
        cli,
        ["ask", QUESTION, "--json"],
        env={
            "SECTORBOT_DATA_DIR": str(data_dir),
            "LLM_MODEL": "openai:local-test-model",
            "LLM_TIMEOUT_SECONDS": "20",
            "OPENAI_BASE_URL": base_url,
            "OPENAI_API_KEY": API_KEY,
        },
    )


def _answer(result: Result) -> dict[str, Any]:
    assert result.exit_code == 0, result.output
    [line] = [line for line in result.stdout.splitlines() if line.strip()]
    answer: dict[str, Any] = json.loads(line)
    return answer


def test_ask_json_returns_the_models_answer_with_the_retrieved_sources(built_kb: Path) -> None:
    with FakeOpenAI(lambda request: MODEL_TEXT) as server:
        result = _ask(built_kb, server.base_url)

    answer = _answer(result)
    assert answer["answer"] == (
        "Administration moved from the Iowa Department of Education to Iowa Workforce "
        "Development in September 2022 [1]. It happened overnight."
    )
    assert answer["confident"] is True and answer["intent"] == "question"
    assert [source["url"] for source in answer["sources"]] == [IWD_URL]
    assert answer["llm"] == {
        "model": "openai:local-test-model",
        "status": "generated",
        "standalone_question": None,
    }
    # The model got the retrieved passages (numbered) and the question, streamed its reply
    # over SSE, and the key went only into the Authorization header.
    [request] = server.requests
    assert request["model"] == "local-test-model" and request["stream"] is True
    prompt = user_text(request)
    assert '<passage n="1"' in prompt and "September 2022" in prompt and QUESTION in prompt
    assert server.authorizations == [f"Bearer {API_KEY}"]
    assert API_KEY not in result.output


def test_with_the_server_down_ask_still_returns_a_cited_extractive_answer(
    built_kb: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # the client libraries' own debug logs must not hold the key
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    # Nothing listens on the port now: the connection is refused.

    result = _ask(built_kb, f"http://127.0.0.1:{port}/v1")

    answer = _answer(result)
    assert answer["confident"] is True
    assert "September 2022" in answer["answer"] and "[1]" in answer["answer"]
    assert IWD_URL in [source["url"] for source in answer["sources"]]
    assert answer["llm"]["status"] == "error"
    assert "Traceback" not in result.output and API_KEY not in result.output
    assert API_KEY not in caplog.text


def test_a_server_error_also_falls_back_and_the_log_names_no_key(
    built_kb: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with FakeOpenAI(lambda request: MODEL_TEXT) as server:
        server.fail_with = 500
        result = _ask(built_kb, server.base_url)

    answer = _answer(result)
    assert answer["confident"] is True and "[1]" in answer["answer"]
    assert answer["llm"]["status"] == "error"
    assert "extractive answer stands" in caplog.text
    assert API_KEY not in caplog.text and API_KEY not in result.output


def _eval(data_dir: Path, base_url: str, questions: Path, *options: str) -> Result:
    return CliRunner().invoke(
        cli,
        ["eval", str(questions), *options],
        env={
            "SECTORBOT_DATA_DIR": str(data_dir),
            "LLM_MODEL": "openai:local-test-model",
            "OPENAI_BASE_URL": base_url,
            "OPENAI_API_KEY": API_KEY,
        },
    )


def _question_set(tmp_path: Path) -> Path:
    rows = [
        {
            "id": "q1",
            "question": QUESTION,
            "kind": "factual",
            "expected_files": ["seed"],
            "must_include": ["September 2022"],
        },
        {"id": "q2", "question": "How can my company join a sector partnership?"},
        {
            "id": "q3",
            "question": "Is it going to snow in Cedar Rapids this weekend?",
            "kind": "out_of_scope",
        },
    ]
    path = tmp_path / "questions.jsonl"
    path.write_text("\n".join(json.dumps(row) for row in rows) + "\n", "utf-8")
    return path


def test_eval_in_llm_mode_scores_the_models_answers_and_says_how_many_it_wrote(
    built_kb: Path, tmp_path: Path
) -> None:
    questions = _question_set(tmp_path)
    with FakeOpenAI(lambda request: MODEL_TEXT) as server:
        as_json = _eval(built_kb, server.base_url, questions, "--json")
        as_text = _eval(built_kb, server.base_url, questions)

    assert as_json.exit_code == 0, as_json.output
    report = json.loads(as_json.stdout)
    assert report["model"] == "openai:local-test-model"
    metrics = report["metrics"]
    # Only the factual question is the model's to answer; routing and the decline are fixed.
    assert metrics["llm_asked"] == 1 and metrics["llm_generated"] == 1.0
    assert metrics["facts"] == 1.0 and metrics["hit_at_1"] == 1.0
    assert metrics["abstention_recall"] == 1.0
    assert len(server.requests) == 2  # one answer per run
    assert as_text.exit_code == 0, as_text.output
    assert re.search(r"answers written by the model\s+openai:local-test-model", as_text.stdout)
    assert re.search(r"answered with valid citations\s+100.0%", as_text.stdout)


def test_eval_in_llm_mode_counts_fallbacks_when_the_model_fails(
    built_kb: Path, tmp_path: Path
) -> None:
    with FakeOpenAI(lambda request: MODEL_TEXT) as server:
        server.fail_with = 503
        result = _eval(built_kb, server.base_url, _question_set(tmp_path), "--json")

    metrics = json.loads(result.stdout)["metrics"]
    assert metrics["llm_fallback"] == 1.0 and metrics["llm_generated"] == 0.0
    assert metrics["facts"] == 1.0  # the extractive answer still holds the fact
