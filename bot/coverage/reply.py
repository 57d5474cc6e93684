"""The coverage report in Slack: the `/sectorbot report` reply, and App Home's lines in time."""

from __future__ import annotations

import logging
import threading
import weakref
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

from sqlalchemy import Engine

from bot.blocks.elements import section
from bot.blocks.report import (
    build_report_blocks,
    build_report_home_text,
    report_unavailable_text,
)
from bot.coverage.report import CoverageReport, build_report
from bot.services import Services

logger = logging.getLogger(__name__)

# App Home is opened often and waited on; the first report after many new questions embeds them
# all (about 4 ms each), later ones read the embedding cache and take well under a second.
HOME_REPORT_SECONDS = 3.0
# One report in flight per database: Home opened again while a slow one runs does not start another.
_BUILDING: weakref.WeakKeyDictionary[Engine, threading.Lock] = weakref.WeakKeyDictionary()
_BUILDING_GUARD = threading.Lock()


def report_reply(services: Services, days: int | None = None) -> tuple[str, list[dict[str, Any]]]:
    """Fallback text and blocks for `/sectorbot report` (the caller checks that the user is admin).

    Never raises for a broken embedder or database: the reply then says the report failed, and
    the cause goes to the log.
    """
    try:
        report = _build(services, days)
    except Exception:
        logger.exception("could not build the coverage report")
        text = "The coverage report could not be built just now (the server log says why)."
        return text, [section(text)]
    return build_report_blocks(report)


def report_home_text(services: Services, timeout: float | None = None) -> str:
    """App Home's "unanswered questions" section: the top lines, or a short note.

    The report is built on its own thread so a slow embedder cannot hold up the Home tab; when it
    overruns, the thread is left to finish so its embeddings are cached for the next opening.
    """
    with _BUILDING_GUARD:
        building = _BUILDING.setdefault(services.engine, threading.Lock())
    if not building.acquire(blocking=False):
        return report_unavailable_text(timed_out=True)
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="coverage-report")
    future = executor.submit(_build_then_release, services, building)
    executor.shutdown(wait=False)
    try:
        report = future.result(timeout=HOME_REPORT_SECONDS if timeout is None else timeout)
    except FutureTimeout:
        logger.warning("the coverage report took too long for App Home")
        return report_unavailable_text(timed_out=True)
    except Exception:
        logger.exception("could not build the coverage report for App Home")
        return report_unavailable_text(timed_out=False)
    return build_report_home_text(report)


def _build_then_release(services: Services, building: threading.Lock) -> CoverageReport:
    try:
        return _build(services, None)
    finally:
        building.release()


def _build(services: Services, days: int | None) -> CoverageReport:
    return build_report(services.engine, services.kb.embedder, days=days)
