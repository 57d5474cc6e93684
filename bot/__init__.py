"""Slack app and command-line interface of the Sector Partnerships bot."""
