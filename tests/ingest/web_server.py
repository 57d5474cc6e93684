"""A small web server on 127.0.0.1 for the fetcher tests: routes are set by each test."""

from __future__ import annotations

import ssl
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Route:
    """What the server answers for one path."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    # Streams this many bytes of filler after ``body`` without a Content-Length.
    stream_bytes: int = 0
    # Answers 304 when the request's If-None-Match equals this.
    etag: str | None = None


@dataclass
class Seen:
    """One request the server received."""

    path: str
    headers: dict[str, str]


class WebServer:
    """Serves ``routes`` (path -> Route, or a callable building one) and records requests."""

    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self.routes: dict[str, Route | Callable[[], Route]] = {}
        self.requests: list[Seen] = []
        self.scheme = "https" if tls else "http"
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        if tls is not None:
            self._server.socket = tls.wrap_socket(self._server.socket, server_side=True)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        """The address of ``path`` on this server (under another host name if given)."""
        return f"{self.scheme}://{host}:{self.port}{path}"

    def page(self, path: str, html: str, **headers: str) -> None:
        """Serve an HTML page at ``path``."""
        self.routes[path] = Route(
            body=html.encode("utf-8"),
            headers={"Content-Type": "text/html; charset=utf-8", **headers},
        )

    def paths(self) -> list[str]:
        """The paths requested so far, in order."""
        return [seen.path for seen in self.requests]

    def start(self) -> None:
        """Serve in a background thread."""
        self._thread.start()

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def _handler(server: WebServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"

        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            server.requests.append(Seen(self.path, dict(self.headers.items())))
            found = server.routes.get(self.path)
            if found is None:
                route = Route(status=404, body=b"not found", headers={"Content-Type": "text/plain"})
            else:
                route = found() if callable(found) else found
            if route.etag is not None and self.headers.get("If-None-Match") == route.etag:
                self.send_response(304)
                self.send_header("ETag", route.etag)
                self.end_headers()
                return
            self.send_response(route.status)
            for name, value in route.headers.items():
                self.send_header(name, value)
            if route.etag is not None:
                self.send_header("ETag", route.etag)
            if not route.stream_bytes:
                self.send_header("Content-Length", str(len(route.body)))
            self.end_headers()
            try:
                self.wfile.write(route.body)
                block = b"x" * 65536
                sent = 0
                while sent < route.stream_bytes:
                    self.wfile.write(block)
                    sent += len(block)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client stopped reading, as it should past its size limit

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            """Say nothing: http.server would log every request to stderr."""

    return Handler


@contextmanager
def running_server(tls: ssl.SSLContext | None = None) -> Iterator[WebServer]:
    """A started server (HTTPS with ``tls``), stopped afterwards."""
    server = WebServer(tls)
    server.start()
    try:
        yield server
    finally:
        server.stop()
