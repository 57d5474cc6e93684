"""The coverage report: questions the bot declined or that got "not helpful", grouped by meaning.

``gather`` reads them from the turn and feedback tables, ``grouping`` clusters them with the
embedding model, ``report`` puts the two together, and ``text`` / ``reply`` render it for the
command line and for Slack (the blocks themselves live in ``bot.blocks.report``).
"""
