"""Slack app and command-line interface of the Sector Partnerships bot.

The top layer: no other package imports it, so it names nothing for them.
"""

__all__: list[str] = []
