"""Shared pieces of the hand-off tests: settings with a Slack-reachable contact, a valid form."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from bot.settings import Settings
from tests.bot.conftest import slack_settings
from tests.fakes.slack_web_api import FakeSlack

HANDOFF_CHANNEL = "C_HANDOFF"
CONTACT_USER = "U_KATHY"
ADMIN_USER = "U_ADMIN"
VALID_FORM = {
    "name": "Pat Example",
    "organization": "Ames Precision Parts",
    "email": "pat@example.com",
    "phone": "515-555-0100",
    "region": "Story County",
    "industry": "Advanced manufacturing",
    "interest": "join",
    "details": "We would like to join the manufacturing partnership.",
}

# A form whose every value is easy to find, in a log or a table, where it must not be.
PRIVATE_FORM = {
    **VALID_FORM,
    "name": "Zebulon Quartermaine",
    "organization": "Quartermaine Gearworks",
    "email": "zebulon.q@gearworks.example",
    "phone": "515-555-0199",
    "details": "Please keep this between us: xyzzy plover.",
}
T = TypeVar("T")


def write_config(directory: Path, contact_user: str = CONTACT_USER) -> Path:
    """A settings file whose contact has a Slack user id, with one admin."""
    path = directory / "handoff.toml"
    path.write_text(
        f"""
[[sources]]
location = "bundled:iwd_sector_partnerships.md"

[[contacts]]
name = "Kathy Leggett"
title = "Business Sector Partnerships"
phone = "515-725-3882"
slack_user_id = "{contact_user}"
topics = ["sector partnership"]

[admins]
slack_user_ids = ["{ADMIN_USER}"]
""",
        encoding="utf-8",
    )
    return path


def handoff_settings(data_dir: Path, fake: FakeSlack, config: Path, **environ: str) -> Settings:
    """App settings with the hand-off channel set and the outbox retrying in milliseconds."""
    values = {"SECTORBOT_CONFIG": str(config), "HANDOFF_CHANNEL_ID": HANDOFF_CHANNEL, **environ}
    settings = slack_settings(data_dir, fake, **values)
    return dataclasses.replace(settings, outbox_backoff_seconds=0.01, outbox_poll_seconds=0.05)


def wait_until(check: Callable[[], T], timeout: float = 15.0, what: str = "condition") -> T:
    """Poll ``check`` until it returns something truthy; AssertionError after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def button_ids(blocks: list[dict[str, Any]]) -> list[str]:
    """The action ids of every button in ``blocks``."""
    return [
        element["action_id"]
        for block in blocks
        if block.get("type") == "actions"
        for element in block["elements"]
    ]


def posts_to(fake: FakeSlack, channel: str, *, succeeded: bool = True) -> list[Any]:
    """``chat.postMessage`` calls to ``channel`` (by default only those Slack accepted)."""
    return fake.calls_to(
        "chat.postMessage",
        lambda call: call.args.get("channel") == channel and (call.error is None or not succeeded),
    )
