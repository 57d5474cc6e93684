"""The intent model: fitted on the example phrasings shipped beside it, read by meaning."""

from __future__ import annotations

import hashlib
import json
from importlib import resources

import numpy as np
import pytest

from knowledge.answering.models import LinearModel, load_model
from knowledge.answering.understand import IntentClassifier, Understood, understand
from knowledge.answering.word_features import WordWeights
from knowledge.embeddings import MiniLMEmbedder

CONTACT_NAMES = ["Kathy Leggett"]


@pytest.fixture(scope="module")
def classifier() -> IntentClassifier:
    return IntentClassifier()


def _read(minilm: MiniLMEmbedder, classifier: IntentClassifier, message: str) -> Understood:
    return understand(
        message,
        context=None,
        search=None,
        embedder=minilm,
        classifier=classifier,
        acronyms={},
        contact_names=CONTACT_NAMES,
    )


def test_the_intent_model_was_fitted_on_the_examples_shipped_with_it() -> None:
    # bench/fit_answering.py records the examples' hash; editing them means fitting again.
    examples = resources.files("knowledge.answering.data").joinpath("intent_examples.jsonl")
    digest = hashlib.sha256(examples.read_bytes()).hexdigest()
    model = load_model("intent_model")

    assert model.extra["examples_sha256"] == digest
    labels = {json.loads(line)["intent"] for line in examples.read_text().splitlines() if line}
    assert set(model.classes) == labels
    # One weight per MiniLM dimension, then one per word of the stored vocabulary.
    words = model.extra["words"]["terms"]
    assert len(model.features) == 384 + len(words) == model.coef.shape[1]
    assert model.features[384:] == tuple(f"word:{w}" for w in words)


@pytest.mark.parametrize(
    "message",
    [
        "How can my company join a sector partnership?",
        "We'd like to start a new partnership for food processors in our region",
        "who do I call about joining?",
        "can you put me in touch with whoever does the partnerships at IWD?",
        "Our credit union would like to sponsor the regional health care partnership.",
        "How do I reach Kathy Leggett?",
        # A question, then a short wish to take part: the words carry what the vector blurs.
        "What do sector partnerships do for employers? We'd like to take part.",
        "How do partnerships choose their priorities? I would love to be included.",
    ],
)
def test_wishes_to_take_part_are_routed(
    minilm: MiniLMEmbedder, classifier: IntentClassifier, message: str
) -> None:
    assert _read(minilm, classifier, message).intent == "involvement"


@pytest.mark.parametrize(
    "message",
    [
        "What is a sector partnership?",
        "In what year did IWD become responsible for the sector partnerships?",
        "How many counties are in the Iowa Plains local area?",
        "What phone number do employers call about unemployment tax?",
        # Informal, with a wish in it, about a program rather than joining a partnership.
        "we'd like to get help paying for safety training, is there a grant?",
        "just want to pay for some tuition for our staff, grant for that?",
        "want to get my guys certified in forklift, any funding?",
    ],
)
def test_questions_are_not_routed(
    minilm: MiniLMEmbedder, classifier: IntentClassifier, message: str
) -> None:
    assert _read(minilm, classifier, message).intent == "question"


@pytest.mark.parametrize("message", ["hi", "Hello there!", "thanks!", "what can you do?"])
def test_greetings_and_thanks_are_small_talk(
    minilm: MiniLMEmbedder, classifier: IntentClassifier, message: str
) -> None:
    assert _read(minilm, classifier, message).intent == "smalltalk"


@pytest.mark.parametrize("message", ["and then?", "where else?", "how about the year before?"])
def test_a_short_follow_up_question_is_a_question_not_small_talk(
    minilm: MiniLMEmbedder, classifier: IntentClassifier, message: str
) -> None:
    # Read as small talk, a follow-up got the greeting and was never joined to its context.
    # None of these is written among the examples.
    assert _read(minilm, classifier, message).intent == "question"


@pytest.mark.parametrize(
    "message",
    [
        "ok thanks for that",
        "great, that helps a lot",
        "that makes sense",
        "ok that makes sense",
        "that makes sense, thanks",
        "that is interesting",
    ],
)
def test_thanks_that_point_back_are_still_small_talk(
    minilm: MiniLMEmbedder, classifier: IntentClassifier, message: str
) -> None:
    assert _read(minilm, classifier, message).intent == "smalltalk"


def test_requests_for_private_details_are_guarded(
    minilm: MiniLMEmbedder, classifier: IntentClassifier
) -> None:
    understood = _read(minilm, classifier, "What is Beth Townsend's personal cell number?")

    assert understood.guard == "private_details"


@pytest.mark.parametrize(
    "message",
    ["Has my unemployment claim gone through yet?", "Where is my refund?"],
)
def test_questions_about_the_askers_own_records_are_guarded(
    minilm: MiniLMEmbedder, classifier: IntentClassifier, message: str
) -> None:
    assert _read(minilm, classifier, message).guard == "own_case"


@pytest.mark.parametrize(
    "message", ["When are grant applications due?", "What was the grant application deadline?"]
)
def test_a_general_question_about_applications_is_not_read_as_the_askers_own_case(
    minilm: MiniLMEmbedder, classifier: IntentClassifier, message: str
) -> None:
    understood = _read(minilm, classifier, message)

    assert understood.intent == "question" and understood.guard is None


def test_an_off_topic_question_is_a_question_with_a_strong_off_topic_signal(
    minilm: MiniLMEmbedder, classifier: IntentClassifier
) -> None:
    understood = _read(minilm, classifier, "What's the best pizza place downtown?")

    assert understood.intent == "question" and understood.guard is None
    assert understood.off_topic[understood.parts[0].focus] > 0.5


def test_a_follow_up_keeps_its_own_intent_and_searches_with_its_context(
    minilm: MiniLMEmbedder, classifier: IntentClassifier
) -> None:
    understood = understand(
        "does it cost anything?",
        context="How can my company join a sector partnership?",
        search=None,
        embedder=minilm,
        classifier=classifier,
        acronyms={},
    )

    assert understood.intent == "question"
    assert understood.parts[0].search.startswith("How can my company join")


def _leaning(involvement: float, question: float, smalltalk: float) -> IntentClassifier:
    """A classifier that gives every message these probabilities."""
    probabilities = np.array([involvement, question, smalltalk])
    return IntentClassifier(
        LinearModel(
            features=("x",),
            classes=("involvement", "question", "smalltalk"),
            mean=np.zeros(1),
            scale=np.ones(1),
            coef=np.zeros((3, 1)),
            intercept=np.log(probabilities),
            extra={},
        )
    )


def test_routing_needs_a_majority_and_otherwise_the_message_is_searched() -> None:
    message = np.zeros(1, dtype=np.float32)

    assert _leaning(0.45, 0.35, 0.2).label(message, "") == "question"
    assert _leaning(0.6, 0.3, 0.1).label(message, "") == "involvement"
    assert _leaning(0.2, 0.25, 0.55).label(message, "") == "smalltalk"


def test_how_off_topic_a_part_is_reads_its_words(minilm: MiniLMEmbedder) -> None:
    # A model in which only the word "weather" says anything: off topic when it is written.
    features = tuple(f"minilm_{i}" for i in range(384)) + ("word:weather",)
    coef = np.zeros((2, len(features)))
    coef[1, -1] = 8.0
    only_words = IntentClassifier(
        LinearModel(
            features=features,
            classes=("question", "off_topic"),
            mean=np.zeros(len(features)),
            scale=np.ones(len(features)),
            coef=coef,
            intercept=np.zeros(2),
            extra={"words": WordWeights(("weather",), np.ones(1)).as_json()},
        )
    )

    weather = _read(minilm, only_words, "What will the weather be in Ames on Friday?")
    forecast = _read(minilm, only_words, "What will the forecast be in Ames on Friday?")

    assert weather.off_topic[weather.parts[0].focus] > 0.99
    assert forecast.off_topic[forecast.parts[0].focus] == pytest.approx(0.5)


def test_a_model_whose_word_features_do_not_match_its_vocabulary_is_refused() -> None:
    model = load_model("intent_model")
    words = WordWeights(("join", "partnership"), np.ones(2))
    broken = LinearModel(
        model.features,
        model.classes,
        model.mean,
        model.scale,
        model.coef,
        model.intercept,
        {"words": words.as_json()},
    )

    with pytest.raises(ValueError, match="vocabulary"):
        IntentClassifier(broken)
