"""The data dir and the databases in it are private to the user the bot runs as.

They hold every question asked, with who asked it, and every hand-off with a name, phone and
e-mail address; nobody else on the machine needs to read them. The data dir is made 0700 and
the SQLite database (and its WAL and shared-memory files, which SQLite creates with the
database's own mode) 0600, also where an earlier version left them 0755/0644. The CLI sets a
umask of 077 besides, so whatever else is created later (Chroma's files) is private too.
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

logger = logging.getLogger(__name__)

PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600
# What the bot keeps in the data dir (knowledge.store.vectors, Settings.sqlalchemy_url).
CHROMA_DIR = "chroma"
SQLITE_SUFFIXES = ("", "-wal", "-shm", "-journal")


def prepare_data_dir(path: Path) -> None:
    """Create ``path`` if needed, and take group and other access away from it and its stores.

    Only the bot's own entries are touched (Chroma's folder, the SQLite files), never anything
    else someone keeps in the same folder.

    Raises:
        OSError: when the folder cannot be created.

    """
    path.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR_MODE)
    make_private(path)
    chroma = path / CHROMA_DIR
    if chroma.is_dir() and not chroma.is_symlink():
        make_private(chroma)
        for entry in chroma.rglob("*"):
            make_private(entry)


def prepare_sqlite_file(url: str) -> None:
    """Create the SQLite database of ``url`` as a private file before SQLite opens it.

    SQLite would create it with the umask's mode (often 0644), and it makes the WAL files with
    the same mode as the database. Other URLs (PostgreSQL) are left alone.
    """
    if not url.startswith("sqlite:///") or url == "sqlite:///:memory:":
        return
    database = Path(url.removeprefix("sqlite:///"))
    if not database.exists():
        database.parent.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR_MODE)
        os.close(os.open(database, os.O_CREAT | os.O_WRONLY, PRIVATE_FILE_MODE))
    for suffix in SQLITE_SUFFIXES:
        make_private(database.with_name(database.name + suffix))


def make_private(path: Path) -> None:
    """Clear the group and other bits of ``path`` (not following a symlink); log if we cannot."""
    try:
        status = path.lstat()
    except FileNotFoundError:
        return
    if stat.S_ISLNK(status.st_mode):
        return
    mode = stat.S_IMODE(status.st_mode)
    if mode & 0o077:
        try:
            path.chmod(mode & ~0o077)
        except OSError as error:
            logger.warning("could not make %s private: %s", path, error.strerror)
