"""Sources turned into documents and chunks, and the refresh that hands them to the builder.

These names are what ``bot`` may import, always as ``from ingest import NAME``; everything else
is internal. ``ingest.pipeline`` shows a refresh from sources to a published version.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ingest.lock import refresh_lock
    from ingest.pipeline import Progress, RefreshError, refresh
    from ingest.refresh_runs import (
        RefreshRun,
        finish_run,
        last_finished,
        running_run,
        start_run,
    )
    from ingest.sources import document_id, is_under
    from ingest.summary import RefreshSummary, count_of
    from ingest.web_options import (
        DEFAULT_MAX_PAGES,
        MAX_REQUESTS_PER_REFRESH,
        MAX_SITEMAP_FILES,
        SiteRules,
        WebOptions,
    )
    from ingest.web_state import load_pages

# Where each name lives: it is imported on first use, so that importing one name (a table's
# metadata, a dataclass) does not load Chroma, onnxruntime or bm25s with it.
_HOMES = {
    "MAX_REQUESTS_PER_REFRESH": "ingest.web_options",
    "Progress": "ingest.pipeline",
    "RefreshError": "ingest.pipeline",
    "refresh": "ingest.pipeline",
    "refresh_lock": "ingest.lock",
    "RefreshRun": "ingest.refresh_runs",
    "finish_run": "ingest.refresh_runs",
    "last_finished": "ingest.refresh_runs",
    "running_run": "ingest.refresh_runs",
    "start_run": "ingest.refresh_runs",
    "document_id": "ingest.sources",
    "is_under": "ingest.sources",
    "RefreshSummary": "ingest.summary",
    "count_of": "ingest.summary",
    "DEFAULT_MAX_PAGES": "ingest.web_options",
    "MAX_SITEMAP_FILES": "ingest.web_options",
    "SiteRules": "ingest.web_options",
    "WebOptions": "ingest.web_options",
    "load_pages": "ingest.web_state",
}
__all__ = [
    "DEFAULT_MAX_PAGES",
    "MAX_REQUESTS_PER_REFRESH",
    "MAX_SITEMAP_FILES",
    "Progress",
    "RefreshError",
    "RefreshRun",
    "RefreshSummary",
    "SiteRules",
    "WebOptions",
    "count_of",
    "document_id",
    "finish_run",
    "is_under",
    "last_finished",
    "load_pages",
    "refresh",
    "refresh_lock",
    "running_run",
    "start_run",
]


def __getattr__(name: str) -> object:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value
