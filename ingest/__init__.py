"""Turning sources (files, folders, web pages) into knowledge-base chunks."""
