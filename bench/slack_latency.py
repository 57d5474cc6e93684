"""Slack latency: signed event -> ack, and signed event -> ``chat.postMessage``, against the fake.

The real app (waitress, Bolt, the answerer on the real MiniLM model, SQLite) serves on 127.0.0.1;
the fake Slack Web API from ``tests/fakes`` records when each answer is posted. Then a bounded
load run: N concurrent senders share a fixed number of events and stop by themselves.
Prints numbers only; it never asserts. Run ``python bench/slack_latency.py --help``.
"""

from __future__ import annotations

import argparse
import itertools
import tempfile
import threading
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from _machine import REPO, Row, emit, machine_info, peak_rss_mb, percentile, use_repo_imports

QUESTIONS = (
    "How can my company join a sector partnership?",
    "What is an Iowa Business Sector Partnership?",
    "Who runs the sector partnerships at Iowa Workforce Development?",
    "When did sector partnerships move to Iowa Workforce Development?",
    "How do sector partnerships relate to WIOA?",
)
SECRET = "bench-signing-secret"


def main() -> None:
    args = _parse_args()
    use_repo_imports()
    from bot.app import build_app
    from bot.background import Background
    from bot.refreshing import ensure_knowledge
    from bot.server import BackgroundHttpServer, knowledge_ready
    from bot.services import build_services
    from bot.settings import load_settings
    from tests.fakes.slack_requests import SlackSender
    from tests.fakes.slack_web_api import FakeSlack

    sections: list[tuple[str, list[Row]]] = [("machine", machine_info())]
    with ExitStack() as stack:
        data_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="sb-slack-")))
        fake = stack.enter_context(FakeSlack())
        settings = load_settings(
            {
                "SECTORBOT_DATA_DIR": str(data_dir),
                "SECTORBOT_CONFIG": str(REPO / "sectorbot.toml"),
                "SLACK_BOT_TOKEN": "xoxb-bench",
                "SLACK_SIGNING_SECRET": SECRET,
                "SLACK_API_URL": fake.api_url,
            }
        )
        services = build_services(settings)
        started = time.perf_counter()
        ensure_knowledge(services)
        build_s = time.perf_counter() - started
        background = Background()
        stack.callback(background.stop)
        app = build_app(settings, services, background)  # production: 8 listener threads
        server = BackgroundHttpServer(
            app, knowledge_ready(services), signing_secret=SECRET, host="127.0.0.1", port=0
        )
        stack.callback(server.stop)
        sender = SlackSender(f"{server.start().url}/slack/events", SECRET)
        sections.append(("setup", [("knowledge_base_build_s", round(build_s, 2))]))

        _latency_run(sender, fake, args.warmup, stop=False)
        sections.append(("sequential (ms)", _latency_run(sender, fake, args.samples, stop=True)))
        sections.append(("load", _load_run(sender, fake, args)))
        sections.append(("memory", [("peak_rss_mb", peak_rss_mb())]))
    emit(sections, args.json)


def _mention(index: int, ts: str) -> dict[str, Any]:
    from tests.fakes.slack_requests import mention

    return mention(QUESTIONS[index % len(QUESTIONS)], channel=f"C_BENCH{index % 7}", ts=ts)


def _latency_run(sender: Any, fake: Any, samples: int, *, stop: bool) -> list[Row]:
    """One event at a time: the ack, and the time until its answer is posted."""
    from tests.fakes.slack_requests import new_ts

    acks: list[float] = []
    posts: list[float] = []
    errors = 0
    for index in range(samples):
        ts = new_ts()
        sent = time.monotonic()
        response = sender.event(_mention(index, ts))
        if response.status != 200:
            errors += 1
            continue
        acks.append(response.seconds * 1000)
        call = fake.wait_for("chat.postMessage", where=_in_thread(ts), timeout=30)[0]
        posts.append((call.at - sent) * 1000)
    if not stop:
        return []
    return [
        ("events", samples),
        ("errors", errors),
        ("ack_p50", round(percentile(acks, 50), 2)),
        ("ack_p95", round(percentile(acks, 95), 2)),
        ("ack_max", round(max(acks, default=0.0), 2)),
        ("post_p50", round(percentile(posts, 50), 2)),
        ("post_p95", round(percentile(posts, 95), 2)),
        ("post_max", round(max(posts, default=0.0), 2)),
    ]


def _load_run(sender: Any, fake: Any, args: argparse.Namespace) -> list[Row]:
    """``senders`` threads share ``events`` events; stops when all are sent and answered."""
    from tests.fakes.slack_requests import new_ts

    counter = itertools.count()
    lock = threading.Lock()
    sent_at: dict[str, float] = {}
    acks: list[float] = []
    http_errors = 0
    deadline = time.monotonic() + args.deadline

    def send() -> None:
        nonlocal http_errors
        while time.monotonic() < deadline:
            index = next(counter)
            if index >= args.events:
                return
            ts = new_ts()
            with lock:
                sent_at[ts] = time.monotonic()
            try:
                response = sender.event(_mention(index, ts))
                ok = response.status == 200
            except OSError:
                ok = False
            with lock:
                if ok:
                    acks.append(response.seconds * 1000)
                else:
                    http_errors += 1

    before = {call.args.get("thread_ts") for call in fake.calls_to("chat.postMessage")}
    started = time.monotonic()
    threads = [threading.Thread(target=send) for _ in range(args.senders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    sent_s = time.monotonic() - started
    expected = len(sent_at) - http_errors
    posts: dict[str, Any] = {}
    while time.monotonic() < deadline:
        posts = {
            call.args.get("thread_ts"): call
            for call in fake.calls_to("chat.postMessage")
            if call.args.get("thread_ts") not in before
        }
        if len(posts) >= expected:
            break
        time.sleep(0.05)
    total_s = time.monotonic() - started
    latencies = [(call.at - sent_at[ts]) * 1000 for ts, call in posts.items() if ts in sent_at]
    apologies = sum(1 for call in posts.values() if str(call.args.get("text")).startswith("Sorry"))
    missing = max(expected - len(posts), 0)
    return [
        ("senders", args.senders),
        ("events_sent", len(sent_at)),
        ("sending_s", round(sent_s, 2)),
        ("all_answered_s", round(total_s, 2)),
        ("events_per_s", round(len(posts) / total_s, 1) if total_s else 0.0),
        ("ack_p50_ms", round(percentile(acks, 50), 2)),
        ("ack_p95_ms", round(percentile(acks, 95), 2)),
        ("ack_max_ms", round(max(acks, default=0.0), 2)),
        ("post_p50_ms", round(percentile(latencies, 50), 1)),
        ("post_p95_ms", round(percentile(latencies, 95), 1)),
        ("http_errors", http_errors),
        ("unanswered", missing),
        ("apologies", apologies),
        ("error_count", http_errors + missing + apologies),
    ]


def _in_thread(ts: str) -> Any:
    return lambda call: call.args.get("thread_ts") == ts


def _parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=200, help="sequential events (default 200)")
    parser.add_argument("--warmup", type=int, default=10, help="unmeasured events first")
    parser.add_argument("--events", type=int, default=2000, help="load-run events (default 2000)")
    parser.add_argument("--senders", type=int, default=20, help="concurrent senders (default 20)")
    parser.add_argument(
        "--deadline", type=float, default=600, help="the load run stops after this many seconds"
    )
    parser.add_argument("--json", action="store_true", help="one JSON object instead of lines")
    return parser.parse_args()


if __name__ == "__main__":
    main()
