"""Servers a test owns and may stop and start again: a Chroma server and a PostgreSQL cluster.

The CI-wide servers (``tests.storage_backends``) are shared by the whole run, so a fault test
that stops its store starts one of its own here, on 127.0.0.1 and a free port, with its files in
a temp dir. A restart keeps the port and the files, as a real server coming back would.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

# `chroma run` through this interpreter's chromadb (a venv may not put the script on PATH).
_CHROMA = "import sys; from chromadb.cli.cli import app; sys.argv[0] = 'chroma'; app()"
START_TIMEOUT = 60.0


def free_port() -> int:
    """A port nobody listens on right now, on 127.0.0.1."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class ChromaServer:
    """``chroma run`` on 127.0.0.1, stoppable and restartable on the same port and path."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.port = free_port()
        self._process: subprocess.Popen[bytes] | None = None
        self._log = path.parent / f"{path.name}.log"

    @property
    def environ(self) -> dict[str, str]:
        """The settings keys that point the bot at this server."""
        return {"CHROMA_HOST": "127.0.0.1", "CHROMA_PORT": str(self.port)}

    def start(self) -> ChromaServer:
        """Start the server and wait (bounded) until its heartbeat answers."""
        command = [sys.executable, "-c", _CHROMA, "run", "--path", str(self.path)]
        command += ["--host", "127.0.0.1", "--port", str(self.port)]
        with self._log.open("ab") as log:
            self._process = subprocess.Popen(
                command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
            )
        url = f"http://127.0.0.1:{self.port}/api/v2/heartbeat"
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"chroma run exited; see {self._log}")
            try:
                with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback
                    if response.status == 200:
                        return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"chroma run did not answer within {START_TIMEOUT:.0f} s")

    def stop(self) -> None:
        """Stop the server (its files stay)."""
        if self._process is None:
            return
        self._process.terminate()
        try:
            self._process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait(timeout=30)
        self._process = None


def postgres_bin() -> Path | None:
    """The newest installed PostgreSQL's ``bin`` directory (Debian layout), or None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]))
    return Path(found[-1]) if found else None


class PostgresServer:
    """A PostgreSQL cluster of its own, stoppable and restartable on the same port and files.

    As root (CI), the cluster belongs to the package's ``postgres`` user, as ``.ci/run`` does.
    """

    def __init__(self, bin_dir: Path) -> None:
        self.bin_dir = bin_dir
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="sectorbot-pg-fault-"))
        self._as_root = os.geteuid() == 0
        if self._as_root:
            shutil.chown(self.root, "postgres")
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/sectorbot"

    def init(self) -> PostgresServer:
        """Create the cluster and the ``sectorbot`` database, and leave it running."""
        self._run("initdb", "-D", str(self.root / "data"), "-U", "postgres", "-A", "trust")
        self._start()
        self._run(
            "createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "sectorbot"
        )
        return self

    def start(self) -> None:
        """Start the server (again) and wait until it accepts connections."""
        self._start()

    def stop(self) -> None:
        """Stop the server at once, dropping every connection (the data stays)."""
        self._run("pg_ctl", "-D", str(self.root / "data"), "-m", "fast", "-w", "stop")

    def remove(self) -> None:
        """Stop if running, and delete the cluster's files."""
        subprocess.run(
            self._command("pg_ctl", "-D", str(self.root / "data"), "-m", "immediate", "stop"),
            capture_output=True,
            check=False,
        )
        shutil.rmtree(self.root, ignore_errors=True)

    def _start(self) -> None:
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.root} -c fsync=off"
        self._run(
            "pg_ctl", "-D", str(self.root / "data"), "-l", str(self.root / "log"), "-w",
            "-o", options, "start",
        )  # fmt: skip

    def _command(self, program: str, *args: str) -> list[str]:
        command = [str(self.bin_dir / program), *args]
        return ["runuser", "-u", "postgres", "--", *command] if self._as_root else command

    def _run(self, program: str, *args: str) -> None:
        extra = ["--no-sync"] if program == "initdb" else []
        subprocess.run(
            self._command(program, *args, *extra),
            capture_output=True,
            check=True,
            timeout=START_TIMEOUT,
        )
