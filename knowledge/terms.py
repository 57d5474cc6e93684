"""Words as the keyword index and the answering steps compare them: tokens, stop words, stems.

Stems come from the Snowball English stemmer (PyStemmer) and stop words from bm25s's English
list, plus the words people use to ask rather than to say what they ask about.
"""

from __future__ import annotations

import functools
import importlib.util
import re
from pathlib import Path

import Stemmer

# Numbers keep their inner punctuation ("$1.45", "84A.15", "515-725-3882", "260E") so a question
# quoting one matches the document exactly. Measured beside bm25s's default pattern, BM25 first
# document: sample 81.6% -> 87.8%, real pages 73.9% -> 76.8% (with the asking words below).
_TOKEN = re.compile(r"\$?\d[\w,.\-/]*[\w%]|\$?\d|[a-z][a-z0-9]*(?:['’][a-z]+)?", re.IGNORECASE)

# Chat and asking words that carry no topic ("i wanna know", "pls tell me"); with them BM25 first
# document is sample 87.8% / real 76.8%, without them 81.6% / 73.9%.
_ASKING_WORDS = frozenset(
    """actually also anything basically could exactly get go going gonna got hafta hello hey hi
    i'm i've im ive kind kinds know let's like lot lots many much need needs ok okay one ones
    please pls r really rn somebody someone something sort sorts stuff tell thank thanks that's
    thats thing things type types u ur wanna want wants way we're what's whats who's would
    """.split()
)


def _bm25s_stop_words() -> frozenset[str]:
    """bm25s's English stop words, read without importing the bm25s package.

    The package imports scipy (0.2 s of a cold ``sectorbot ask``, which never builds an index);
    its stop-word module imports nothing, so it is loaded from its file on its own.
    """
    package = importlib.util.find_spec("bm25s")
    if package is None or not package.submodule_search_locations:
        raise ImportError("bm25s is not installed")
    source = Path(next(iter(package.submodule_search_locations))) / "stopwords.py"
    spec = importlib.util.spec_from_file_location("_bm25s_stop_words", source)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot read {source}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return frozenset(module.STOPWORDS_EN_PLUS)


STOPWORDS = _bm25s_stop_words() | _ASKING_WORDS

_STEMMER = Stemmer.Stemmer("english")


def tokens(text: str) -> list[str]:
    """Lower-case word and number tokens, apostrophes normalised."""
    return [t.lower().replace("’", "'").rstrip(".,-/") for t in _TOKEN.findall(text)]


# Opening a large knowledge base stems millions of words drawn from a far smaller vocabulary.
@functools.lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """The Snowball stem of a word; numbers and codes stay as written."""
    if word[:1].isdigit() or word.startswith("$"):
        return word
    return str(_STEMMER.stemWord(word.removesuffix("'s")))


def content_terms(text: str) -> list[str]:
    """Stemmed tokens without stop words: the terms that carry a text's meaning."""
    return [stem(t) for t in tokens(text) if t not in STOPWORDS and len(t) > 1 or t[:1].isdigit()]


def name_terms(text: str) -> frozenset[str]:
    """The terms of the words a text writes as names ("Iowa", "SBA", "260E").

    Names are capitalised words that do not just open a sentence, acronyms, and codes of digits
    and letters. Plain numbers are left out: in a question they are mostly the asker's own
    ("40 of our 80").
    """
    names = []
    previous_end = 0
    for match in _TOKEN.finditer(text):
        word = match.group(0)
        gap = text[previous_end : match.start()].rstrip()
        opens_sentence = previous_end == 0 or gap.endswith((".", "?", "!"))
        previous_end = match.end()
        acronym = len(word) > 1 and word.isupper()
        code = word[0].isdigit() and any(c.isalpha() for c in word)
        if code or acronym or (word[0].isupper() and not opens_sentence):
            names.append(word)
    return frozenset(content_terms(" ".join(names)))
