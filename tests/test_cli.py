"""The ``sectorbot`` command line, through click's CliRunner, as DESIGN.md's contract states it.

The CLI builds its own MiniLM model (as it does in real use). The ask and eval tests share one
data dir, built from the bundled IWD page by the first ``ask`` of the module.
"""

from __future__ import annotations

import gc
import getpass
import json
import os
import pwd
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from bot.cli import cli, cli_user
from bot.progress import TerminalProgress
from tests.conftest import _SCRUBBED_PREFIXES, CORPUS, DATA, REPO

IWD_URL = "https://workforce.iowa.gov/employers/boards-and-partnerships/sector-partnerships"
INVOLVEMENT_QUESTION = "How can my company join a sector partnership?"
OUT_OF_SCOPE_QUESTION = "Is it going to snow in Cedar Rapids this weekend?"
ANSWER_FIELDS = {"question", "answer", "sources", "confident", "intent", "handoff", "timings_ms"}
SOURCE_FIELDS = {"n", "title", "url", "path", "score", "snippet"}
HANDOFF_FIELDS = {"name", "title", "phone", "email", "slack_user_id"}
SUMMARY_FIELDS = {"added", "updated", "unchanged", "removed", "failed", "chunks", "seconds"}
PROGRESS_LABELS = ("Reading documents", "Indexing documents")


def _run(args: list[str], stdin: str | None = None, **environ: str) -> Result:
    return CliRunner().invoke(cli, args, input=stdin, env=environ or None)


def _json_lines(result: Result) -> list[dict[str, Any]]:
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


@pytest.fixture(scope="module")
def first_ask(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Result]]:
    """One ``ask --json`` on an empty data dir; the dir it built is reused by later tests."""
    home = tmp_path_factory.mktemp("cli")
    data_dir = home / "data"
    # Module fixtures run before the autouse one, so scrub the environment here too.
    with pytest.MonkeyPatch.context() as patch:
        for key in list(os.environ):
            if key.startswith(_SCRUBBED_PREFIXES) or key == "LOG_LEVEL":
                patch.delenv(key)
        patch.chdir(home)
        env = {
            "SECTORBOT_DATA_DIR": str(data_dir),
            "SECTORBOT_CONFIG": str(REPO / "sectorbot.toml"),
        }
        result = _run(["ask", INVOLVEMENT_QUESTION, "--json"], **env)
    yield data_dir, result


@pytest.fixture
def kb_dir(first_ask: tuple[Path, Result], monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the CLI at the data dir the first ask built."""
    data_dir, _result = first_ask
    monkeypatch.setenv("SECTORBOT_DATA_DIR", str(data_dir))
    return data_dir


def test_ask_on_an_empty_data_dir_builds_the_bundled_page_and_routes_to_the_contact(
    first_ask: tuple[Path, Result],
) -> None:
    data_dir, result = first_ask

    assert result.exit_code == 0, result.output
    [answer] = _json_lines(result)
    assert set(answer) == ANSWER_FIELDS
    assert answer["question"] == INVOLVEMENT_QUESTION
    assert answer["intent"] == "involvement"
    assert answer["handoff"]["name"] == "Kathy Leggett"
    assert answer["handoff"]["phone"] == "515-725-3882"
    assert answer["handoff"]["email"] is None
    assert set(answer["handoff"]) == HANDOFF_FIELDS
    assert "515-725-3882" in answer["answer"]
    assert IWD_URL in [source["url"] for source in answer["sources"]]
    assert (data_dir / "sectorbot.db").is_file()


def test_ask_json_has_exactly_the_contract_fields(first_ask: tuple[Path, Result]) -> None:
    [answer] = _json_lines(first_ask[1])

    assert isinstance(answer["answer"], str) and "[1]" in answer["answer"]
    assert isinstance(answer["confident"], bool)
    assert 1 <= len(answer["sources"]) <= 5
    for number, source in enumerate(answer["sources"], start=1):
        assert set(source) >= SOURCE_FIELDS
        assert source["n"] == number
        assert isinstance(source["score"], float)
        assert isinstance(source["snippet"], str) and source["snippet"]
    iwd = next(source for source in answer["sources"] if source["url"] == IWD_URL)
    assert iwd["path"].endswith("iwd_sector_partnerships.md")
    assert set(answer["timings_ms"]) == {"retrieve", "answer", "total"}
    assert all(value >= 0 for value in answer["timings_ms"].values())


def test_ask_reads_one_question_per_line_of_stdin_and_answers_in_order(kb_dir: Path) -> None:
    questions = [
        "What is an Iowa Business Sector Partnership?",
        OUT_OF_SCOPE_QUESTION,
        "When did administration of the partnerships move to Iowa Workforce Development?",
    ]

    result = _run(["ask", "-", "--json"], stdin="\n".join(questions) + "\n")

    assert result.exit_code == 0, result.output
    answers = _json_lines(result)
    assert [answer["question"] for answer in answers] == questions
    assert all(set(answer) == ANSWER_FIELDS for answer in answers)
    assert answers[0]["confident"]
    assert "September 2022" in answers[2]["answer"]


def test_answers_read_from_stdin_as_text_each_stand_under_their_question(kb_dir: Path) -> None:
    questions = ["What is an Iowa Business Sector Partnership?", OUT_OF_SCOPE_QUESTION]

    result = _run(["ask", "-"], stdin="\n".join(questions) + "\n")

    assert result.exit_code == 0, result.output
    first, second = result.output.split(f"> {OUT_OF_SCOPE_QUESTION}\n")
    assert first.startswith(f"> {questions[0]}\n") and first.endswith("\n\n")
    assert "Sources:" in first and "Sources:" not in second


def test_a_question_over_the_length_limit_is_refused_as_in_chat_and_slack(kb_dir: Path) -> None:
    marker = "ECHO-MARK-" + "x" * 90
    long_question = "How do I join a sector partnership? " * 60 + marker

    alone = _run(["ask", long_question])
    piped = _run(["ask", "-"], stdin=f"What is a sector partnership?\n{long_question}\n")

    assert alone.exit_code == piped.exit_code == 0, alone.output
    refusal = f"That message is {len(long_question):,} characters long"
    assert refusal in alone.stdout and refusal in piped.stdout
    assert "Kathy Leggett" not in alone.stdout  # not answered (nor routed) at all
    assert marker not in alone.stdout + piped.stdout  # nothing of it echoed past its start
    assert piped.stdout.count("\n> ") + piped.stdout.startswith("> ") == 2


def test_an_out_of_scope_question_is_not_answered_confidently(kb_dir: Path) -> None:
    result = _run(["ask", OUT_OF_SCOPE_QUESTION, "--json"])

    assert result.exit_code == 0, result.output
    [answer] = _json_lines(result)
    assert answer["confident"] is False
    assert answer["sources"] == []
    assert answer["intent"] == "question"


# What a plain `ask` on a built knowledge base has no use for: the Slack app, the refresh and
# its loaders and fetcher, LangChain. Each is loaded only by the command that needs it.
NOT_FOR_ASK = (
    "slack_bolt",
    "slack_sdk",
    "bot.answering",
    "bot.refreshing",
    "ingest.loaders",
    "ingest.fetch",
    "langchain_core",
    # Embedded Chroma is read through its compiled engine, and BM25 scored with numpy: the
    # chromadb package and bm25s's scipy took 1.2 s of a cold ask.
    "chromadb",
    "bm25s",
    "scipy",
    # The intent model's word weights were fitted with scikit-learn; the bot reads them as data.
    "sklearn",
)


def test_ask_loads_neither_the_slack_app_nor_the_refresh_code(kb_dir: Path) -> None:
    probe = (
        "import sys\n"
        "from bot.cli import cli\n"
        "try:\n"
        "    cli(['ask', sys.argv[1], '--json'])\n"
        "except SystemExit as stop:\n"
        "    assert not stop.code, stop.code\n"
        f"print(sorted(m for m in {NOT_FOR_ASK!r} if m in sys.modules))\n"
    )
    environment = dict(os.environ, SECTORBOT_CONFIG=str(REPO / "sectorbot.toml"))

    run = subprocess.run(
        [sys.executable, "-c", probe, INVOLVEMENT_QUESTION],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=environment,
        check=False,
    )

    assert run.returncode == 0, run.stderr
    *answers, loaded = run.stdout.strip().splitlines()
    assert json.loads(answers[-1])["intent"] == "involvement"
    assert loaded == "[]"


def test_ask_without_json_prints_the_answer_and_its_sources(kb_dir: Path) -> None:
    result = _run(["ask", "What is an Iowa Business Sector Partnership?"])

    assert result.exit_code == 0, result.output
    assert "Sources:" in result.stdout
    assert IWD_URL in result.stdout
    # One question from the command line is not echoed back: only questions read from stdin are.
    assert not any(line.startswith(">") for line in result.stdout.splitlines())


def test_a_question_typed_without_quotes_is_answered_as_the_quoted_one(kb_dir: Path) -> None:
    quoted = _run(["ask", "what are sector partnerships", "--json"])
    unquoted = _run(["ask", "what", "are", "sector", "partnerships", "--json"])

    assert unquoted.exit_code == 0, unquoted.output
    answer = json.loads(unquoted.stdout)
    assert answer["question"] == "what are sector partnerships"
    assert answer["answer"] == json.loads(quoted.stdout)["answer"]


def test_what_a_sector_partnership_is_is_answered_with_the_pages_own_definition(
    kb_dir: Path,
) -> None:
    # The README's first exchange, on the bundled page alone: its goals, then its definition.
    result = _run(["ask", "What are sector partnerships?"])

    assert result.exit_code == 0
    assert "The goal of Sector Partnerships" in result.output
    assert "regional groups designed to pull community and business leaders" in result.output


def test_a_follow_up_the_page_says_nothing_new_about_is_declined_not_echoed(
    kb_dir: Path,
) -> None:
    # The page says what partnerships are, and nothing of when they began.
    lines = ["What are sector partnerships?", "and when did that start?", "who runs them now?"]
    result = _run(["chat"], stdin="".join(f"{line}\n" for line in lines))

    assert result.exit_code == 0, result.output
    first, rest = result.stdout.split("> and when did that start?\n")
    follow_up, third = rest.split("> who runs them now?\n")
    assert "The goal of Sector Partnerships" in first
    assert "The goal of Sector Partnerships" not in follow_up
    assert "nothing more on that than my last answer" in follow_up
    # The third leans on the first question, the last one answered, not on the declined second.
    assert "September 2022" in third and "Iowa Workforce Development" in third


def test_eval_prints_the_metrics_of_a_question_set(kb_dir: Path, tmp_path: Path) -> None:
    questions = tmp_path / "questions.jsonl"
    rows = [
        {
            "id": "q1",
            "question": "When did administration of the Sector Partnerships move to IWD?",
            "kind": "factual",
            "expected_files": ["seed"],
            "must_include": ["September 2022"],
        },
        {"id": "q2", "question": INVOLVEMENT_QUESTION, "kind": "involvement"},
        {"id": "q3", "question": OUT_OF_SCOPE_QUESTION, "kind": "out_of_scope"},
    ]
    questions.write_text("\n".join(json.dumps(row) for row in rows) + "\n", "utf-8")

    result = _run(["eval", str(questions), "--json"])

    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    metrics = report["metrics"]
    assert {
        "questions",
        "hit_at_1",
        "hit_at_5",
        "mrr",
        "facts",
        "abstention_precision",
        "abstention_recall",
        "routing_precision",
        "routing_recall",
        "latency_p50_ms",
        "latency_p95_ms",
    } <= set(metrics)
    assert metrics["questions"] == 3
    assert metrics["hit_at_1"] == 1.0
    assert metrics["routing_recall"] == 1.0
    assert metrics["abstention_recall"] == 1.0


def test_the_example_question_set_scores_fully_on_the_bundled_page(kb_dir: Path) -> None:
    result = _run(["eval", str(REPO / "examples" / "questions.jsonl"), "--json"])

    assert result.exit_code == 0, result.output
    metrics = json.loads(result.stdout)["metrics"]
    assert metrics["questions"] == 8
    for measure in ("hit_at_1", "facts", "abstention_recall", "routing_recall"):
        assert metrics[measure] == 1.0, measure
    assert metrics["answerable_declined"] == 0.0 and metrics["false_routes"] == 0.0


def test_eval_says_n_a_for_what_a_question_set_cannot_measure(kb_dir: Path, tmp_path: Path) -> None:
    questions = tmp_path / "questions.jsonl"
    row = {"question": "What is an Iowa Business Sector Partnership?", "expected_files": ["seed"]}
    questions.write_text(json.dumps(row) + "\n", "utf-8")

    text = _run(["eval", str(questions)])
    metrics = json.loads(_run(["eval", str(questions), "--json"]).stdout)["metrics"]

    assert text.exit_code == 0, text.output
    assert metrics["hit_at_1"] == 1.0
    for unmeasured in ("facts", "abstention_recall", "abstention_precision", "routing_recall"):
        assert metrics[unmeasured] is None, unmeasured
    shown = dict(line.rsplit(None, 1) for line in text.stdout.splitlines()[:13] if line.strip())
    assert shown["abstention recall (out of scope declined)"] == "n/a"
    assert shown["answers holding every required fact"] == "n/a"
    assert shown["retrieval hit@1 (right document first)"] == "100.0%"


@pytest.mark.parametrize(
    ("line", "complaint"),
    [
        ('{"question": "What is IWD?", "kind": "factoid"}', "\"kind\" is 'factoid'"),
        ('{"question": "What is IWD?", "expected_files": "faq.md"}', '"expected_files" must be'),
        ('{"question": "What is IWD?", "must_include": [1]}', '"must_include" must be'),
    ],
)
def test_eval_names_a_line_whose_fields_are_of_the_wrong_kind(
    kb_dir: Path, tmp_path: Path, line: str, complaint: str
) -> None:
    questions = tmp_path / "questions.jsonl"
    questions.write_text('{"question": "What is a sector partnership?"}\n' + line + "\n")

    result = _run(["eval", str(questions)])

    assert result.exit_code == 1
    assert f"{questions}:2" in result.stderr and complaint in result.stderr


def test_eval_names_a_malformed_line(kb_dir: Path, tmp_path: Path) -> None:
    questions = tmp_path / "questions.jsonl"
    questions.write_text('{"question": "What is a sector partnership?"}\n{"question": oops}\n')

    result = _run(["eval", str(questions), "--json"])

    assert result.exit_code == 1
    assert f"{questions}:2" in result.stderr
    assert "Traceback" not in result.output
    assert result.stdout == ""


def test_ingest_json_prints_one_summary_object_and_no_progress(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    shutil.copyfile(CORPUS / "pathway_navigators_explainer.md", docs / "navigators.md")
    shutil.copyfile(DATA / "front_matter.md", docs / "guide.md")
    shutil.copyfile(DATA / "broken.pdf", docs / "broken.pdf")

    result = _run(["ingest", str(docs), "--json"])

    assert result.exit_code == 0, result.output
    [summary] = _json_lines(result)
    assert set(summary) >= SUMMARY_FIELDS
    assert (summary["added"], summary["failed"], summary["removed"]) == (2, 1, 0)
    assert summary["chunks"] > 0
    assert "broken.pdf" in summary["failures"][0]["source"]
    assert not any(label in result.output for label in PROGRESS_LABELS)


def test_ingest_prints_a_text_summary_and_no_progress_bar_when_piped(tmp_path: Path) -> None:
    guide = tmp_path / "guide.md"
    shutil.copyfile(DATA / "front_matter.md", guide)

    result = _run(["ingest", str(guide), str(DATA / "unknown.xyz")])

    assert result.exit_code == 0, result.output
    assert "1 added" in result.stdout
    assert "1 failed" in result.stdout
    assert "unknown.xyz: unsupported file type .xyz" in result.stdout
    assert not any(label in result.output for label in PROGRESS_LABELS)
    assert "\r" not in result.output

    again = _run(["ingest", str(guide), "--json"])

    assert again.exit_code == 0, again.output
    [summary] = _json_lines(again)
    assert (summary["added"], summary["unchanged"], summary["embedded"]) == (0, 1, 0)


def test_a_first_ingest_of_ones_own_documents_says_the_bundled_page_is_not_indexed(
    tmp_path: Path,
) -> None:
    guide = tmp_path / "guide.md"
    shutil.copyfile(DATA / "front_matter.md", guide)

    first = _run(["ingest", str(guide)])
    again = _run(["ingest", str(guide)])
    reset = _run(["ingest", "--reset", str(guide)])

    assert first.exit_code == again.exit_code == reset.exit_code == 0, first.output
    assert "`sectorbot refresh` adds them" in first.stderr
    assert "sectorbot refresh" not in again.stderr + reset.stderr


def test_ingest_exits_1_when_nothing_could_be_indexed(tmp_path: Path) -> None:
    docs = tmp_path / "bad"
    docs.mkdir()
    for name in ("broken.pdf", "binary.txt", "unknown.xyz"):
        shutil.copyfile(DATA / name, docs / name)

    result = _run(["ingest", str(docs), "--json"])

    assert result.exit_code == 1
    [summary] = _json_lines(result)
    assert summary["failed"] == 3
    assert summary["chunks"] == 0
    assert {Path(f["source"]).name for f in summary["failures"]} == {
        "broken.pdf",
        "binary.txt",
        "unknown.xyz",
    }


def test_ingest_of_only_broken_files_exits_1_even_when_the_knowledge_base_has_documents(
    tmp_path: Path,
) -> None:
    good = tmp_path / "good.md"
    good.write_text("# Good\n\nSector partnerships meet every quarter in Ames.\n", encoding="utf-8")
    assert _run(["ingest", str(good), "--json"]).exit_code == 0

    result = _run(["ingest", str(DATA / "broken.pdf"), "--json"])

    assert result.exit_code == 1
    [summary] = _json_lines(result)
    assert summary["failed"] == 1
    assert summary["documents"] == 1


def test_ask_after_an_ingest_that_indexed_nothing_builds_the_configured_sources(
    tmp_path: Path,
) -> None:
    assert _run(["ingest", str(DATA / "broken.pdf"), "--json"]).exit_code == 1

    result = _run(["ask", INVOLVEMENT_QUESTION, "--json"])

    assert result.exit_code == 0, result.output
    [answer] = _json_lines(result)
    assert IWD_URL in [source["url"] for source in answer["sources"]]


def test_ingest_reset_keeps_only_the_given_sources(tmp_path: Path) -> None:
    first, second = tmp_path / "first.md", tmp_path / "second.md"
    first.write_text("# First\n\nEmployers lead the first partnership.\n", "utf-8")
    second.write_text("# Second\n\nColleges support the second partnership.\n", "utf-8")
    assert _run(["ingest", str(first), "--json"]).exit_code == 0

    result = _run(["ingest", "--reset", str(second), "--json"])

    assert result.exit_code == 0, result.output
    [summary] = _json_lines(result)
    assert summary["documents"] == 1
    assert summary["added"] == 1


def test_a_malformed_config_file_fails_at_start_naming_the_key(tmp_path: Path) -> None:
    config = tmp_path / "bad.toml"
    config.write_text("[[sources]\nlocation = 'x'\n", "utf-8")

    result = _run(["ask", "hello", "--json"], SECTORBOT_CONFIG=str(config))

    assert result.exit_code != 0
    assert "SECTORBOT_CONFIG" in result.stderr
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)


def test_a_contact_without_a_name_fails_at_start_naming_the_key(tmp_path: Path) -> None:
    config = tmp_path / "contacts.toml"
    config.write_text("[[contacts]]\nphone = '515-000-0000'\n", "utf-8")

    result = _run(["ingest", "--json"], SECTORBOT_CONFIG=str(config))

    assert result.exit_code != 0
    assert "contacts[0].name" in result.stderr
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)


def test_a_malformed_environment_value_fails_at_start_naming_the_key() -> None:
    result = _run(["ask", "hello"], CHROMA_PORT="abc")

    assert result.exit_code != 0
    assert "CHROMA_PORT" in result.stderr
    assert isinstance(result.exception, SystemExit)


def test_the_version_option_names_the_package() -> None:
    result = _run(["--version"])

    assert result.exit_code == 0
    assert "0.1.0" in result.stdout


def test_the_progress_bar_draws_on_stderr_only_when_enabled(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with TerminalProgress(enabled=True) as progress:
        progress("load", 0, 2)
        progress("load", 2, 2)
        progress("embed", 1, 2)
    with TerminalProgress(enabled=False) as quiet:
        quiet("load", 1, 2)

    captured = capsys.readouterr()
    assert "Reading documents" in captured.err
    assert "Indexing documents" in captured.err
    assert captured.out == ""
    assert captured.err.count("Reading documents") >= 1


def test_an_empty_question_is_a_usage_error() -> None:
    result = _run(["ask", "  "])

    assert result.exit_code == 2
    assert "QUESTION is empty" in result.output


def test_unusable_storage_fails_with_the_setting_named_and_no_password_shown(
    tmp_path: Path,
) -> None:
    bad_url = _run(["ask", "hi"], DATABASE_URL="notaurl")
    unreachable = _run(["ask", "hi"], DATABASE_URL="postgresql://bot:s3cr3t-pw@127.0.0.1:1/bot")
    no_chroma = _run(["ask", "hi"], CHROMA_HOST="127.0.0.1", CHROMA_PORT="1")

    for result, key in (
        (bad_url, "DATABASE_URL"),
        (unreachable, "DATABASE_URL"),
        (no_chroma, "CHROMA_HOST"),
    ):
        assert result.exit_code == 1
        assert key in result.output
        assert "Traceback" not in result.output
        assert "s3cr3t-pw" not in result.output


def test_a_database_without_its_driver_or_an_unusable_default_file_is_one_clear_line(
    tmp_path: Path,
) -> None:
    no_driver = _run(["status"], DATABASE_URL="mysql://bot:s3cr3t-pw@db.example/bot")
    data_dir = tmp_path / "data"
    (data_dir / "sectorbot.db").mkdir(parents=True)
    unusable_file = _run(["status"], SECTORBOT_DATA_DIR=str(data_dir))

    assert no_driver.exit_code == unusable_file.exit_code == 1
    assert isinstance(no_driver.exception, SystemExit), no_driver.exception
    assert isinstance(unusable_file.exception, SystemExit), unusable_file.exception
    assert "DATABASE_URL: its database driver is not installed (MySQLdb)" in no_driver.output
    assert "s3cr3t-pw" not in no_driver.output
    # The operator set no DATABASE_URL: the message names the data dir and why.
    assert f"SECTORBOT_DATA_DIR: cannot use the database in {data_dir}" in unusable_file.output
    assert "unable to open database file" in unusable_file.output
    assert "DATABASE_URL" not in unusable_file.output


def test_eval_of_an_empty_file_is_an_error(kb_dir: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n", encoding="utf-8")

    result = _run(["eval", str(empty)])

    assert result.exit_code == 1
    assert "no questions" in result.output


def test_a_broken_link_is_reported_as_such(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "gone.md").symlink_to(tmp_path / "missing.md")
    (docs / "here.md").write_text(
        "# Here\n\nPartnerships meet in Ames every quarter.\n", encoding="utf-8"
    )

    result = _run(["ingest", str(docs), "--json"])

    assert result.exit_code == 0
    [summary] = _json_lines(result)
    assert [f["reason"] for f in summary["failures"]] == ["file not found (a broken link?)"]


def _stored_handoffs(data_dir: Path) -> list[str]:
    """Store two hand-off requests in ``data_dir``'s database, one of them claimed."""
    from bot.handoff import store, workflow
    from knowledge.store.db import make_engine

    engine = make_engine(f"sqlite:///{data_dir / 'sectorbot.db'}")
    references = []
    for name in ("Pat Example", "Sam Sample"):
        new = store.NewRequest(
            requester="U_ASKER",
            name=name,
            organization="Ames Precision Parts",
            email="pat@example.com",
            phone="",
            region="Story County",
            industry="",
            interest="join",
            details="",
            source_permalink="",
            contact="Kathy Leggett",
        )
        references.append(store.create_request(engine, new).reference)
    workflow.move(engine, references[1], "claimed", "U_KATHY")
    engine.dispose()
    return references


def test_handoffs_lists_stored_requests_and_filters_by_status(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    first, second = _stored_handoffs(data_dir)

    every = _run(["handoffs"], SECTORBOT_DATA_DIR=str(data_dir))
    claimed = _run(["handoffs", "--status", "claimed", "--json"], SECTORBOT_DATA_DIR=str(data_dir))

    assert every.exit_code == 0, every.output
    lines = every.stdout.splitlines()
    assert [line.split()[0] for line in lines] == [first, second]
    assert "Pat Example (Ames Precision Parts)" in lines[0] and "new" in lines[0]
    assert [row["reference"] for row in _json_lines(claimed)] == [second]
    assert _json_lines(claimed)[0]["status"] == "claimed"


def test_handoffs_says_when_there_are_none_and_rejects_an_unknown_status(tmp_path: Path) -> None:
    empty = _run(["handoffs", "--status", "new"], SECTORBOT_DATA_DIR=str(tmp_path / "data"))
    wrong = _run(["handoffs", "--status", "lost"], SECTORBOT_DATA_DIR=str(tmp_path / "data"))

    assert empty.exit_code == 0 and empty.stdout == ""
    assert "No hand-off requests with status new." in empty.stderr
    assert wrong.exit_code == 2 and "lost" in wrong.output


WEB_PAGE = """<!doctype html><html><head><title>Cedar Valley Welding Partnership</title></head>
<body><main><h1>Cedar Valley Welding Partnership</h1>
<p>The Cedar Valley Welding Partnership meets every second Tuesday at the Waterloo
Fabrication Hall, where member employers plan welder apprenticeships together.</p>
</main></body></html>"""


def test_ingest_of_a_loopback_url_is_refused_without_the_allow_list_and_works_with_it() -> None:
    from tests.ingest.web_server import running_server

    with running_server() as web:
        web.page("/page.html", WEB_PAGE)
        url = web.url("/page.html")

        refused = _run(["ingest", url, "--json"])
        allowed = _run(["ingest", url, "--json"], INGEST_ALLOWED_PRIVATE_HOSTS="127.0.0.1")

    assert refused.exit_code == 1, refused.output
    [failure] = json.loads(refused.stdout)["failures"]
    assert failure["source"] == url
    assert failure["reason"].startswith("refused: 127.0.0.1 is a loopback address")
    assert "INGEST_ALLOWED_PRIVATE_HOSTS" in failure["reason"]
    assert allowed.exit_code == 0, allowed.output
    summary = json.loads(allowed.stdout)
    assert summary["details"]["added"] == [url] and summary["failed"] == 0

    result = _run(["ask", "Where does the Cedar Valley Welding Partnership meet?", "--json"])

    assert result.exit_code == 0, result.output
    [answer] = _json_lines(result)
    assert answer["confident"]
    assert "Waterloo Fabrication Hall" in answer["answer"]
    assert answer["sources"][0]["url"] == url


def test_ingest_of_a_url_reports_http_errors_and_leads_only_to_its_own_host() -> None:
    from tests.ingest.web_server import Route, running_server

    with running_server() as web:
        web.routes["/away"] = Route(
            status=302, headers={"Location": web.url("/page.html", host="localhost")}
        )
        result = _run(
            ["ingest", web.url("/missing"), web.url("/away"), "--json"],
            INGEST_ALLOWED_PRIVATE_HOSTS="127.0.0.1,localhost",
        )

    assert result.exit_code == 1
    reasons = {f["source"]: f["reason"] for f in json.loads(result.stdout)["failures"]}
    assert reasons == {
        web.url("/missing"): "HTTP 404",
        web.url("/away"): "redirect to a host outside the allowed domains (localhost)",
    }


def test_a_configured_sitemap_is_fetched_with_its_domains_and_page_limit(tmp_path: Path) -> None:
    from tests.ingest.web_server import Route, running_server

    contacts = (REPO / "sectorbot.toml").read_text(encoding="utf-8").split("[[contacts]]", 1)[1]
    with running_server() as web:
        for name in ("a", "b", "c"):
            web.page(f"/{name}.html", WEB_PAGE.replace("Cedar Valley", f"Cedar {name.upper()}"))
        entries = "".join(f"<url><loc>{web.url(f'/{n}.html')}</loc></url>" for n in "abc")
        web.routes["/sitemap.xml"] = Route(
            body=(
                '<?xml version="1.0"?><urlset '
                f'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</urlset>'
            ).encode(),
            headers={"Content-Type": "application/xml"},
        )
        config = tmp_path / "web.toml"
        config.write_text(
            f'[[sources]]\nlocation = "{web.url("/sitemap.xml")}"\n'
            'allowed_domains = ["127.0.0.1"]\nmax_pages = 2\n\n[[contacts]]' + contacts,
            encoding="utf-8",
        )

        result = _run(
            ["ingest", "--json"],
            SECTORBOT_CONFIG=str(config),
            INGEST_ALLOWED_PRIVATE_HOSTS="127.0.0.1",
        )

    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["details"]["added"] == [web.url("/a.html"), web.url("/b.html")]
    assert "/c.html" not in web.paths()


def test_without_user_variables_the_terminal_user_is_the_account_name(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("LOGNAME", "USER", "LNAME", "USERNAME"):
        monkeypatch.delenv(name, raising=False)

    assert cli_user() == pwd.getpwuid(os.getuid()).pw_name


def test_with_no_name_anywhere_the_terminal_user_is_said_to_be_unnamed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def no_account() -> str:
        raise OSError("No username set in the environment")

    monkeypatch.setattr(getpass, "getuser", no_account)

    assert cli_user() == "an unnamed user"


def test_a_misspelt_setting_in_dot_env_is_pointed_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".env").write_text("SLACK_BOT_TOKN=xoxb-typo\nOTHER_TOOL_KEY=other\n")
    monkeypatch.chdir(tmp_path)
    for key in ("SLACK_BOT_TOKN", "OTHER_TOOL_KEY"):  # load_dotenv's writes are undone after
        monkeypatch.setenv(key, "")

    result = _run(["status"], SECTORBOT_DATA_DIR=str(tmp_path / "data"))

    assert result.exit_code == 0, result.output
    assert result.stderr == (
        "warning: .env sets SLACK_BOT_TOKN, which is not a setting; did you mean SLACK_BOT_TOKEN?\n"
    )
    assert "xoxb-typo" not in result.output


def test_the_command_collects_garbage_again_once_its_services_are_built(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.cli import main

    monkeypatch.setattr(sys, "argv", ["sectorbot", "status", "--json"])
    monkeypatch.setenv("SECTORBOT_DATA_DIR", str(tmp_path / "data"))
    try:
        with pytest.raises(SystemExit) as ended:
            main()  # it starts with the collector off, for the imports
        assert ended.value.code == 0
        assert gc.isenabled()
    finally:
        gc.unfreeze()
        gc.enable()
