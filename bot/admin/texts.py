"""What the bot says to admins about the knowledge base (mrkdwn; Slack and the terminal)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.refreshing import Rollback
from bot.slack_text import escape
from ingest import RefreshSummary, count_of

_STEP_NAMES = {"load": "reading documents", "embed": "indexing documents"}
_USER_ID = re.compile(r"[UW][A-Z0-9]{2,}")


def admin_only(subcommand: str, admin_ids: Iterable[str]) -> str:
    """The refusal for someone who is not an admin, naming who is."""
    named = [f"<@{user}>" for user in sorted(admin_ids) if _USER_ID.fullmatch(user)]
    who = (
        "Ask one of them: " + ", ".join(named) + "."
        if named
        else "No admins are configured yet (ADMIN_USER_IDS, or [admins] in sectorbot.toml)."
    )
    return f"Only admins can run `/sectorbot {subcommand}`. {who}"


def admin_help() -> str:
    """Lines added to ``/sectorbot help`` for admins."""
    return (
        "\n\n*For admins*\n"
        "\u2022 `/sectorbot refresh`: re-read the configured sources (runs in the background)\n"
        "\u2022 `/sectorbot rollback`: serve the previous knowledge-base version again\n"
        "\u2022 `/sectorbot sources`: the configured sources and when each was last fetched\n"
        "\u2022 `/sectorbot status`: the version being served, its size and age\n"
        "\u2022 `/sectorbot report [DAYS]`: questions I could not answer, grouped (last DAYS days)"
    )


def refresh_started(source_count: int) -> str:
    """The ack of ``/sectorbot refresh``."""
    plural = "s" if source_count != 1 else ""
    return (
        f"Refreshing the knowledge base from {source_count} configured source{plural}. "
        "I'll post progress in our direct messages; questions keep being answered from the "
        "current version until the new one is ready."
    )


def refresh_busy(detail: str) -> str:
    """When a refresh is already running."""
    return f"A refresh is already running, so I didn't start another: {escape(detail)}"


def refresh_progress(step: str, done: int, total: int, seconds: float) -> str:
    """The progress message, updated while the refresh runs."""
    name = _STEP_NAMES.get(step, step)
    return (
        f":hourglass_flowing_sand: Refreshing the knowledge base: {name} {done}/{total} "
        f"({seconds:.0f} s so far)"
    )


def refresh_done(seconds: float) -> str:
    """The progress message once the refresh has ended (the outcome follows it)."""
    return f"Refresh ended after {seconds:.0f} s."


def refresh_finished(summary: RefreshSummary) -> str:
    """The summary at the end of a refresh."""
    head = (
        f":white_check_mark: Refresh finished in {summary.seconds:.1f} s: "
        f"{len(summary.added)} added, {len(summary.updated)} updated, "
        f"{len(summary.unchanged)} unchanged, {len(summary.removed)} removed, "
        f"{len(summary.failed)} failed. Now serving {count_of(summary.documents, 'document')}, "
        f"{count_of(summary.chunks, 'chunk')}"
        + (f" (version `{summary.version_id}`)." if summary.version_id else ".")
    )
    failures = [
        f"\u2022 could not read {escape(failure.source)}: {escape(failure.reason)}"
        for failure in summary.failed[:15]
    ]
    if len(summary.failed) > 15:
        failures.append(f"...and {len(summary.failed) - 15} more (`sectorbot ingest` lists all).")
    return "\n".join([head, *failures])


def refresh_failed(reason: str) -> str:
    """When the refresh as a whole failed."""
    return (
        ":x: The refresh failed; the previous version is still answering questions.\n"
        f"Reason: {escape(reason)}"
    )


def rollback_text(rollback: Rollback) -> str:
    """After a rollback."""
    serving = rollback.serving
    return (
        f"Rolled back: now serving version {serving.version_id} "
        f"({count_of(serving.document_count, 'document')}, "
        f"{count_of(serving.chunk_count, 'chunk')}, built "
        f"{serving.created_at.strftime('%Y-%m-%d %H:%M UTC')}) instead of "
        f"{rollback.left.version_id}."
    )


def rollback_refused(reason: str) -> str:
    """When there is nothing to roll back to, or a refresh is running."""
    return f"Cannot roll back: {escape(reason)}"
