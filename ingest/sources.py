"""Resolve what the user named (files, folders, URLs) into individual sources to load."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ResolvedSource:
    """One loadable item: a file on disk or a web address."""

    doc_id: str
    location: str
    display_path: str | None
    url_override: str | None = None

    @property
    def is_web(self) -> bool:
        """True for http(s) sources."""
        return self.location.startswith(("http://", "https://"))


@dataclass(frozen=True)
class Resolution:
    """The sources found, the roots they came from, and names that matched nothing."""

    sources: list[ResolvedSource]
    roots: list[str]
    missing: list[str]


def resolve(locations: list[tuple[str, str | None]]) -> Resolution:
    """Expand each (location, url override) into sources; folders are walked recursively.

    Hidden files and folders are skipped; every other file is tried, so an unsupported type
    is reported rather than silently ignored.
    """
    sources: dict[str, ResolvedSource] = {}
    roots: list[str] = []
    missing: list[str] = []
    for location, url in locations:
        if location.startswith(("http://", "https://")):
            source = ResolvedSource(document_id(location), location, None, url)
            sources.setdefault(source.doc_id, source)
            continue
        path = Path(location).expanduser()
        if path.is_dir():
            roots.append(str(path.resolve()))
            for file in _walk(path):
                source = ResolvedSource(
                    document_id(str(file.resolve())), str(file.resolve()), str(file)
                )
                sources.setdefault(source.doc_id, source)
        elif path.is_file():
            resolved = str(path.resolve())
            roots.append(resolved)
            sources.setdefault(
                document_id(resolved),
                ResolvedSource(document_id(resolved), resolved, str(path), url),
            )
        else:
            missing.append(location)
    return Resolution(list(sources.values()), roots, missing)


def document_id(location: str) -> str:
    """A stable short id for a file path or URL."""
    return hashlib.sha1(location.encode("utf-8")).hexdigest()[:16]


def is_under(location: str | None, roots: list[str]) -> bool:
    """True when a stored document's location lies in one of the given roots."""
    if not location:
        return False
    return any(
        location == root or location.startswith(root.rstrip(os.sep) + os.sep) for root in roots
    )


def _walk(folder: Path) -> list[Path]:
    files = []
    for directory, subdirectories, names in os.walk(folder):
        subdirectories[:] = sorted(d for d in subdirectories if not d.startswith("."))
        for name in sorted(names):
            file = Path(directory) / name
            if not name.startswith("."):
                files.append(file)
    return files
