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
from bot.services import Services
from bot.settings import Settings

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

logger = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
HTTP_THREADS = 8


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


def build_wsgi_app(app: App, ready: Callable[[], bool]) -> WSGIApplication:
    """One WSGI app: Bolt on ``POST /slack/events``, the health check on ``GET /healthz``."""
    bolt = SlackRequestHandler(app, path=EVENTS_PATH)

    def wsgi(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == HEALTH_PATH and environ.get("REQUEST_METHOD") in (
            "GET",
            "HEAD",
        ):
            ok = ready()
            body = b"ok\n" if ok else b"knowledge base not ready\n"
            start_response(
                "200 OK" if ok else "503 Service Unavailable",
                [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))],
            )
            return [body]
        return bolt(environ, start_response)

    return wsgi


def make_http_server(
    app: App,
    ready: Callable[[], bool],
    *,
    host: str,
    port: int,
    threads: int = HTTP_THREADS,
    **adjustments: Any,
) -> Any:
    """A waitress server (not yet running); ``port=0`` picks a free port (``effective_port``)."""
    from waitress import create_server

    return create_server(
        build_wsgi_app(app, ready),
        host=host,
        port=port,
        threads=threads,
        ident="sectorbot",
        **adjustments,
    )


class BackgroundHttpServer:
    """A waitress server in a thread, stoppable (tests and benchmarks use it on 127.0.0.1)."""

    def __init__(self, app: App, ready: Callable[[], bool], *, host: str, port: int) -> None:
        # A short select timeout lets stop() return at once instead of after waitress's 1 s.
        self.server = make_http_server(app, ready, host=host, port=port, asyncore_loop_timeout=0.05)
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
    host: str = "0.0.0.0",  # noqa: S104 - a platform like Heroku routes to every interface
) -> None:
    """Serve the app over HTTP until the process is stopped."""
    if settings.slack_signing_secret is None:
        raise SlackConfigurationError(
            "SLACK_SIGNING_SECRET is not set (HTTP mode verifies every request with it)"
        )
    server = make_http_server(app, ready or (lambda: True), host=host, port=port)
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
    return SocketModeHandler(app, app_token=token, web_client=app.client)


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
