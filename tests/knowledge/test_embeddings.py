"""The offline MiniLM embedder and the embedding cache in front of it."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from tokenizers import Tokenizer

from knowledge import embeddings
from knowledge.embeddings import (
    MINILM_TOKENIZER,
    MiniLMEmbedder,
    ModelFileError,
    embed_spans,
    make_embedder,
)
from knowledge.store.db import make_engine
from knowledge.store.embedding_cache import CachedEmbedder
from tests.conftest import REPO
from tests.fakes.embeddings import FakeEmbedder

# About 160 word-piece tokens: longer than the 128 the tokenizer file truncates at by itself.
LONG_PREFIX = " ".join(["employers", "training", "region", "college", "workforce"] * 32)


def test_minilm_returns_normalised_384_dimensional_float32_rows(minilm: MiniLMEmbedder) -> None:
    vectors = minilm.embed(["What is a sector partnership?", "Who runs them?", "Ames"])

    assert vectors.shape == (3, 384)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_minilm_embeds_nothing_as_an_empty_matrix(minilm: MiniLMEmbedder) -> None:
    assert minilm.embed([]).shape == (0, 384)


def test_similar_sentences_score_higher_than_unrelated_ones(minilm: MiniLMEmbedder) -> None:
    question, similar, unrelated = minilm.embed(
        [
            "How do employers join a sector partnership?",
            "Businesses become members of an industry sector partnership by calling IWD.",
            "It will rain in Des Moines tomorrow.",
        ]
    )

    assert question @ similar > question @ unrelated + 0.3


def test_a_text_is_embedded_the_same_alone_or_padded_in_a_batch(minilm: MiniLMEmbedder) -> None:
    alone = minilm.embed(["Sector partnerships are regional."])[0]
    longer = [f"{LONG_PREFIX} {n}" for n in range(embeddings.FEW_TEXTS)]
    batched = minilm.embed(["Sector partnerships are regional.", *longer])[0]

    np.testing.assert_allclose(alone, batched, atol=1e-5)


def test_a_few_texts_embedded_side_by_side_come_back_in_the_order_given(
    minilm: MiniLMEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    texts = ["Who runs the sector partnerships now?", "PACE", "When did IWD take them over?"]
    one_by_one = np.vstack([minilm.embed([text]) for text in texts])
    monkeypatch.setattr(embeddings, "EMBED_THREADS", 2)

    together = minilm.embed(texts)

    np.testing.assert_allclose(together, one_by_one, atol=1e-6)


def test_a_question_is_embedded_while_a_long_batch_job_holds_its_threads(
    minilm: MiniLMEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A refresh in the Slack app's process embeds thousands of chunks; a question asked then
    # must not wait for them. The batch job's passes are held until the question is done.
    monkeypatch.setattr(embeddings, "EMBED_THREADS", 2)
    released, holding = threading.Event(), threading.Barrier(3)
    real_batch = MiniLMEmbedder._embed_batch

    def held(self: MiniLMEmbedder, session: object, tokenizer: object, texts: list[str]) -> object:
        if len(texts) > 1 and not released.is_set():
            holding.wait(timeout=60)
            released.wait(timeout=60)
        return real_batch(self, session, tokenizer, texts)

    monkeypatch.setattr(MiniLMEmbedder, "_embed_batch", held)
    job = threading.Thread(target=minilm.embed, args=([f"chunk {n} text" for n in range(32)],))
    job.start()
    holding.wait(timeout=60)  # both of the job's threads are busy now
    asked: list[np.ndarray] = []
    question = threading.Thread(
        target=lambda: asked.append(minilm.embed(["Who runs them now?", "Since when?"]))
    )
    question.start()
    question.join(timeout=60)
    answered = not question.is_alive()
    released.set()
    job.join(timeout=60)

    assert answered and asked[0].shape == (2, minilm.dimensions)


def test_batches_run_on_several_threads_give_each_text_its_own_vectors(
    minilm: MiniLMEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    texts = [f"Partnership number {n} meets in region {n % 5}. " * (1 + n % 4) for n in range(40)]
    spans = [[(0, 12), (13, 30)] for _ in texts]
    monkeypatch.setattr(embeddings, "EMBED_THREADS", 1)
    one_vectors = minilm.embed(texts)
    one_chunks, one_spans = minilm.embed_spans(texts, spans)
    monkeypatch.setattr(embeddings, "EMBED_THREADS", 3)

    chunks, pooled = minilm.embed_spans(texts, spans)

    np.testing.assert_array_equal(minilm.embed(texts), one_vectors)
    np.testing.assert_array_equal(chunks, one_chunks)
    for mine, theirs in zip(pooled, one_spans, strict=True):
        np.testing.assert_array_equal(mine, theirs)


def test_text_after_the_first_128_tokens_still_counts(minilm: MiniLMEmbedder) -> None:
    untruncated = Tokenizer.from_file(str(MINILM_TOKENIZER))
    untruncated.no_truncation()
    assert len(untruncated.encode(LONG_PREFIX).ids) > 150

    first, second = minilm.embed(
        [
            LONG_PREFIX + " The partnership meets in Ames to plan welding courses.",
            LONG_PREFIX + " Heavy rain and strong winds are expected across the state.",
        ]
    )

    assert first @ second < 0.99


def test_a_tampered_tokenizer_file_is_refused(tmp_path: Path) -> None:
    data = bytearray(MINILM_TOKENIZER.read_bytes())
    data[100] = ord("X") if data[100] != ord("X") else ord("Y")
    tampered = tmp_path / "tokenizer.json"
    tampered.write_bytes(bytes(data))

    with pytest.raises(ModelFileError, match="tokenizer.json"):
        MiniLMEmbedder(tokenizer_path=tampered).embed(["hello"])


def test_a_missing_model_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ModelFileError, match="missing"):
        MiniLMEmbedder(model_path=tmp_path / "model.onnx").embed(["hello"])


def test_a_model_loaded_in_the_background_embeds_as_one_loaded_on_first_use(
    minilm: MiniLMEmbedder,
) -> None:
    early = make_embedder("minilm", load_now=True)
    assert isinstance(early, MiniLMEmbedder)
    deadline = time.monotonic() + 30
    while early._session is None and time.monotonic() < deadline:
        time.sleep(0.01)

    assert early._session is not None, "the model was not loaded before the first embed"

    np.testing.assert_array_equal(
        early.embed(["join a partnership"]), minilm.embed(["join a partnership"])
    )


def test_a_process_that_ends_while_the_model_loads_waits_for_it_and_exits_cleanly() -> None:
    # Leaving onnxruntime mid-load at exit aborts the process (exit 134); it must finish first.
    probe = (
        "import atexit; from knowledge.embeddings import MiniLMEmbedder\n"
        "embedder = MiniLMEmbedder(); embedder.start_loading()\n"
        "atexit.register(lambda: print('loaded' if embedder._session else 'not loaded'))\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=REPO, check=False
    )

    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "loaded"


def test_a_background_load_that_fails_is_raised_by_the_first_embed(tmp_path: Path) -> None:
    embedder = MiniLMEmbedder(model_path=tmp_path / "model.onnx")
    embedder.start_loading()

    with pytest.raises(ModelFileError, match="missing"):
        embedder.embed(["hello"])


def test_an_unknown_embedding_model_is_an_error_naming_the_setting() -> None:
    with pytest.raises(ValueError, match="EMBEDDING_MODEL"):
        make_embedder("word2vec")


def test_the_cache_embeds_each_distinct_text_once(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'cache.db'}")
    inner = FakeEmbedder()
    cached = CachedEmbedder(inner, engine)

    vectors = cached.embed(["alpha", "beta", "alpha"])

    assert cached.computed == 2
    assert sorted(inner.texts) == ["alpha", "beta"]
    assert vectors.shape == (3, 384)
    np.testing.assert_array_equal(vectors[0], vectors[2])
    np.testing.assert_allclose(vectors, inner.embed(["alpha", "beta", "alpha"]), atol=1e-6)


def test_the_cache_is_shared_by_instances_on_the_same_database(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'cache.db'}")
    first = CachedEmbedder(FakeEmbedder(), engine)
    earlier = first.embed(["alpha", "beta"])
    inner = FakeEmbedder()
    second = CachedEmbedder(inner, engine)

    later = second.embed(["beta", "alpha", "gamma"])

    assert second.computed == 1
    assert inner.texts == ["gamma"]
    np.testing.assert_array_equal(later[0], earlier[1])
    np.testing.assert_array_equal(later[1], earlier[0])


def test_the_cache_is_keyed_by_model(tmp_path: Path) -> None:
    class OtherModel(FakeEmbedder):
        model_id = "another-model"

    engine = make_engine(f"sqlite:///{tmp_path / 'cache.db'}")
    CachedEmbedder(FakeEmbedder(), engine).embed(["alpha"])
    other = CachedEmbedder(OtherModel(), engine)

    other.embed(["alpha"])

    assert other.computed == 1


def test_the_cache_returns_an_empty_matrix_for_no_texts(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'cache.db'}")
    cached = CachedEmbedder(FakeEmbedder(), engine)

    assert cached.embed([]).shape == (0, 384)
    assert cached.computed == 0


def test_a_lone_surrogate_is_embedded_as_an_unknown_character(minilm: MiniLMEmbedder) -> None:
    # Text from a file or a terminal with bad bytes can carry one; the tokenizer used to raise.
    [vector] = minilm.embed(["What is a sector partnership? \ud800"])

    assert abs(float((vector**2).sum()) - 1.0) < 1e-4


PARAGRAPH = (
    "Sector partnerships bring employers of one industry together. IWD took the program over in "
    "September 2022. Its staff now convene new partnerships across the state."
)


def _span(text: str, part: str) -> tuple[int, int]:
    start = text.index(part)
    return start, start + len(part)


def test_a_sentence_is_read_in_its_paragraph_from_the_paragraphs_own_pass(
    minilm: MiniLMEmbedder,
) -> None:
    sentence = "IWD took the program over in September 2022."

    [paragraph], [[in_paragraph]] = minilm.embed_spans([PARAGRAPH], [[_span(PARAGRAPH, sentence)]])
    alone, unrelated = minilm.embed([sentence, "The recipe needs two cups of flour."])

    np.testing.assert_allclose(paragraph, minilm.embed([PARAGRAPH])[0], atol=1e-5)
    assert abs(float(np.linalg.norm(in_paragraph)) - 1.0) < 1e-5
    assert float(in_paragraph @ alone) > 0.7 > float(in_paragraph @ unrelated) + 0.3
    assert float(in_paragraph @ alone) < 0.999  # pooled in context, not embedded again


def test_a_span_past_the_token_limit_is_embedded_on_its_own(minilm: MiniLMEmbedder) -> None:
    text = f"{LONG_PREFIX} {LONG_PREFIX} The last sentence names the Laborshed survey."
    last = "The last sentence names the Laborshed survey."

    _, [[vector]] = minilm.embed_spans([text], [[_span(text, last)]])

    np.testing.assert_allclose(vector, minilm.embed([last])[0], atol=1e-5)


def test_an_embedder_without_spans_embeds_each_span_on_its_own() -> None:
    inner = FakeEmbedder()

    vectors, [pooled] = embed_spans(inner, [PARAGRAPH], [[(0, 20), (21, 40)]])

    assert inner.texts == [PARAGRAPH, PARAGRAPH[0:20], PARAGRAPH[21:40]]
    np.testing.assert_allclose(pooled, inner.embed([PARAGRAPH[0:20], PARAGRAPH[21:40]]), atol=1e-6)
    assert vectors.shape == (1, 384)


def test_the_cache_keeps_span_vectors_and_counts_them_as_texts(
    tmp_path: Path, minilm: MiniLMEmbedder
) -> None:
    cached = CachedEmbedder(minilm, make_engine(f"sqlite:///{tmp_path / 'cache.db'}"))
    spans = [[(0, 20), (21, 60)]]

    first = cached.embed_spans([PARAGRAPH], spans)
    again = cached.embed_spans([PARAGRAPH], spans)

    assert cached.computed == 3  # the paragraph and its two spans, once
    np.testing.assert_array_equal(first[0], again[0])
    np.testing.assert_array_equal(first[1][0], again[1][0])


def test_texts_and_spans_come_back_in_the_order_given(minilm: MiniLMEmbedder) -> None:
    texts = [PARAGRAPH, "Short one.", f"{PARAGRAPH} {PARAGRAPH}", "Mid-length text about IWD."]
    spans = [[(0, 20)], [(0, 5)], [(21, 60)], []]

    together, pooled = minilm.embed_spans(texts, spans)

    for text, own, vector, parts in zip(texts, spans, together, pooled, strict=True):
        [alone], [alone_parts] = minilm.embed_spans([text], [own])
        np.testing.assert_allclose(vector, alone, atol=1e-5)
        np.testing.assert_allclose(parts, alone_parts, atol=1e-5)
    np.testing.assert_allclose(minilm.embed(texts), together, atol=1e-5)
