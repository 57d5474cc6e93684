"""Progress on a terminal: a bar on stderr while a refresh runs, nothing when piped."""

from __future__ import annotations

import sys
from types import TracebackType
from typing import Any

import click

_LABELS = {"load": "Reading documents", "embed": "Indexing documents"}


class TerminalProgress:
    """A callable for ``ingest.pipeline.refresh`` that draws one bar per step."""

    def __init__(self, enabled: bool | None = None) -> None:
        self.enabled = sys.stderr.isatty() if enabled is None else enabled
        self._step: str | None = None
        self._bar: Any = None
        self._done = 0

    def __call__(self, step: str, done: int, total: int) -> None:
        """Advance the bar of ``step`` to ``done`` of ``total``, starting a new bar per step."""
        if not self.enabled or total <= 0:
            return
        if step != self._step:
            self._close_bar()
            self._step = step
            self._done = 0
            self._bar = click.progressbar(
                length=total, label=_LABELS.get(step, step), file=sys.stderr
            )
            self._bar.__enter__()
        if done > self._done:
            self._bar.update(done - self._done)
            self._done = done

    def __enter__(self) -> TerminalProgress:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._close_bar()

    def _close_bar(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None
