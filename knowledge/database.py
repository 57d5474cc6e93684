"""The old home of the engine factory, kept while ``bench/fit_answering.py`` still imports it.

Everything here lives in ``knowledge.store.db`` now; import it from ``knowledge`` instead.
"""

from knowledge.store.db import as_utc, make_engine, metadata

__all__ = ["as_utc", "make_engine", "metadata"]
