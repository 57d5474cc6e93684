"""Every Slack id the app, its blocks, the manifests and the tests agree on (DESIGN.md contract)."""

from __future__ import annotations

# The slash command.
COMMAND = "/sectorbot"

# Buttons on an answer.
FEEDBACK_HELPFUL = "feedback_helpful"
FEEDBACK_NOT_HELPFUL = "feedback_not_helpful"
TALK_TO_PERSON = "talk_to_person"

# Buttons on a hand-off notification to the contact.
HANDOFF_CLAIM = "handoff_claim"
HANDOFF_RESOLVE = "handoff_resolve"

# The hand-off modal: its callback id, and its inputs (each the block id and the action id).
HANDOFF_MODAL = "handoff_modal"
HANDOFF_NAME = "name"
HANDOFF_ORGANIZATION = "organization"
HANDOFF_EMAIL = "email"
HANDOFF_PHONE = "phone"
HANDOFF_REGION = "region"
HANDOFF_INDUSTRY = "industry"
HANDOFF_INTEREST = "interest"
HANDOFF_DETAILS = "details"
HANDOFF_INPUTS = (
    HANDOFF_NAME,
    HANDOFF_ORGANIZATION,
    HANDOFF_EMAIL,
    HANDOFF_PHONE,
    HANDOFF_REGION,
    HANDOFF_INDUSTRY,
    HANDOFF_INTEREST,
    HANDOFF_DETAILS,
)
HANDOFF_INTEREST_VALUES = ("join", "start", "training", "other")

# Shortcuts.
HANDOFF_MESSAGE_SHORTCUT = "handoff_message"
GET_INVOLVED_SHORTCUT = "get_involved"

# Block ids of the answer message.
ANSWER_TEXT_BLOCK = "answer_text"  # numbered: answer_text_1, answer_text_2, ...
ANSWER_SOURCES_BLOCK = "answer_sources"  # numbered the same way when sources need two blocks
ANSWER_ACTIONS_BLOCK = "answer_actions"

# The Events API events the app subscribes to (manifest ``bot_events``).
BOT_EVENTS = (
    "app_home_opened",
    "app_mention",
    "assistant_thread_context_changed",
    "assistant_thread_started",
    "message.channels",
    "message.groups",
    "message.im",
)

# Subcommands of /sectorbot: for everyone, and for admins only.
SUBCOMMANDS = ("help", "ask", "contact", "handoff", "handoffs")
ADMIN_SUBCOMMANDS = ("refresh", "rollback", "sources", "status", "report")
