"""Shared helpers for the benchmarks: the machine they ran on, percentiles, output."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import subprocess
import sys
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(__file__).resolve().parents[2] / "shared"

Row = tuple[str, Any]


def use_repo_imports() -> None:
    """Make ``bot``, ``knowledge`` and ``ingest`` importable from this checkout."""
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))


def add_common_options(parser: argparse.ArgumentParser) -> None:
    """The options every benchmark takes: the documents, the settings file and --json."""
    parser.add_argument("--seed", type=Path, default=SHARED / "seed", help="seed folder")
    parser.add_argument("--corpus", type=Path, default=SHARED / "corpus", help="corpus folder")
    parser.add_argument(
        "--config", type=Path, default=REPO / "sectorbot.toml", help="SECTORBOT_CONFIG to use"
    )
    parser.add_argument("--json", dest="as_json", action="store_true", help="print one JSON object")


def parse(parser: argparse.ArgumentParser) -> argparse.Namespace:
    """Parse the arguments, with the settings path made absolute."""
    args = parser.parse_args()
    args.config = args.config.resolve()
    return args


def machine_info() -> list[Row]:
    """CPU, cores, RAM, Python and library versions, the checkout, load, and the date."""
    return [
        ("date", dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")),
        ("cpu", _cpu_model()),
        ("cores", os.cpu_count() or 0),
        ("ram_gb", round(_mem_total_kb() / 1024 / 1024, 1)),
        ("os", f"{platform.system()} {platform.release()}"),
        ("python", platform.python_version()),
        ("onnxruntime", _version("onnxruntime")),
        ("chromadb", _version("chromadb")),
        ("git", _git_state()),
        ("loadavg_1m_at_start", round(os.getloadavg()[0], 2)),
    ]


def peak_rss_mb(who: int = resource.RUSAGE_SELF) -> float:
    """Peak resident set size in MB (``ru_maxrss`` is in KB on Linux)."""
    return round(resource.getrusage(who).ru_maxrss / 1024, 1)


def percentile(values: Sequence[float], pct: float) -> float:
    """Linear-interpolated percentile (numpy's default method); 0.0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = (len(ordered) - 1) * pct / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def emit(sections: list[tuple[str, list[Row]]], as_json: bool) -> None:
    """Print aligned ``name  value`` lines per section, or one JSON object keyed by section."""
    if as_json:
        print(json.dumps({title: dict(rows) for title, rows in sections}, indent=None))
        return
    width = max((len(name) for _, rows in sections for name, _ in rows), default=0)
    for index, (title, rows) in enumerate(sections):
        if index:
            print()
        print(f"# {title}")
        for name, value in rows:
            print(f"{name.ljust(width)}  {_format(value)}")
    sys.stdout.flush()


def _format(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3f}" if abs(value) < 10 else f"{value:.1f}"
    return str(value)


def proc_field(path: str | Path, name: str) -> str | None:
    """The value after ``name`` in a ``/proc`` file ("model name", "MemTotal:", "VmHWM:").

    None when the file or the field is missing: a process that has ended, a system without
    ``/proc``.
    """
    try:
        lines = Path(path).read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        if line.startswith(name):
            return line[len(name) :].lstrip(" \t:").strip()
    return None


def process_kb(pid: int, field: str) -> int | None:
    """A size field of ``/proc/PID/status`` ("VmRSS:", "VmHWM:") in KB, or None once it ended."""
    value = proc_field(f"/proc/{pid}/status", field)
    return int(value.split()[0]) if value else None


def _cpu_model() -> str:
    return proc_field("/proc/cpuinfo", "model name") or platform.processor() or "unknown"


def _mem_total_kb() -> int:
    value = proc_field("/proc/meminfo", "MemTotal:")
    return int(value.split()[0]) if value else 0


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def _git_state() -> str:
    """Short commit plus how many files differ from it (others may be editing the tree)."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        status = subprocess.run(
            ["git", "status", "--porcelain"], cwd=REPO, capture_output=True, text=True, check=True
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    dirty = len([line for line in status.splitlines() if line.strip()])
    return f"{head} (+{dirty} uncommitted files)" if dirty else head
