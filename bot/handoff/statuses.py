"""The states of a hand-off request, in the order it passes through them.

Kept apart from the store so the command line can offer them without loading the database layer.
"""

STATUSES = ("new", "notified", "claimed", "resolved")
OPEN_STATUSES = ("new", "notified", "claimed")
