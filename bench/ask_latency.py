"""Answer latency: warm in-process ``Answerer.answer`` and cold ``sectorbot ask`` subprocesses.

Prints numbers only; it never asserts. Run ``python bench/ask_latency.py --help``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from _machine import (
    REPO,
    SHARED,
    Row,
    add_common_options,
    emit,
    machine_info,
    parse,
    peak_rss_mb,
    percentile,
    process_kb,
    use_repo_imports,
)

CLI_QUESTION = "How can my company join a sector partnership?"


def main() -> None:
    args = _parse_args()
    use_repo_imports()
    from bot.services import build_services
    from bot.settings import load_settings
    from ingest.pipeline import refresh

    sections: list[tuple[str, list[Row]]] = [("machine", machine_info())]
    with ExitStack() as stack:
        if args.data_dir:
            data_dir = args.data_dir.resolve()
        else:
            data_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="sb-ask-")))
        settings = load_settings(
            {"SECTORBOT_DATA_DIR": str(data_dir), "SECTORBOT_CONFIG": str(args.config)}
        )
        services = build_services(settings)

        kb_rows: list[Row] = [("data_dir", str(data_dir))]
        version = services.kb.current()
        if version is None:
            started = time.perf_counter()
            summary = refresh(
                services.kb,
                [(str(args.seed), None), (str(args.corpus), None)],
                full=False,
                reset=True,
            )
            kb_rows += [
                ("kb", "built"),
                ("build_s", time.perf_counter() - started),
                ("documents", summary.documents),
                ("chunks", summary.chunks),
                ("failed_documents", len(summary.failed)),
            ]
        else:
            record = version.record
            kb_rows += [
                ("kb", f"reused version {record.version_id}"),
                ("documents", record.document_count),
                ("chunks", record.chunk_count),
            ]
        sections.append(("knowledge base", kb_rows))

        questions = _questions(args.questions)
        sections.append(("warm in-process answer (ms)", _warm(services.answerer, questions, args)))
        if args.cli_runs > 0:
            sections.append(("cold CLI `sectorbot ask --json`", _cold_cli(data_dir, args)))
        sections.append(
            (
                "memory",
                [
                    ("peak_rss_mb_bench_process", peak_rss_mb()),
                ],
            )
        )
    emit(sections, args.as_json)


def _parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=(
            "Warm in-process answer latency over the dev questions, then cold `sectorbot ask` "
            "wall time as a subprocess. Prints numbers; never asserts."
        )
    )
    parser.add_argument("--rounds", type=int, default=5, help="timed passes over the questions")
    parser.add_argument("--cli-runs", type=int, default=5, help="cold CLI runs (0 skips the CLI)")
    parser.add_argument(
        "--data-dir",
        type=Path,
        help="reuse (or build into) this data dir instead of a temporary one",
    )
    parser.add_argument(
        "--questions",
        type=Path,
        default=SHARED / "eval" / "dev_questions.jsonl",
        help="JSONL file with a `question` per line",
    )
    add_common_options(parser)
    return parse(parser)


def _questions(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["question"] for line in lines if line.strip()]


def _warm(answerer: Any, questions: list[str], args: argparse.Namespace) -> list[Row]:
    failures: dict[str, str] = {}

    # The answerer remembers recent message vectors (so Slack's small-talk check and the answer
    # embed a message once); repeated rounds must time the model, so that memory is cleared.
    recent = getattr(answerer, "vectors", None)

    def ask(question: str) -> tuple[float, dict[str, float]] | None:
        if recent is not None:
            recent.clear()
        started = time.perf_counter()
        try:
            answer = answerer.answer(question)
        except Exception:  # noqa: BLE001 - report and keep measuring the rest
            if question not in failures:
                failures[question] = traceback.format_exc()
                print(f"answer({question!r}) raised:\n{failures[question]}", file=sys.stderr)
            return None
        wall = (time.perf_counter() - started) * 1000
        return wall, dict(answer.timings_ms)

    warmup_started = time.perf_counter()
    for question in questions:
        ask(question)
    warmup_s = time.perf_counter() - warmup_started

    # The floor beside the answers, timed in the same rounds: the bare model embedding the
    # question, which every answer does at least once.
    model = recent.embedder if recent is not None else None
    embed: list[float] = []
    wall: list[float] = []
    total: list[float] = []
    retrieve: list[float] = []
    answer_part: list[float] = []
    per_question: dict[str, list[float]] = {q: [] for q in questions}
    for _ in range(args.rounds):
        for question in questions:
            result = ask(question)
            if result is None:
                continue
            elapsed, timings = result
            wall.append(elapsed)
            per_question[question].append(elapsed)
            total.append(timings.get("total", float("nan")))
            retrieve.append(timings.get("retrieve", float("nan")))
            answer_part.append(timings.get("answer", float("nan")))
            if model is not None:
                started = time.perf_counter()
                model.embed([question])
                embed.append((time.perf_counter() - started) * 1000)
    medians = {q: statistics.median(v) for q, v in per_question.items() if v}
    slowest = max(medians, key=lambda q: medians[q]) if medians else ""
    return [
        ("questions", len(questions)),
        ("rounds", args.rounds),
        ("samples", len(wall)),
        ("failed_questions", len(failures)),
        ("warmup_pass_s", warmup_s),
        ("total_p50", percentile(total, 50)),
        ("total_p95", percentile(total, 95)),
        ("total_max", max(total, default=0.0)),
        ("wall_p50", percentile(wall, 50)),
        ("wall_p95", percentile(wall, 95)),
        ("wall_max", max(wall, default=0.0)),
        ("retrieve_p50", percentile(retrieve, 50)),
        ("retrieve_p95", percentile(retrieve, 95)),
        ("answer_p50", percentile(answer_part, 50)),
        ("answer_p95", percentile(answer_part, 95)),
        ("embed_floor_p50", percentile(embed, 50)),
        ("embed_floor_p95", percentile(embed, 95)),
        ("total_over_floor_p95", percentile(total, 95) / percentile(embed, 95) if embed else 0.0),
        ("slowest_question_p50", medians.get(slowest, 0.0)),
        ("slowest_question", slowest),
    ]


@dataclass
class CliRun:
    """One ``sectorbot ask`` subprocess: wall time, output, and its peak RSS."""

    seconds: float
    returncode: int
    stdout: str
    stderr: str
    peak_rss_mb: float


def _run_cli(data_dir: Path, config: Path) -> CliRun:
    """Run the real CLI; its peak RSS is polled from /proc/PID/status (VmHWM).

    ``getrusage(RUSAGE_CHILDREN)`` cannot be used: on Linux a child spawned from this process
    inherits this process's peak RSS, so it would report the larger of the two.
    """
    env = dict(os.environ, SECTORBOT_DATA_DIR=str(data_dir), SECTORBOT_CONFIG=str(config))
    command = [sys.executable, "-m", "bot", "ask", CLI_QUESTION, "--json"]
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=REPO, env=env, stdout=out, stderr=err, text=True)
        stop = threading.Event()
        peak_kb = [0]
        poller = threading.Thread(target=_poll_hwm, args=(process.pid, stop, peak_kb), daemon=True)
        poller.start()
        returncode = process.wait()
        seconds = time.perf_counter() - started
        stop.set()
        poller.join()
        out.seek(0)
        err.seek(0)
        return CliRun(seconds, returncode, out.read(), err.read(), round(peak_kb[0] / 1024, 1))


def _poll_hwm(pid: int, stop: threading.Event, peak_kb: list[int]) -> None:
    while not stop.is_set():
        kb = process_kb(pid, "VmHWM:")
        if kb is None:
            return  # the process has ended
        peak_kb[0] = max(peak_kb[0], kb)
        stop.wait(0.01)


def _floor_seconds() -> float:
    """A fresh process that loads the embedding model and embeds the question: what any ``ask``
    must do, so the CLI's own cost is its wall time beside this one's."""
    code = (
        "import sys; from knowledge.embeddings import MiniLMEmbedder; "
        "MiniLMEmbedder().embed([sys.argv[1]])"
    )
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code, CLI_QUESTION], cwd=REPO, check=True)
    return time.perf_counter() - started


def _cli_answer_ms(run: CliRun) -> float | None:
    """The ``timings_ms.total`` the CLI reported, or None (and the output to stderr) on failure."""
    try:
        if run.returncode != 0:
            raise ValueError(f"exit code {run.returncode}")
        total = json.loads(run.stdout.strip().splitlines()[-1])["timings_ms"]["total"]
        return float(total)
    except (ValueError, KeyError, IndexError) as error:
        print(
            f"sectorbot ask failed ({error}):\nstdout:\n{run.stdout}\nstderr:\n{run.stderr}",
            file=sys.stderr,
        )
        return None


def _cold_cli(data_dir: Path, args: argparse.Namespace) -> list[Row]:
    walls: list[float] = []
    answer_ms: list[float] = []
    peaks: list[float] = []
    stderr_lines = 0
    failures = 0
    floors: list[float] = []
    # Each CLI run is followed by a floor run, so a change in the machine's load between them
    # weighs on both sides of the ratio alike.
    pair_ratios: list[float] = []
    for _ in range(args.cli_runs):
        run = _run_cli(data_dir, args.config)
        floors.append(_floor_seconds())
        reported = _cli_answer_ms(run)
        if reported is None:
            failures += 1
            continue
        walls.append(run.seconds)
        pair_ratios.append(run.seconds / floors[-1])
        answer_ms.append(reported)
        peaks.append(run.peak_rss_mb)
        stderr_lines += len(run.stderr.splitlines())
    with tempfile.TemporaryDirectory(prefix="sb-empty-") as empty:
        first = _run_cli(Path(empty), args.config)
        first_ok = _cli_answer_ms(first) is not None
    wall_median = statistics.median(walls) if walls else 0.0
    floor_median = statistics.median(floors)
    return [
        ("runs", args.cli_runs),
        ("failed_runs", failures),
        ("wall_median_s", wall_median),
        ("floor_median_s", floor_median),
        ("wall_over_floor", wall_median / floor_median if floor_median else 0.0),
        ("pair_ratio_median", statistics.median(pair_ratios) if pair_ratios else 0.0),
        ("floor_each_s", " ".join(f"{f:.2f}" for f in floors)),
        ("wall_max_s", max(walls, default=0.0)),
        ("wall_each_s", " ".join(f"{w:.2f}" for w in walls)),
        ("reported_total_median_ms", statistics.median(answer_ms) if answer_ms else 0.0),
        ("peak_rss_mb_max", max(peaks, default=0.0)),
        ("stderr_lines_total", stderr_lines),
        ("empty_data_dir_first_ask_s", first.seconds),
        ("empty_data_dir_first_ask_ok", first_ok),
        ("empty_data_dir_peak_rss_mb", first.peak_rss_mb),
    ]


if __name__ == "__main__":
    main()
