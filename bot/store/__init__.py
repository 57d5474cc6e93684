"""What the Slack app remembers, in the shared database: events seen, turns, feedback, threads.

Nothing here lives in process memory, so any instance can take any request and a restart loses
nothing. Importing this package registers every table on ``knowledge.store.db.metadata``.
"""

from bot.store import assistant_threads, events, feedback, turns

__all__ = ["assistant_threads", "events", "feedback", "turns"]
