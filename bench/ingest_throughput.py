"""Ingest throughput: a full build with an empty embedding cache, a no-op re-ingest, one edit.

The full build is printed beside two peers measured in the same run on the same chunks: the
bare embedding model (what ingest cannot beat) and LangChain's ``Chroma.from_documents`` with
the same embeddings. A second build ingests many small files. Prints numbers only; it never
asserts. Run ``python bench/ingest_throughput.py --help``.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from _machine import (
    Row,
    add_common_options,
    emit,
    machine_info,
    parse,
    peak_rss_mb,
    use_repo_imports,
)

if TYPE_CHECKING:
    from bot.services import Services
    from ingest.summary import RefreshSummary

T = TypeVar("T")
APPENDED = (
    "\n\nBenchmark note: employers in the region added a paragraph here so the ingest benchmark "
    "can measure how long a refresh takes when exactly one document changes. The partnership "
    "met again in the spring and agreed to share a training calendar with the community college.\n"
)


def main() -> None:
    args = _parse_args()
    use_repo_imports()
    from bot.services import build_services
    from bot.settings import load_settings
    from ingest.pipeline import refresh

    sections: list[tuple[str, list[Row]]] = [("machine", machine_info())]
    with tempfile.TemporaryDirectory(prefix="sb-ingest-") as scratch:
        root = Path(scratch)
        # Ingest from a private copy, so the one-file edit below changes a source we indexed.
        seed = root / "seed"
        corpus = root / "corpus"
        shutil.copytree(args.seed, seed)
        shutil.copytree(args.corpus, corpus)
        touched = _pick_file(corpus, args.touch)
        locations: list[tuple[str, str | None]] = [(str(seed), None), (str(corpus), None)]

        settings = load_settings(
            {"SECTORBOT_DATA_DIR": str(root / "data"), "SECTORBOT_CONFIG": str(args.config)}
        )
        services = build_services(settings)

        # Load the model outside the timed refresh, so chunks/s is about ingest, not start-up.
        started = time.perf_counter()
        services.kb.embedder.embed(["warm up the embedding model"])
        sections.append(("model", [("model_load_s", time.perf_counter() - started)]))

        summary, seconds = _timed(lambda: refresh(services.kb, locations, full=False, reset=True))
        sections.append(
            (
                "full ingest (reset, empty embedding cache)",
                [
                    ("documents", summary.documents),
                    ("failed_documents", len(summary.failed)),
                    ("chunks", summary.chunks),
                    ("embedded_texts", summary.embedded),
                    ("seconds", seconds),
                    ("chunks_per_s", summary.chunks / seconds if seconds else 0.0),
                    ("embedded_texts_per_s", summary.embedded / seconds if seconds else 0.0),
                ],
            )
        )

        sections.append(("peers on the same chunks", _peers(services, summary.chunks, seconds)))

        summary, seconds = _timed(lambda: refresh(services.kb, locations, full=False))
        sections.append(("no-op re-ingest (same sources)", _incremental_rows(summary, seconds)))

        with touched.open("a", encoding="utf-8") as handle:
            handle.write(APPENDED)
        summary, seconds = _timed(lambda: refresh(services.kb, locations, full=False))
        rows = [("touched_file", touched.name), *_incremental_rows(summary, seconds)]
        sections.append(("re-ingest after appending a paragraph to one file", rows))
        if args.small_files:
            sections.append(
                (f"full ingest of {args.small_files} small files", _small_files(root, args))
            )
        sections.append(("memory", [("peak_rss_mb", peak_rss_mb())]))
    emit(sections, args.as_json)


def _peers(services: Services, chunks: int, seconds: float) -> list[Row]:
    """The bare model and LangChain's Chroma.from_documents over the version just built."""
    from _recipe import MiniLMEmbeddings
    from langchain_chroma import Chroma
    from langchain_core.documents import Document

    from knowledge.store import embedding_text

    version = services.kb.current()
    assert version is not None
    every = list(version.all_chunks())
    inner = getattr(services.kb.embedder, "inner", services.kb.embedder)
    texts = [embedding_text(chunk) for chunk in every]
    _, model_seconds = _timed(lambda: inner.embed(texts))
    documents = [Document(page_content=text) for text in texts]
    store, langchain_seconds = _timed(
        lambda: Chroma.from_documents(documents, MiniLMEmbeddings(inner))
    )
    store.delete_collection()
    ingest_rate = chunks / seconds if seconds else 0.0
    model_rate = len(texts) / model_seconds if model_seconds else 0.0
    return [
        ("model_chunks_per_s", model_rate),
        ("langchain_from_documents_chunks_per_s", len(texts) / langchain_seconds),
        ("ingest_chunks_per_s", ingest_rate),
        ("ingest_vs_model", ingest_rate / model_rate if model_rate else 0.0),
    ]


def _small_files(root: Path, args: argparse.Namespace) -> list[Row]:
    """A fresh data dir built from ``--small-files`` short Markdown files."""
    from bot.services import build_services
    from bot.settings import load_settings
    from ingest.pipeline import refresh
    from knowledge.store import embedding_text

    folder = root / "small"
    folder.mkdir()
    for number in range(args.small_files):
        (folder / f"note-{number:05d}.md").write_text(
            f"# Employer note {number}\n\nEmployer {number} asked about training for "
            f"{number % 40 + 2} new hires in county {number % 99}. The college replied the "
            f"same week with a plan.\n",
            encoding="utf-8",
        )
    settings = load_settings(
        {"SECTORBOT_DATA_DIR": str(root / "small-data"), "SECTORBOT_CONFIG": str(args.config)}
    )
    services = build_services(settings)
    services.kb.embedder.embed(["warm up the embedding model"])
    summary, seconds = _timed(
        lambda: refresh(services.kb, [(str(folder), None)], full=False, reset=True)
    )
    version = services.kb.current()
    assert version is not None
    texts = [embedding_text(chunk) for chunk in version.all_chunks()]
    inner = getattr(services.kb.embedder, "inner", services.kb.embedder)
    _, model_seconds = _timed(lambda: inner.embed(texts))
    services.close()
    return [
        ("documents", summary.documents),
        ("chunks", summary.chunks),
        ("seconds", seconds),
        ("files_per_s", summary.documents / seconds if seconds else 0.0),
        ("model_alone_on_the_same_chunks_s", model_seconds),
    ]


def _parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=(
            "Time a full ingest of seed + corpus into a fresh data dir, a no-op re-ingest, and a "
            "re-ingest after one file changes. Prints numbers; never asserts."
        )
    )
    parser.add_argument(
        "--touch",
        help="corpus file name to append a paragraph to (default: the first .md or .txt file)",
    )
    parser.add_argument(
        "--small-files",
        type=int,
        default=5000,
        help="also build a fresh knowledge base from this many small files (0: skip)",
    )
    add_common_options(parser)
    return parse(parser)


def _pick_file(corpus: Path, name: str | None) -> Path:
    if name:
        path = corpus / name
        if not path.is_file():
            raise SystemExit(f"--touch: no such file in the corpus: {name}")
        return path
    candidates = sorted(p for p in corpus.rglob("*") if p.suffix in {".md", ".txt"})
    if not candidates:
        raise SystemExit("no .md or .txt file in the corpus to edit; pass --touch")
    return candidates[0]


def _timed(run: Callable[[], T]) -> tuple[T, float]:
    started = time.perf_counter()
    result = run()
    return result, time.perf_counter() - started


def _incremental_rows(summary: RefreshSummary, seconds: float) -> list[Row]:
    return [
        ("added", len(summary.added)),
        ("updated", len(summary.updated)),
        ("unchanged", len(summary.unchanged)),
        ("removed", len(summary.removed)),
        ("chunks", summary.chunks),
        ("embedded_texts", summary.embedded),
        ("seconds", seconds),
    ]


if __name__ == "__main__":
    main()
