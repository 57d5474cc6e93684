"""The old home of the served version's reader, kept while ``knowledge/answering`` imports it.

The reader is ``knowledge.store.reader`` now and the id rules ``knowledge.store.layout``; both are
named by ``knowledge.store``, which is where new code imports them from.
"""

from knowledge.store.layout import heading_id, sentence_id
from knowledge.store.reader import KnowledgeBase, OpenVersion

__all__ = ["KnowledgeBase", "OpenVersion", "heading_id", "sentence_id"]
