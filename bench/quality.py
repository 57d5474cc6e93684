"""Answer quality: the bot beside the tutorial recipe, on both development sets, in one run.

Prints numbers only; it never asserts. Run ``python bench/quality.py --help``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from _machine import REPO, SHARED, emit, machine_info, use_repo_imports
from _scores import (
    KINDS,
    Outcome,
    Question,
    ScoredCase,
    by_kind,
    measures,
    outcome,
    problems,
    read_questions,
)
from dotenv import dotenv_values

if TYPE_CHECKING:
    from knowledge.embeddings import Embedder
    from knowledge.types import Answer

# (key, label) of the main table, in the order of DESIGN.md's `sectorbot eval` measures.
MEASURES = (
    ("hit_at_1", "right document first (hit@1)"),
    ("hit_at_5", "needed documents in top 5"),
    ("facts", "answers holding every required fact"),
    ("median_answer_chars", "median answer length (chars)"),
    ("out_of_scope_declined", "out-of-scope declined"),
    ("answerable_declined", "answerable questions declined"),
    ("routing_recall", "involvement routed (recall)"),
    ("false_routes", "false routes (share of non-involvement)"),
    ("latency_p50_ms", "latency p50 (ms)"),
    ("latency_p95_ms", "latency p95 (ms)"),
)
# (key, label, systems) of the build table: what each system indexed and how long it all took.
BUILD = (
    ("documents", "documents indexed", ("bot", "recipe")),
    ("chunks", "chunks", ("bot", "recipe")),
    ("failed_documents", "files that failed to load", ("bot",)),
    ("skipped_files", "files skipped (LoadError)", ("recipe",)),
    ("ingest_s", "ingest subprocess (s)", ("bot",)),
    ("build_s", "load + split + embed (s)", ("recipe",)),
    ("answer_s", "answering every question (s)", ("bot", "recipe")),
)


@dataclass(frozen=True)
class DevSet:
    """A development set: the folders to ingest and the questions to ask."""

    name: str
    folders: tuple[Path, Path]
    questions: Path


@dataclass
class SetResult:
    """Both systems on one set: outcomes, build figures, and the bot's error if it failed."""

    bot: list[Outcome] | None
    recipe: list[Outcome]
    build: dict[str, Any]
    failures: list[dict[str, Any]]
    bot_error: str | None
    recipe_scored_by: str


def main() -> None:
    args = _parse_args()
    machine = machine_info()  # before the run: it records the load average at start
    use_repo_imports()
    from knowledge.embeddings import make_embedder

    embedder = make_embedder("minilm")  # one model for the recipe on every set
    started = time.perf_counter()
    results = {dev_set.name: _measure_set(dev_set, args, embedder) for dev_set in args.sets}
    figures = _figures(results, time.perf_counter() - started)
    if args.failures:
        _write_failures(args.failures, results)
    if args.as_json:
        print(json.dumps({"machine": dict(machine)} | figures))
    else:
        emit([("machine", machine)], as_json=False)
        print()
        print(_format(figures))


def _parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=(
            "Answer quality of the bot beside the tutorial recipe (LangChain splitter, MiniLM in "
            "Chroma, top 4 chunks) on both development sets. Prints numbers; never asserts."
        )
    )
    parser.add_argument(
        "--shared", type=Path, default=SHARED, help="the shared folder (default ../shared)"
    )
    parser.add_argument(
        "--sets", default="sample,real", help="comma-separated: sample, real (default both)"
    )
    parser.add_argument("--failures", type=Path, help="write the bot's failed cases here (JSONL)")
    # add_common_options is not used: its --seed/--corpus name one set, and here there are two.
    parser.add_argument(
        "--config", type=Path, default=REPO / "sectorbot.toml", help="SECTORBOT_CONFIG to use"
    )
    parser.add_argument("--json", dest="as_json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    args.config = args.config.resolve()
    known = _dev_sets(args.shared.resolve())
    names = [name.strip() for name in args.sets.split(",") if name.strip()]
    unknown = [name for name in names if name not in known]
    if unknown or not names:
        parser.error(f"--sets: unknown {', '.join(unknown) or '(none)'}; use sample and/or real")
    args.sets = [known[name] for name in names]
    return args


def _dev_sets(shared: Path) -> dict[str, DevSet]:
    seed = shared / "seed"
    return {
        "sample": DevSet("sample", (seed, shared / "corpus"), shared / "eval/dev_questions.jsonl"),
        "real": DevSet(
            "real", (seed, shared / "real_dev/corpus"), shared / "real_dev/questions.jsonl"
        ),
    }


def _measure_set(dev_set: DevSet, args: argparse.Namespace, embedder: Embedder) -> SetResult:
    questions = read_questions(dev_set.questions)
    build: dict[str, Any] = {}
    bot: list[Outcome] | None = None
    failures: list[dict[str, Any]] = []
    error = None
    _progress(f"[{dev_set.name}] bot: ingest, then answer {len(questions)} questions")
    try:
        bot, failures = _run_bot(dev_set, questions, args.config, build)
    except Exception:  # noqa: BLE001 - the recipe is still measured when the bot is broken
        error = traceback.format_exc()
        _progress(f"[{dev_set.name}] the bot failed:\n{error}")
    _progress(f"[{dev_set.name}] recipe: load, split, embed, then answer")
    recipe, scored_by = _run_recipe(dev_set, questions, embedder, build)
    return SetResult(bot, recipe, build, failures, error, scored_by)


def _progress(message: str) -> None:
    """Progress goes to stderr, so stdout stays the table (or the one JSON object)."""
    print(message, file=sys.stderr, flush=True)


# --- the bot ---------------------------------------------------------------------------------


def _bot_environment(data_dir: Path, config: Path) -> dict[str, str]:
    """What the CLI would see from the repository root, pointed at a throwaway data dir.

    DATABASE_URL and CHROMA_HOST are blanked: with either set (in the environment or ``.env``)
    ``ingest --reset`` would wipe a real knowledge base instead of the temporary one. Blank
    values also stop the CLI's ``load_dotenv`` from filling them in.
    """
    dotenv = {key: value for key, value in dotenv_values(REPO / ".env").items() if value}
    overrides = {"SECTORBOT_DATA_DIR": str(data_dir), "SECTORBOT_CONFIG": str(config)}
    return dotenv | dict(os.environ) | overrides | {"DATABASE_URL": "", "CHROMA_HOST": ""}


def _run_bot(
    dev_set: DevSet, questions: list[Question], config: Path, build: dict[str, Any]
) -> tuple[list[Outcome], list[dict[str, Any]]]:
    with tempfile.TemporaryDirectory(prefix=f"sb-quality-{dev_set.name}-") as data_dir:
        environment = _bot_environment(Path(data_dir), config)
        build |= _ingest(dev_set, environment)
        started = time.perf_counter()
        cases = _evaluate_in_process(dev_set.questions, environment)
        build["bot_answer_s"] = time.perf_counter() - started
    # Cases carry no id we may rely on, so they are paired with the file's lines by position.
    if [case.kind for case in cases] != [question.kind for question in questions]:
        raise RuntimeError(
            "knowledge.evaluation returned cases that do not match the question file"
        )
    pairs = list(zip(questions, cases, strict=True))
    failures = [
        _failure(dev_set.name, question, case, found)
        for question, case in pairs
        if (found := problems(question, case))
    ]
    return [outcome(question, case) for question, case in pairs], failures


def _ingest(dev_set: DevSet, environment: dict[str, str]) -> dict[str, Any]:
    """``sectorbot ingest --reset SEED CORPUS --json`` as a subprocess, from this checkout."""
    command = [sys.executable, "-m", "bot", "ingest", "--reset"]
    command += [str(folder) for folder in dev_set.folders] + ["--json"]
    started = time.perf_counter()
    done = subprocess.run(command, cwd=REPO, env=environment, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"ingest exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    return {
        "bot_documents": summary["documents"],
        "bot_chunks": summary["chunks"],
        "bot_failed_documents": summary["failed"],
        "bot_ingest_s": seconds,
    }


def _evaluate_in_process(questions: Path, environment: dict[str, str]) -> list[ScoredCase]:
    """``knowledge.evaluation`` over the services built as ``sectorbot eval`` builds them."""
    from bot.services import build_services
    from bot.settings import load_settings
    from knowledge.evaluation import evaluate

    services = build_services(load_settings(environment))
    try:
        return list(evaluate(services.answerer, questions).cases)
    finally:
        services.close()


def _failure(
    set_name: str, question: Question, case: ScoredCase, found: list[str]
) -> dict[str, Any]:
    return {
        "set": set_name,
        "id": question.qid,
        "kind": question.kind,
        "question": question.question,
        "problems": found,
        "answer": case.answer.text,
        "sources": [source.path or source.url for source in case.answer.sources],
    }


def _write_failures(path: Path, results: dict[str, SetResult]) -> None:
    lines = [json.dumps(row) for result in results.values() for row in result.failures]
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")


# --- the recipe ------------------------------------------------------------------------------


def _run_recipe(
    dev_set: DevSet, questions: list[Question], embedder: Embedder, build: dict[str, Any]
) -> tuple[list[Outcome], str]:
    from _recipe import build_recipe

    index = build_recipe(dev_set.folders, embedder)
    try:
        started = time.perf_counter()
        cases, scored_by = score_recipe(index.answer, questions)
        build |= {
            "recipe_documents": index.documents,
            "recipe_chunks": index.chunks,
            "recipe_skipped_files": index.skipped_files,
            "recipe_build_s": index.build_s,
            "recipe_answer_s": time.perf_counter() - started,
        }
    finally:
        index.close()
    outcomes = [outcome(question, case) for question, case in zip(questions, cases, strict=True)]
    return outcomes, scored_by


def score_recipe(
    answer: Callable[[str], Answer], questions: Iterable[Question]
) -> tuple[list[ScoredCase], str]:
    """Answer each question and wrap it in ``knowledge.evaluation.Case``, the bot's own scoring."""
    from knowledge.evaluation import Case

    cases = [
        Case(
            qid=question.qid,
            kind=question.kind,
            question=question.question,
            expected=question.expected,
            must_include=question.must_include,
            answer=answer(question.question),
        )
        for question in questions
    ]
    return list(cases), "knowledge.evaluation.Case"


# --- output ----------------------------------------------------------------------------------


def _figures(results: dict[str, SetResult], seconds: float) -> dict[str, Any]:
    """Every figure, keyed by set then system: what ``--json`` prints and the tables show."""
    sets = {
        name: {
            "bot": measures(result.bot) if result.bot is not None else None,
            "bot_error": result.bot_error,
            "bot_failed_cases": len(result.failures),
            # Latency is the bot's only: the recipe has no reader, so its time is one vector
            # query, and setting it beside the bot's would compare different work.
            "recipe": measures(result.recipe) | {"latency_p50_ms": None, "latency_p95_ms": None},
            "recipe_scored_by": result.recipe_scored_by,
            "build": result.build,
            "by_kind": by_kind(result.bot, result.recipe),
        }
        for name, result in results.items()
    }
    return {"sets": sets, "total_s": seconds}


def _format(figures: dict[str, Any]) -> str:
    sets = figures["sets"]
    columns = [(system, name) for system in ("bot", "recipe") for name in sets]
    names = [f"{system} {name}" for system, name in columns]
    quality = [["questions"] + [_measure_cell(sets[n], s, "questions") for s, n in columns]]
    quality += [
        [label] + [_measure_cell(sets[n], s, key) for s, n in columns] for key, label in MEASURES
    ]
    build = [
        [label] + [_build_cell(sets[n]["build"], s, key, systems) for s, n in columns]
        for key, label, systems in BUILD
    ]
    return "\n\n".join(
        [
            _table(["# quality", *names], quality),
            _kind_table(sets),
            _table(["# build", *names], build),
            "\n".join(_notes(figures)),
        ]
    )


def _notes(figures: dict[str, Any]) -> list[str]:
    """What a reader of the tables must know: failures, the scorer used, the total time."""
    notes = []
    for name, figures_of_set in figures["sets"].items():
        if figures_of_set["bot_error"]:
            last_line = figures_of_set["bot_error"].strip().splitlines()[-1]
            notes.append(f"bot {name} failed (traceback on stderr): {last_line}")
        notes.append(f"recipe {name} scored by {figures_of_set['recipe_scored_by']}")
    notes.append(f"total {figures['total_s']:.0f} s (both systems, every set)")
    return notes


def _measure_cell(figures: dict[str, Any], system: str, key: str) -> str:
    if figures[system] is None:
        return "failed"  # the traceback went to stderr
    return _cell(figures[system].get(key), key)


def _build_cell(build: dict[str, Any], system: str, key: str, systems: tuple[str, ...]) -> str:
    return _cell(build.get(f"{system}_{key}"), key) if system in systems else ""


def _kind_table(sets: dict[str, Any]) -> str:
    keys: tuple[str, ...] = ("bot_facts", "bot_hit_at_1", "bot_declined", "bot_routed")
    keys += ("recipe_facts", "recipe_hit_at_1")
    header = ["# by kind", "set", "n", "bot facts", "bot hit@1", "bot declined", "bot routed"]
    header += ["recipe facts", "recipe hit@1"]
    rows = [
        [kind, name, str(row["questions"])] + [_cell(row[key], key) for key in keys]
        for kind in KINDS
        for name, figures in sets.items()
        if (row := figures["by_kind"].get(kind))
    ]
    return _table(header, rows)


def _cell(value: Any, key: str) -> str:
    """Shares as percentages, times with one decimal, counts and lengths as integers."""
    if value is None:
        return "-"
    if key.endswith(("_ms", "_s")):
        return f"{value:.1f}"
    if key in ("questions", "median_answer_chars", "documents", "chunks") or key.endswith(
        ("_documents", "_files")
    ):
        return f"{value:.0f}"
    return f"{100 * value:.1f}%"


def _table(header: list[str], rows: list[list[str]]) -> str:
    """First column left-aligned, the others right-aligned, two spaces apart."""
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = [
        "  ".join(
            cell.ljust(width) if i == 0 else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        )
        for row in [header, *rows]
    ]
    return "\n".join(line.rstrip() for line in lines)


if __name__ == "__main__":
    main()
