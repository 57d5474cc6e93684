"""A tiny SMTP server on 127.0.0.1 (port 0) that keeps every message it accepts.

Enough of RFC 5321 for ``smtplib``: EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT. ``fail(n)``
makes the next ``n`` MAIL commands answer 451 (a temporary failure) so retries can be tested.
"""

from __future__ import annotations

import socketserver
import threading
import time
from dataclasses import dataclass
from email import message_from_bytes
from email.message import Message


@dataclass
class Received:
    """One accepted message."""

    sender: str
    recipients: list[str]
    message: Message


class FakeSMTP:
    """Start with ``FakeSMTP()``; stop with ``close()`` (or use it as a context manager)."""

    def __init__(self) -> None:
        self.messages: list[Received] = []
        self.refused = 0
        self._failures = 0
        self._lock = threading.Condition()
        fake = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                fake._session(self)

        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    @property
    def port(self) -> int:
        """The port it listens on."""
        return int(self._server.server_address[1])

    def fail(self, times: int = 1) -> None:
        """Answer the next ``times`` MAIL commands with 451."""
        with self._lock:
            self._failures += times

    def wait_for(self, count: int = 1, timeout: float = 15.0) -> list[Received]:
        """Block until ``count`` messages arrived; AssertionError after ``timeout``."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while len(self.messages) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"expected {count} e-mail(s), got {len(self.messages)}")
                self._lock.wait(remaining)
            return list(self.messages)

    def close(self) -> None:
        """Stop serving."""
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FakeSMTP:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _session(self, handler: socketserver.StreamRequestHandler) -> None:
        def reply(line: str) -> None:
            handler.wfile.write(line.encode("ascii") + b"\r\n")

        reply("220 fake.smtp.test ESMTP")
        sender, recipients = "", []
        while True:
            raw = handler.rfile.readline()
            if not raw:
                return
            command = raw.decode("utf-8", "replace").strip()
            verb = command.split(" ", 1)[0].upper()
            if verb == "EHLO":
                reply("250-fake.smtp.test")
                reply("250 8BITMIME")
            elif verb == "MAIL":
                with self._lock:
                    failing = self._failures > 0
                    self._failures -= 1 if failing else 0
                    self.refused += 1 if failing else 0
                if failing:
                    reply("451 try again later")
                    continue
                sender, recipients = command.split(":", 1)[1].strip(" <>"), []
                reply("250 OK")
            elif verb == "RCPT":
                recipients.append(command.split(":", 1)[1].strip(" <>"))
                reply("250 OK")
            elif verb == "DATA":
                reply("354 end with <CRLF>.<CRLF>")
                lines = []
                while (line := handler.rfile.readline()) not in (b".\r\n", b""):
                    lines.append(line[1:] if line.startswith(b"..") else line)
                with self._lock:
                    self.messages.append(
                        Received(sender, recipients, message_from_bytes(b"".join(lines)))
                    )
                    self._lock.notify_all()
                reply("250 queued")
            elif verb == "QUIT":
                reply("221 bye")
                return
            else:  # HELO, RSET, NOOP
                reply("250 OK")
