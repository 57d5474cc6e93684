"""Every refresh goes through here: the CLI, Slack, the schedule and a first question alike.

One refresh runs at a time (across processes and instances: ``ingest.lock``), each is
recorded with who started it and how it ended, and builds left behind by a killed refresh are
cleared before the next one starts. The previous version keeps serving until a new one is
published, whatever happens here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ingest import (
    Progress,
    RefreshError,
    RefreshRun,
    RefreshSummary,
    finish_run,
    refresh,
    refresh_lock,
    running_run,
    start_run,
)
from knowledge import (
    VersionRecord,
    current_version,
    discard_unfinished_builds,
    switch_to,
    version_before_current,
)

if TYPE_CHECKING:
    from bot.services import Services

# A first question on an empty knowledge base waits this long for someone else's build.
FIRST_BUILD_WAIT_SECONDS = 600.0


class RefreshBusyError(Exception):
    """Another refresh holds the lock; ``running`` is its record when one is known."""

    def __init__(self, running: RefreshRun | None) -> None:
        self.running = running
        who = f" (started by {running.requested_by} via {running.trigger})" if running else ""
        super().__init__(f"another refresh is running{who}; try again when it has finished")


@dataclass(frozen=True)
class RefreshRequest:
    """What to refresh, and who asked: ``sources`` empty means the configured sources."""

    trigger: str
    requested_by: str
    sources: tuple[str, ...] = ()
    reset: bool = False


def run_refresh(
    services: Services,
    request: RefreshRequest,
    *,
    progress: Progress | None = None,
    wait_seconds: float = 0.0,
) -> RefreshSummary:
    """Run one refresh under the lock and record it.

    Raises:
        RefreshBusyError: another refresh is running (after ``wait_seconds``).
        RefreshError: the refresh failed; the previous version is still served.

    """
    summary = run_refresh_if(
        services, request, lambda: True, progress=progress, wait_seconds=wait_seconds
    )
    if summary is None:  # pragma: no cover - the condition above always holds
        raise RuntimeError("refresh skipped")
    return summary


def run_refresh_if(
    services: Services,
    request: RefreshRequest,
    still_needed: Callable[[], bool],
    *,
    progress: Progress | None = None,
    wait_seconds: float = 0.0,
) -> RefreshSummary | None:
    """Like ``run_refresh``, but only if ``still_needed()`` holds once the lock is taken.

    Another process may have done the same work while this one waited (a first build, a
    scheduled refresh); None means it was not needed any more.
    """
    lock = refresh_lock(services.engine)
    if not lock.acquire(wait_seconds):
        raise RefreshBusyError(running_run(services.engine))
    try:
        if not still_needed():
            return None
        discard_unfinished_builds(services.kb)
        run_id = start_run(
            services.engine,
            trigger=request.trigger,
            requested_by=request.requested_by,
            scope="named" if request.sources else "configured",
        )
        try:
            summary = _refresh(services, request, progress)
        except BaseException as error:
            # Recorded for `status`; the message is the pipeline's own, never a setting's value.
            finish_run(services.engine, run_id, error=_describe(error))
            raise
        # A run that could read none of its sources failed, though it kept what was served.
        failed = None if summary.indexed_anything else "no source could be read"
        finish_run(services.engine, run_id, summary=summary.as_json(), error=failed)
        return summary
    finally:
        lock.release()


def refresh_running(services: Services) -> bool:
    """True while some process holds the refresh lock."""
    lock = refresh_lock(services.engine)
    if lock.acquire(0.0):
        lock.release()
        return False
    return True


def ensure_knowledge(services: Services, progress: Progress | None = None) -> RefreshSummary | None:
    """Build from the configured sources when nothing is built yet (None: already built).

    When another process is already building the first version, wait for it rather than build
    the same thing twice.
    """
    if services.kb.current() is not None:
        return None
    return run_refresh_if(
        services,
        RefreshRequest(trigger="first-use", requested_by="sectorbot"),
        lambda: services.kb.current() is None,
        progress=progress,
        wait_seconds=FIRST_BUILD_WAIT_SECONDS,
    )


class NothingToRollBackError(Exception):
    """No older ready version is kept to switch back to."""


@dataclass(frozen=True)
class Rollback:
    """A switch from one version back to the one before it."""

    left: VersionRecord
    serving: VersionRecord


def roll_back(services: Services) -> Rollback:
    """Serve the version built before the current one; the current one is never served again.

    Raises:
        RefreshBusyError: a refresh is running (it would publish over the rollback).
        NothingToRollBackError: no older version is kept.

    """
    lock = refresh_lock(services.engine)
    if not lock.acquire(0.0):
        raise RefreshBusyError(running_run(services.engine))
    try:
        current = current_version(services.engine)
        previous = version_before_current(services.engine)
        if current is None or previous is None:
            raise NothingToRollBackError(
                "there is no earlier version to go back to" if current else "nothing is indexed yet"
            )
        switch_to(services.engine, previous.version_id, setting_aside=current.version_id)
        return Rollback(left=current, serving=previous)
    finally:
        lock.release()


def _refresh(
    services: Services, request: RefreshRequest, progress: Progress | None
) -> RefreshSummary:
    settings = services.settings
    if request.sources:
        # A URL named by hand may lead only to its own host; configured sources may name more
        # domains in the settings file.
        return refresh(
            services.kb,
            [(source, None) for source in request.sources],
            full=False,
            reset=request.reset,
            progress=progress,
            web=settings.web_options(request.sources),
        )
    return refresh(
        services.kb,
        [(source.location, source.url) for source in settings.sources],
        full=True,
        reset=request.reset,
        progress=progress,
        web=settings.web_options(),
    )


def _describe(error: BaseException) -> str:
    if isinstance(error, RefreshError):
        return str(error)
    if isinstance(error, KeyboardInterrupt):
        return "interrupted"
    return f"{type(error).__name__}: {error}"
