"""The old home of the Chroma client factory, kept while ``bench/fit_answering.py`` imports it.

It is ``knowledge.store.vectors.make_chroma_client`` now.
"""

from knowledge.store.vectors import make_chroma_client

__all__ = ["make_chroma_client"]
