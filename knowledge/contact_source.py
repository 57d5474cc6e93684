"""Which passage to cite when the bot names a contact.

Most documents repeat the contact's phone number, so "any page that mentions it" is a poor
citation. The page to cite is the one that publishes the contact as its own: the page the
contact's settings name as ``source`` when it is indexed, else, among the pages that name them,
the one that as a whole (the mean of its chunk vectors) is most about what the contact is
responsible for (their title).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from knowledge.base import OpenVersion, sentence_id
from knowledge.contacts import Contact
from knowledge.embeddings import Embedder, Vectors
from knowledge.sentences import split_sentences
from knowledge.types import Chunk

# Archived pages, samples and glossaries are not where a contact is published.
SECONDARY_PENALTY = 0.1
# Chunk vectors read at a time when averaging documents.
CENTROID_BATCH = 500


@dataclass
class ContactSources:
    """Finds (and remembers, per knowledge-base version) the page that publishes each contact."""

    embedder: Embedder
    _sentences: dict[tuple[str, str], dict[str, list[str]]] = field(default_factory=dict)
    _home: dict[tuple[str, str], str | None] = field(default_factory=dict)

    def passage(
        self, version: OpenVersion, contact: Contact, question: Vectors | None
    ) -> tuple[Chunk, str] | None:
        """The sentence naming the contact on their home page that best fits the question."""
        by_doc = self._contact_sentences(version, contact)
        home = self._home_page(version, contact, by_doc)
        if home is None:
            return None
        items = version.sentence_items(by_doc[home])
        if not items:
            return None

        def fit(item_id: str) -> float:
            vector = items[item_id].vector
            if question is None or vector is None:
                return 0.0
            return float(vector @ question)

        best = items[max(items, key=fit)]
        return version.chunk_by_id[str(best.metadata["chunk_id"])], best.text

    def _contact_sentences(self, version: OpenVersion, contact: Contact) -> dict[str, list[str]]:
        needle = contact.phone or contact.name
        key = (version.record.version_id, needle)
        if key not in self._sentences:
            by_doc: dict[str, list[str]] = {}
            for chunk_id, chunk in version.chunk_by_id.items():
                if needle not in chunk.text:
                    continue
                for index, sentence in enumerate(split_sentences(chunk.text)):
                    if needle in sentence:
                        by_doc.setdefault(chunk.doc_id, []).append(sentence_id(chunk_id, index))
            self._sentences[key] = by_doc
        return self._sentences[key]

    def _home_page(
        self, version: OpenVersion, contact: Contact, by_doc: dict[str, list[str]]
    ) -> str | None:
        key = (version.record.version_id, contact.name)
        if key in self._home:
            return self._home[key]
        chunk_ids = [cid for cid, chunk in version.chunk_by_id.items() if chunk.doc_id in by_doc]
        official = [
            version.chunk_by_id[cid].doc_id
            for cid in chunk_ids
            if contact.source and _published_at(version.chunk_by_id[cid], contact.source)
        ]
        home: str | None = official[0] if official else None
        if home is None and chunk_ids:
            role = self.embedder.embed([contact.title or contact.name])[0]
            centroids = _document_centroids(version, chunk_ids)

            def authority(doc_id: str) -> float:
                score = float(np.dot(centroids[doc_id], role))
                return score - (SECONDARY_PENALTY if doc_id in version.secondary else 0.0)

            home = max(centroids, key=authority)
        self._home[key] = home
        return home


def _published_at(chunk: Chunk, source: str) -> bool:
    return source in (chunk.url, chunk.path)


def _document_centroids(version: OpenVersion, chunk_ids: list[str]) -> dict[str, Vectors]:
    # Sums, read a batch at a time: in a large knowledge base many documents repeat the phone
    # number, and holding all their chunk vectors at once would cost hundreds of megabytes.
    # The mean's direction is the sum's, so normalising the sum gives the same centroid.
    sums: dict[str, Vectors] = {}
    for start in range(0, len(chunk_ids), CENTROID_BATCH):
        stored = version.chunks.get(chunk_ids[start : start + CENTROID_BATCH], with_vectors=True)
        for chunk_id, item in stored.items():
            if item.vector is None:
                continue
            doc_id = version.chunk_by_id[chunk_id].doc_id
            total = sums.get(doc_id)
            sums[doc_id] = item.vector.astype(np.float64) if total is None else total + item.vector
    return {
        doc_id: (total / max(float(np.linalg.norm(total)), 1e-12)).astype(np.float32)
        for doc_id, total in sums.items()
    }
