"""Transports: HTTP on waitress (``POST /slack/events``, ``GET /healthz``) or Socket Mode."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_bolt.adapter.wsgi import SlackRequestHandler

from bot.app import SlackConfigurationError
from bot.log_privacy import keep_payloads_out_of_logs
from bot.services import Services
from bot.settings import Settings
from bot.signed_requests import MAX_BODY_BYTES, signed_requests_only

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

logger = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
HTTP_THREADS = 8
# Where `serve --http` listens unless --host says otherwise: every interface, as a platform like
# Heroku routes to the dyno's; behind a proxy on the same machine, pass --host 127.0.0.1.
DEFAULT_HOST = "0.0.0.0"  # noqa: S104 - deliberate, see above
# An idle connection costs waitress a socket and no thread, but only `connection_limit` of them
# are accepted at once: with waitress's defaults (100, closed after 120 s idle) a hundred idle
# sockets kept /healthz and Slack's events waiting for minutes. These settings accept many
# more, close idle ones within seconds, and poll() instead of select(), which fails past 1,024
# descriptors. Slack sends each request whole and at once, so 15 s of silence is never Slack.
CONNECTION_LIMIT = 1000
IDLE_SECONDS = 15
CLEANUP_SECONDS = 2
MAX_HEADER_BYTES = 64 * 1024


def knowledge_ready(services: Services) -> Callable[[], bool]:
    """A health check: the database and Chroma answer, and a knowledge-base version is served.

    The version in use is cached, so without asking Chroma a stopped Chroma server would look
    healthy while every question ends in the apology.
    """

    def ready() -> bool:
        try:
            if services.kb.current() is None:
                return False
            services.kb.chroma.heartbeat()
            return True
        except Exception:
            logger.exception("health check failed")
            return False

    return ready


def build_wsgi_app(app: App, ready: Callable[[], bool], *, signing_secret: str) -> WSGIApplication:
    """One WSGI app: Bolt on ``POST /slack/events``, the health check on ``GET /healthz``.

    ``bot.signed_requests`` checks each request to Slack's path before Bolt reads it.
    """
    bolt = signed_requests_only(SlackRequestHandler(app, path=EVENTS_PATH), signing_secret)

    def wsgi(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path, method = environ.get("PATH_INFO"), environ.get("REQUEST_METHOD")
        if path == EVENTS_PATH and method == "POST":
            return bolt(environ, start_response)
        if path == HEALTH_PATH and method in ("GET", "HEAD"):
            if ready():
                return _plain(start_response, "200 OK", b"ok\n")
            return _plain(start_response, "503 Service Unavailable", b"knowledge base not ready\n")
        # Nothing else is served, and no body is read.
        return _plain(start_response, "404 Not Found", b"not found\n")

    return wsgi


def _plain(start_response: StartResponse, status: str, body: bytes) -> list[bytes]:
    start_response(
        status, [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))]
    )
    return [body]


def make_http_server(
    app: App,
    ready: Callable[[], bool],
    *,
    signing_secret: str,
    host: str,
    port: int,
    threads: int = HTTP_THREADS,
    **adjustments: Any,
) -> Any:
    """A waitress server (not yet running); ``port=0`` picks a free port (``effective_port``)."""
    from waitress import create_server

    settings: dict[str, Any] = {
        "connection_limit": connection_limit(),
        "channel_timeout": IDLE_SECONDS,
        "cleanup_interval": CLEANUP_SECONDS,
        "asyncore_use_poll": True,
        "max_request_header_size": MAX_HEADER_BYTES,
        # waitress refuses a body whose length reaches this, right after the headers and
        # before reading it (our guard checks again, for any other WSGI server).
        "max_request_body_size": MAX_BODY_BYTES + 1,
    }
    return create_server(
        build_wsgi_app(app, ready, signing_secret=signing_secret),
        host=host,
        port=port,
        threads=threads,
        ident="sectorbot",
        **(settings | adjustments),
    )


def connection_limit() -> int:
    """``CONNECTION_LIMIT``, or less where the process may open fewer files than twice that."""
    try:
        import resource
    except ImportError:  # not on Unix
        return CONNECTION_LIMIT
    soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return CONNECTION_LIMIT
    # Half the descriptors stay for the database, Chroma, the Web API client and the outbox.
    return max(100, min(CONNECTION_LIMIT, soft // 2))


class BackgroundHttpServer:
    """A waitress server in a thread, stoppable (tests and benchmarks use it on 127.0.0.1)."""

    def __init__(
        self, app: App, ready: Callable[[], bool], *, signing_secret: str, host: str, port: int
    ) -> None:
        # A short poll timeout lets stop() return at once instead of after waitress's 1 s.
        self.server = make_http_server(
            app,
            ready,
            signing_secret=signing_secret,
            host=host,
            port=port,
            asyncore_loop_timeout=0.05,
        )
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="sectorbot-http", daemon=True)

    @property
    def url(self) -> str:
        """``http://HOST:PORT`` as bound."""
        return f"http://{self.server.effective_host}:{self.server.effective_port}"

    def start(self) -> BackgroundHttpServer:
        """Start serving in the background."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop accepting requests, finish the HTTP requests in flight, and wait for the thread."""
        self._stopping = True
        self.server.task_dispatcher.shutdown()
        self.server.close()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        try:
            self.server.run()
        except (OSError, ValueError):
            # waitress's select loop trips over the socket closed by stop(); that is the stop.
            if not self._stopping:
                raise


def run_http(
    app: App,
    settings: Settings,
    port: int,
    *,
    ready: Callable[[], bool] | None = None,
    host: str = DEFAULT_HOST,
) -> None:
    """Serve the app over HTTP on ``host`` and ``port`` until the process is stopped."""
    if settings.slack_signing_secret is None:
        raise SlackConfigurationError(
            "SLACK_SIGNING_SECRET is not set (HTTP mode verifies every request with it)"
        )
    server = make_http_server(
        app,
        ready or (lambda: True),
        signing_secret=settings.slack_signing_secret.reveal(),
        host=host,
        port=port,
    )
    logger.info("serving Slack events on http://%s:%s%s", host, server.effective_port, EVENTS_PATH)
    _exit_on_sigterm()
    try:
        server.run()  # returns on SystemExit / KeyboardInterrupt, after the requests in flight
    finally:
        finish_answers(app)


def make_socket_mode_handler(app: App, settings: Settings) -> SocketModeHandler:
    """A Socket Mode handler using the app's Web API client (so ``SLACK_API_URL`` applies)."""
    if settings.slack_app_token is None:
        raise SlackConfigurationError(
            "SLACK_APP_TOKEN is not set (an app-level token, xapp-..., with connections:write)"
        )
    token = settings.slack_app_token.reveal()
    handler = SocketModeHandler(app, app_token=token, web_client=app.client)
    keep_payloads_out_of_logs()  # the websocket client logs each envelope at DEBUG
    return handler


def run_socket_mode(app: App, settings: Settings) -> None:
    """Connect to Slack over a websocket and serve until the process is stopped."""
    handler = make_socket_mode_handler(app, settings)
    _exit_on_sigterm()
    try:
        handler.start()  # type: ignore[no-untyped-call]
    finally:
        handler.close()  # type: ignore[no-untyped-call]
        finish_answers(app)


def finish_answers(app: App) -> None:
    """Wait for answers already acknowledged: Slack will not send those events again."""
    app.listener_runner.listener_executor.shutdown(wait=True)


def _exit_on_sigterm() -> None:
    # Platforms stop a process with SIGTERM (Heroku then waits 30 s before SIGKILL); turning it
    # into SystemExit lets the servers stop accepting work and finish_answers() run.
    if threading.current_thread() is not threading.main_thread():
        return

    def stop(signum: int, frame: object) -> None:
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
