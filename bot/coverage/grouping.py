"""Group failed questions that ask the same thing, so each group is one document to add.

Greedy clustering on MiniLM embeddings: distinct wordings are visited most-asked first, and each
joins the group whose centroid it is most similar to when that similarity reaches
``SIMILARITY_THRESHOLD``, or starts a new group. The visiting order is fixed by the data alone,
so the same rows always give the same groups.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from bot.coverage.gather import Gap
from knowledge import Embedder, Vectors

# Measured with all-MiniLM-L6-v2 on questions about sector partnerships
# (tests/bot/test_coverage_grouping.py): a paraphrase scores 0.81-0.92 against the centroid of
# the rest of its family, while different questions that merely share the words "sector
# partnership" reach 0.65 against a family's centroid. On a larger, shuffled set, 0.65 merged
# different topics about twice as often as 0.7, and 0.75 split paraphrases much more. Merging
# two gaps hides a missing document, splitting one only lists it twice: so 0.7, not lower.
SIMILARITY_THRESHOLD = 0.7
OTHER_WORDINGS = 3


@dataclass(frozen=True)
class GapGroup:
    """Questions that ask the same thing, and how often and by whom they were asked.

    ``declined`` and ``not_helpful`` split ``count``: a question the bot declined counts as
    declined even when someone also clicked "Not helpful" on the reply.
    """

    question: str
    count: int
    askers: int
    first_asked: dt.datetime
    last_asked: dt.datetime
    declined: int
    not_helpful: int
    other_wordings: tuple[str, ...]


@dataclass
class _Wording:
    """One distinct wording (compared without case, spacing or end punctuation) and its gaps."""

    key: str
    gaps: list[Gap]

    @property
    def text(self) -> str:
        return max(self.gaps, key=lambda gap: (gap.asked_at, gap.turn_id)).wording

    @property
    def last_asked(self) -> dt.datetime:
        return max(gap.asked_at for gap in self.gaps)


def group_gaps(gaps: Sequence[Gap], embedder: Embedder) -> list[GapGroup]:
    """Group ``gaps`` by meaning; largest groups first, then the most recently asked."""
    wordings = _wordings(gaps)
    if not wordings:
        return []
    vectors = embedder.embed([wording.key for wording in wordings])
    clusters = _cluster(vectors, [len(wording.gaps) for wording in wordings])
    groups = [_group([wordings[i] for i in members], vectors[members]) for members in clusters]
    return sorted(
        groups, key=lambda group: (-group.count, -group.last_asked.timestamp(), group.question)
    )


def _wordings(gaps: Sequence[Gap]) -> list[_Wording]:
    by_key: dict[str, _Wording] = {}
    for gap in gaps:
        key = _normalise(gap.wording)
        if key:
            by_key.setdefault(key, _Wording(key, [])).gaps.append(gap)
    # Most-asked first, so the common wording seeds its group's centroid.
    return sorted(
        by_key.values(),
        key=lambda wording: (-len(wording.gaps), -wording.last_asked.timestamp(), wording.key),
    )


def _normalise(question: str) -> str:
    return " ".join(question.casefold().split()).rstrip("?!. ")


def _cluster(vectors: Vectors, weights: Sequence[int]) -> list[list[int]]:
    """Greedy centroid clustering; returns the member indexes of each cluster."""
    sums = np.zeros_like(vectors)
    centroids = np.zeros_like(vectors)
    members: list[list[int]] = []
    for index, vector in enumerate(vectors):
        count = len(members)
        if count:
            similarities = centroids[:count] @ vector
            best = int(np.argmax(similarities))
            if similarities[best] >= SIMILARITY_THRESHOLD:
                # Weighted by how often a wording was asked, so one odd phrasing cannot drag
                # a well-established group away from what most people asked.
                sums[best] += weights[index] * vector
                centroids[best] = sums[best] / np.linalg.norm(sums[best])
                members[best].append(index)
                continue
        sums[count] = weights[index] * vector
        centroids[count] = vector
        members.append([index])
    return members


def _group(wordings: list[_Wording], vectors: Vectors) -> GapGroup:
    centroid = vectors.sum(axis=0)
    closeness = vectors @ (centroid / np.linalg.norm(centroid))
    # The most-asked wording represents the group; among equals, the most typical one.
    ranked = sorted(
        range(len(wordings)),
        key=lambda i: (-len(wordings[i].gaps), -float(closeness[i]), wordings[i].key),
    )
    gaps = [gap for wording in wordings for gap in wording.gaps]
    declined = sum(1 for gap in gaps if gap.declined)
    return GapGroup(
        question=wordings[ranked[0]].text,
        count=len(gaps),
        askers=len({gap.user_id for gap in gaps}),
        first_asked=min(gap.asked_at for gap in gaps),
        last_asked=max(gap.asked_at for gap in gaps),
        declined=declined,
        not_helpful=len(gaps) - declined,
        other_wordings=tuple(wordings[i].text for i in ranked[1 : 1 + OTHER_WORDINGS]),
    )
