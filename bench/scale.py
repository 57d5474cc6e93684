"""Scale: a synthetic corpus grown to 1k / 10k / 100k chunks, queried embedded and via a server.

The real documents are ingested once with the real model. Each size is then written as a new
knowledge-base version that carries the real documents over and adds synthetic ones, through the
pipeline's own writers, so the answering path measured is the one the bot runs. Embedding 100k
chunks with MiniLM would take hours here, so synthetic chunks recombine real sentences of one
document and get perturbed copies of those sentences' real vectors.

Every step runs in its own process: a measurement's RSS is then that of a bot process answering
from that version, not the writer's, and the embedded files are closed before a Chroma server
opens them. Prints numbers only; it never asserts. Run ``python bench/scale.py --help``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
from _machine import (
    SHARED,
    Row,
    add_common_options,
    emit,
    machine_info,
    parse,
    percentile,
    process_kb,
    use_repo_imports,
)

SYNTHETIC_PREFIX = "synthetic-"
CHUNKS_PER_DOCUMENT = 8
# Norm of the Gaussian noise added to a unit vector: cosine to the original is about 0.94, so a
# synthetic copy is close to the sentence it came from without being the same point.
NOISE = 0.35
WRITE_BATCH = 2000
PREFIX = 40
# The suffix that varies a synthetic document's title: "(Polk County, 2019 edition)".
_VARIANT = re.compile(r" \([A-Za-z ]+ County, \d{4} edition\)")
COUNTIES = (
    "Polk", "Linn", "Scott", "Johnson", "Black Hawk", "Woodbury", "Story", "Dubuque",
    "Pottawattamie", "Dallas", "Warren", "Clinton", "Cerro Gordo", "Muscatine", "Marshall",
    "Des Moines", "Wapello", "Jasper", "Webster", "Sioux", "Lee", "Marion", "Buena Vista",
    "Boone", "Plymouth", "Carroll", "Henry", "Mahaska", "Clay", "Winneshiek",
)  # fmt: skip


def main() -> None:
    args = _parse_args()
    use_repo_imports()
    if args.step:
        result = {"base": _step_base, "grow": _step_grow, "measure": _step_measure}[args.step](args)
        print(json.dumps(result))
        return
    sections: list[tuple[str, list[Row]]] = [("machine", machine_info())]
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="sb-scale-") as scratch:
        data_dir = args.data_dir.resolve() if args.data_dir else Path(scratch) / "data"
        base = _child(args, data_dir, ["--step", "base"])
        sections.append(
            (
                "real documents (real MiniLM embeddings)",
                [
                    ("kb", "built" if base["built"] else "reused"),
                    ("documents", base["documents"]),
                    ("chunks", base["chunks"]),
                    ("seconds", base["seconds"]),
                ],
            )
        )
        for size in args.sizes:
            grown = _child(
                args, data_dir, ["--step", "grow", "--size", str(size), "--base", base["version"]]
            )
            rows: list[Row] = [
                ("chunks", grown["chunks"]),
                ("synthetic_chunks", grown["synthetic_chunks"]),
                ("documents", grown["documents"]),
                ("sentence_items", grown["sentence_items"]),
                ("write_s", grown["seconds"]),
                ("unmatched_texts", grown["unmatched_texts"]),
            ]
            for mode in args.modes:
                measured = _measure(args, data_dir, mode)
                rows += [(f"{mode}_{name}", value) for name, value in measured.items()]
            sections.append((f"{size} chunks", rows))
    sections.append(("run", [("total_s", time.perf_counter() - started)]))
    emit(sections, args.as_json)


def _parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=(
            "Grow a synthetic corpus to each size and measure warm answer latency, the time to "
            "open the version and the process RSS, with embedded Chroma and a Chroma server. "
            "Prints numbers; never asserts."
        )
    )
    parser.add_argument(
        "--sizes",
        type=_sizes,
        default=[1000, 10_000, 100_000],
        help="total chunks per version, comma-separated (default 1000,10000,100000)",
    )
    parser.add_argument(
        "--modes",
        type=_modes,
        default=["embedded", "server"],
        help="embedded, server or both (default embedded,server)",
    )
    parser.add_argument("--rounds", type=int, default=3, help="timed passes over the questions")
    parser.add_argument(
        "--questions",
        type=Path,
        default=SHARED / "eval" / "dev_questions.jsonl",
        help="JSONL file with a `question` per line",
    )
    parser.add_argument(
        "--max-questions", type=int, default=0, help="use only the first N questions (0: all)"
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        help="keep the real documents' knowledge base here and reuse it on the next run",
    )
    # The steps each run in a child process; not for people.
    parser.add_argument("--step", choices=["base", "grow", "measure"], help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--base", help=argparse.SUPPRESS)
    parser.add_argument("--chroma-port", type=int, help=argparse.SUPPRESS)
    add_common_options(parser)
    args = parse(parser)
    args.data_dir_for_step = os.environ.get("SB_SCALE_DATA_DIR")
    return args


def _sizes(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part.strip()]


def _modes(text: str) -> list[str]:
    modes = [part.strip() for part in text.split(",") if part.strip()]
    unknown = set(modes) - {"embedded", "server"}
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown mode(s): {', '.join(sorted(unknown))}")
    return modes


# --- the parent: runs each step as a child process --------------------------------------------


def _child(
    args: argparse.Namespace, data_dir: Path, step: list[str], *, port: int | None = None
) -> dict[str, Any]:
    command = [sys.executable, str(Path(__file__).resolve()), *step]
    command += ["--config", str(args.config), "--seed", str(args.seed)]
    command += ["--corpus", str(args.corpus), "--questions", str(args.questions)]
    command += ["--rounds", str(args.rounds), "--max-questions", str(args.max_questions)]
    if port is not None:
        command += ["--chroma-port", str(port)]
    env = dict(os.environ, SB_SCALE_DATA_DIR=str(data_dir))
    done = subprocess.run(command, env=env, stdout=subprocess.PIPE, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"step {' '.join(step)} failed with exit code {done.returncode}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _measure(args: argparse.Namespace, data_dir: Path, mode: str) -> dict[str, Any]:
    if mode == "embedded":
        return _child(args, data_dir, ["--step", "measure"])
    with _chroma_server(data_dir / "chroma") as (port, pid, ready_s):
        measured = _child(args, data_dir, ["--step", "measure"], port=port)
        rss, peak = _rss_mb(pid)
    return {**measured, "chroma_ready_s": ready_s, "chroma_rss_mb": rss, "chroma_peak_mb": peak}


@contextmanager
def _chroma_server(path: Path) -> Iterator[tuple[int, int, float]]:
    """``chroma run`` on 127.0.0.1 over the files the embedded steps wrote; stopped on exit."""
    port = _free_port()
    chroma = Path(sys.executable).parent / "chroma"
    executable = str(chroma) if chroma.exists() else (shutil.which("chroma") or "chroma")
    command = [executable, "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)]
    started = time.perf_counter()
    with tempfile.TemporaryFile() as log:
        server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        try:
            _wait_for_port(port, server, log)
            yield port, server.pid, time.perf_counter() - started
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_for_port(port: int, server: subprocess.Popen[bytes], log: Any) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            log.seek(0)
            raise SystemExit(f"chroma run exited early:\n{log.read().decode(errors='replace')}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("chroma run did not start listening within 60 s")


def _rss_mb(pid: int) -> tuple[float, float]:
    """Current and peak resident set size of a process, from ``/proc/PID/status``."""
    current, peak = process_kb(pid, "VmRSS:"), process_kb(pid, "VmHWM:")
    return round((current or 0) / 1024, 1), round((peak or 0) / 1024, 1)


# --- the steps, each in its own process --------------------------------------------------------


def _services(args: argparse.Namespace) -> Any:
    from bot.services import build_services
    from bot.settings import load_settings

    environ = {"SECTORBOT_DATA_DIR": args.data_dir_for_step, "SECTORBOT_CONFIG": str(args.config)}
    if args.chroma_port:
        environ |= {"CHROMA_HOST": "127.0.0.1", "CHROMA_PORT": str(args.chroma_port)}
    return build_services(load_settings(environ))


def _step_base(args: argparse.Namespace) -> dict[str, Any]:
    """Serve the real documents' version, building it (real model) unless the data dir has it."""
    from ingest.pipeline import refresh
    from knowledge.store import registry

    services = _services(args)
    engine = services.kb.engine
    started = time.perf_counter()
    for version in registry.list_versions(engine):
        documents = registry.documents_of(engine, version.version_id)
        if version.status == "ready" and not any(map(_is_synthetic, documents)):
            registry.switch_to(engine, version.version_id)
            return _base_result(version, False, time.perf_counter() - started)
    locations: list[tuple[str, str | None]] = [(str(args.seed), None), (str(args.corpus), None)]
    refresh(services.kb, locations, full=False, reset=True)
    built = registry.current_version(engine)
    assert built is not None
    return _base_result(built, True, time.perf_counter() - started)


def _base_result(version: Any, built: bool, seconds: float) -> dict[str, Any]:
    return {
        "version": version.version_id,
        "built": built,
        "documents": version.document_count,
        "chunks": version.chunk_count,
        "seconds": round(seconds, 2),
    }


def _is_synthetic(doc_id: str) -> bool:
    return doc_id.startswith(SYNTHETIC_PREFIX)


def _step_grow(args: argparse.Namespace) -> dict[str, Any]:
    """Publish a version holding the real documents plus synthetic ones, ``--size`` chunks in all.

    The real documents are copied with the pipeline's carry-over (as an unchanged document is
    on a refresh) and synthetic ones written with the pipeline's chunk writer, so ids, metadata,
    section headings and sentence entries are laid out exactly as a refresh lays them out.
    """
    from knowledge.store import registry
    from knowledge.store.builder import VersionBuilder, drop_versions

    services = _services(args)
    kb = services.kb
    engine = kb.engine
    started = time.perf_counter()
    base = next(v for v in registry.list_versions(engine) if v.version_id == args.base)
    registry.switch_to(engine, base.version_id)
    # Earlier synthetic versions go first, so the server only ever holds the one measured.
    for old in registry.list_versions(engine):
        if old.version_id != base.version_id:
            drop_versions(kb, [old.version_id])
            registry.forget_versions(engine, [old.version_id])

    real = registry.documents_of(engine, base.version_id)
    pool = _SentencePool(kb.chroma, engine, base.version_id, list(real))
    embedder = _SyntheticEmbedder(pool.vectors, base.embedding_model)
    builder = VersionBuilder(kb, embedder)  # type: ignore[arg-type]
    builder.carry_over(base, list(real.values()))
    wanted = max(0, args.size - base.chunk_count)
    batch: list[Any] = []
    for document, chunks in _synthetic_documents(pool, wanted):
        batch.append((document, chunks))
        if sum(len(chunks) for _, chunks in batch) >= WRITE_BATCH:
            builder.add(batch)
            batch = []
    builder.add(batch)
    builder.publish()
    return {
        "version": builder.version_id,
        "chunks": builder.chunk_count,
        "synthetic_chunks": wanted,
        "documents": len(builder.documents),
        "sentence_items": builder.sentence_count,
        "seconds": round(time.perf_counter() - started, 1),
        "unmatched_texts": embedder.unmatched,
    }


class _SentencePool:
    """The real documents' chunks and sentences, with the vectors the real model gave them."""

    def __init__(self, client: Any, engine: Any, version_id: str, doc_ids: list[str]) -> None:
        from knowledge.store.layout import (
            chunk_collection_name,
            chunk_from_item,
            sentence_collection_name,
        )
        from knowledge.store.sentences import open_sentences
        from knowledge.store.vectors import VectorCollection

        chunks = VectorCollection(client, chunk_collection_name(version_id))
        sentences = open_sentences(engine, client, version_id, sentence_collection_name(version_id))
        self.chunks = sorted(
            (chunk_from_item(item) for item in chunks.get_by_documents(doc_ids)),
            key=lambda chunk: (chunk.doc_id, chunk.position),
        )
        self.vectors: dict[str, np.ndarray] = {}
        # A synthetic chunk without headings stores its title as its heading; the original
        # document's opening chunk stands in for that title's meaning.
        for item in sorted(chunks.get_by_documents(doc_ids), key=lambda i: i.item_id):
            assert item.vector is not None
            self.vectors.setdefault(str(item.metadata.get("title", "")), item.vector)
        self.sentences: dict[str, list[str]] = {}
        for item in sorted(sentences.get_by_documents(doc_ids), key=lambda i: i.item_id):
            assert item.vector is not None
            self.vectors.setdefault(item.text, item.vector)
            if int(item.metadata.get("index", -1)) >= 0:
                self.sentences.setdefault(str(item.metadata["doc_id"]), []).append(item.text)
        self.documents = sorted(doc for doc in self.sentences if self.sentences[doc])


class _SyntheticEmbedder:
    """Perturbed real vectors: a known sentence's own, else the mean of the known ones in a text."""

    def __init__(self, known: dict[str, np.ndarray], model_id: str) -> None:
        from knowledge.sentences import split_sentences

        self.model_id = model_id
        self._known = known
        self._split = split_sentences
        self._rng = np.random.default_rng(0)
        self.unmatched = 0
        # Sentences re-split from a longer text (or put after their section, as table rows and
        # list items are) do not always come back character for character.
        self._by_prefix = {text[:PREFIX]: vector for text, vector in known.items()}

    def _lookup(self, sentence: str) -> np.ndarray | None:
        after_section = sentence.split(": ", 1)[-1]
        candidates = (sentence, after_section, after_section.replace("; ", " | "), f"- {sentence}")
        for candidate in candidates:
            vector = self._known.get(candidate)
            if vector is None:
                vector = self._by_prefix.get(candidate[:PREFIX])
            if vector is not None:
                return vector
        return None

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not len(texts):
            return np.zeros((0, 384), dtype=np.float32)
        rows = []
        for text in texts:
            vector = self._known.get(_VARIANT.sub("", text))
            if vector is None:
                # Chunk texts, headings joined to sentences, a sentence with the one before it.
                parts = [v for s in self._split(text) if (v := self._lookup(s)) is not None]
                if parts:
                    vector = np.mean(parts, axis=0)
                else:
                    self.unmatched += 1
                    seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "little")
                    vector = np.random.default_rng(seed).standard_normal(384)
            rows.append(vector / (np.linalg.norm(vector) or 1.0))
        vectors = np.vstack(rows)
        noise = self._rng.standard_normal(vectors.shape) * (NOISE / np.sqrt(vectors.shape[1]))
        vectors = vectors + noise
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors.astype(np.float32)


def _synthetic_documents(pool: _SentencePool, chunk_count: int) -> Iterator[tuple[Any, list[Any]]]:
    """Documents of up to eight chunks, each a real document's sentences recombined."""
    import datetime as dt

    from knowledge.sentences import split_sentences
    from knowledge.store import registry
    from knowledge.types import Chunk

    rng = np.random.default_rng(1)
    by_document: dict[str, list[Any]] = {}
    for chunk in pool.chunks:
        by_document.setdefault(chunk.doc_id, []).append(chunk)
    now = dt.datetime.now(dt.UTC)
    made = 0
    number = 0
    while made < chunk_count:
        source_id = pool.documents[number % len(pool.documents)]
        variant = number // len(pool.documents)
        originals = by_document[source_id]
        sentences = pool.sentences[source_id]
        doc_id = f"{SYNTHETIC_PREFIX}{number:07d}"
        county = COUNTIES[variant % len(COUNTIES)]
        title = f"{originals[0].title} ({county} County, {2014 + variant % 12} edition)"
        size = min(CHUNKS_PER_DOCUMENT, chunk_count - made)
        chunks = []
        for position in range(size):
            model = originals[position % len(originals)]
            count = max(1, min(len(sentences), len(split_sentences(model.text))))
            picked = sorted(rng.choice(len(sentences), size=count, replace=False))
            chunks.append(
                Chunk(
                    chunk_id=f"{doc_id}-{position:04d}",
                    doc_id=doc_id,
                    text="\n".join(sentences[i] for i in picked),
                    title=title,
                    headings=model.headings,
                    path=f"synthetic/{doc_id}.txt",
                    url=None,
                    date=model.date,
                    position=position,
                )
            )
        text = "\n".join(chunk.text for chunk in chunks)
        record = registry.DocumentRecord(
            doc_id=doc_id,
            source=f"synthetic/{doc_id}.txt",
            title=title,
            kind="text",
            url=None,
            path=f"synthetic/{doc_id}.txt",
            date=originals[0].date,
            content_hash=hashlib.sha256(text.encode()).hexdigest(),
            chunk_count=size,
            fetched_at=now,
            origin="manual",
        )
        yield record, chunks
        made += size
        number += 1


def _step_measure(args: argparse.Namespace) -> dict[str, Any]:
    """Open the current version as the bot does, then answer the questions warm."""
    services = _services(args)
    services.kb.embedder.embed(["load the embedding model before the clock starts"])
    rss_before, _ = _rss_mb(os.getpid())
    started = time.perf_counter()
    version = services.kb.current()
    open_s = time.perf_counter() - started
    rss_opened, _ = _rss_mb(os.getpid())
    assert version is not None
    lines = args.questions.read_text(encoding="utf-8").splitlines()
    questions = [json.loads(line)["question"] for line in lines if line.strip()]
    if args.max_questions:
        questions = questions[: args.max_questions]

    started = time.perf_counter()
    for question in questions:
        services.answerer.answer(question)
    warmup_s = time.perf_counter() - started
    totals: list[float] = []
    retrieves: list[float] = []
    confident = 0
    real_first = 0
    for _ in range(args.rounds):
        for question in questions:
            answer = services.answerer.answer(question)
            totals.append(answer.timings_ms["total"])
            retrieves.append(answer.timings_ms["retrieve"])
            confident += answer.confident
            real_first += bool(answer.sources) and not str(answer.sources[0].path or "").startswith(
                "synthetic/"
            )
    rss, peak = _rss_mb(os.getpid())
    # A peer of opening: reading every chunk back, as an open did before a version's facts were
    # stored with it. Timed last, in the same process, so it adds nothing to the RSS above.
    started = time.perf_counter()
    read = sum(len(page) for page in version.chunks.pages())
    read_all_s = time.perf_counter() - started
    assert read == version.chunks.count()
    samples = len(totals) or 1
    return {
        "chunks": version.chunks.count(),
        "open_s": round(open_s, 2),
        "read_every_chunk_s": round(read_all_s, 2),
        "warmup_pass_s": round(warmup_s, 2),
        "p50_ms": round(percentile(totals, 50), 1),
        "p95_ms": round(percentile(totals, 95), 1),
        "max_ms": round(max(totals, default=0.0), 1),
        "retrieve_p95_ms": round(percentile(retrieves, 95), 1),
        "samples": len(totals),
        "confident_share": round(confident / samples, 2),
        "real_first_source_share": round(real_first / samples, 2),
        "rss_before_open_mb": rss_before,
        "rss_opened_mb": rss_opened,
        "rss_mb": rss,
        "peak_rss_mb": peak,
        "loadavg_1m": round(os.getloadavg()[0], 2),
    }


if __name__ == "__main__":
    main()
