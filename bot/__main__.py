from bot.cli import cli

cli()
