"""Assemble the Bolt app from settings and services (never at import time)."""

from __future__ import annotations

import logging
import random
from concurrent.futures import Executor, ThreadPoolExecutor
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import BackoffRetryIntervalCalculator
from slack_sdk.http_retry.handler import RetryHandler
from slack_sdk.http_retry.jitter import Jitter
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

from bot.admin.alerts import alert_admins
from bot.admin.schedule import RefreshScheduler
from bot.background import Background
from bot.handoff.email import Mailer
from bot.handoff.outbox import Outbox, RetryPolicy
from bot.handoff.worker import OutboxWorker
from bot.handoff.workflow import on_delivered
from bot.handoff.workflow import render as render_notification
from bot.listeners import register_listeners
from bot.log_privacy import keep_payloads_out_of_logs
from bot.services import Services
from bot.settings import Settings
from bot.store.retention import RetentionSweeper

# Answers run after the ack on these threads; answering is quick and mostly CPU-bound.
LISTENER_THREADS = 8
RATE_LIMIT_RETRIES = 3
# Slack's 5xx are short blips; two more tries, about 0.5 s and 1 s later (plus jitter), ride one
# out while the user still waits for the answer. Longer outages end in the logged failure.
SERVER_ERROR_RETRIES = 2
SERVER_ERROR_BACKOFF_SECONDS = 0.5
# Well under the outbox lease, so a slow Slack never lets a second worker take the same row.
OUTBOX_TIMEOUT = 20


class SlackConfigurationError(Exception):
    """A Slack setting the chosen mode needs is missing; the message names the key."""


def make_web_client(settings: Settings) -> WebClient:
    """The Web API client: the bot token, ``SLACK_API_URL`` when set, retries on 429 and 5xx."""
    return _web_client(
        settings,
        retry_handlers=[
            ConnectionErrorRetryHandler(),
            # Slack's 429 carries Retry-After; the handler sleeps that long and tries again.
            RateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES),
            ServerErrorRetryHandler(),
        ],
    )


class ServerErrorRetryHandler(RetryHandler):
    """Retry a call Slack answered with 500, 502, 503 or 504.

    slack_sdk's own handler retries only 500 and 503; a gateway's 502 and 504 are the same kind
    of blip. A 5xx usually means nothing was done; in the rare case Slack posted and then
    failed to answer, the retry shows the message twice, which beats never showing it.
    """

    def __init__(self) -> None:
        super().__init__(
            max_retry_count=SERVER_ERROR_RETRIES,
            interval_calculator=BackoffRetryIntervalCalculator(
                backoff_factor=SERVER_ERROR_BACKOFF_SECONDS, jitter=_ProportionalJitter()
            ),
        )

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        return response is not None and response.status_code in (500, 502, 503, 504)


def make_outbox_client(settings: Settings) -> WebClient:
    """A Web API client without built-in retries: the outbox stores and schedules its own."""
    return _web_client(settings, retry_handlers=[], timeout=OUTBOX_TIMEOUT)


def _web_client(
    settings: Settings, *, retry_handlers: list[RetryHandler], timeout: int | None = None
) -> WebClient:
    if settings.slack_bot_token is None:
        raise SlackConfigurationError("SLACK_BOT_TOKEN is not set (the bot token, xoxb-...)")
    base_url = settings.slack_api_url or WebClient.BASE_URL
    options: dict[str, Any] = {"timeout": timeout} if timeout is not None else {}
    return WebClient(
        token=settings.slack_bot_token.reveal(),
        base_url=base_url if base_url.endswith("/") else base_url + "/",
        retry_handlers=retry_handlers,
        **options,
    )


class _ProportionalJitter(Jitter):
    """Up to half the interval again: spreads instances apart (slack_sdk's adds up to 1 s)."""

    def recalculate(self, duration: float) -> float:
        return duration * (1 + random.random() / 2)  # noqa: S311 - timing, not security


def make_mailer(settings: Settings) -> Mailer | None:
    """The SMTP sender for the contact's e-mail, or None when ``SMTP_HOST`` is not set."""
    if settings.smtp_host is None or settings.smtp_from is None:
        return None
    password = settings.smtp_password
    return Mailer(
        host=settings.smtp_host,
        port=settings.smtp_port,
        sender=settings.smtp_from,
        username=settings.smtp_username,
        password=password.reveal() if password else None,
        starttls=settings.smtp_starttls,
    )


def start_outbox_worker(
    settings: Settings, services: Services, background: Background
) -> OutboxWorker:
    """Start delivering hand-off notifications in the background (replacing a running worker)."""
    if background.outbox_worker is not None:
        background.outbox_worker.stop()
    outbox = Outbox(
        services.engine,
        make_outbox_client(settings),
        policy=RetryPolicy(base_seconds=settings.outbox_backoff_seconds),
        on_delivered=on_delivered,
        mailer=make_mailer(settings),
        render=render_notification(services.engine),
    )
    worker = OutboxWorker(outbox, poll_seconds=settings.outbox_poll_seconds)
    background.outbox_worker = worker
    return worker.start()


def start_refresh_scheduler(
    settings: Settings, services: Services, background: Background
) -> RefreshScheduler | None:
    """Refresh the configured sources every ``REFRESH_INTERVAL_HOURS`` (None when unset)."""
    if background.refresh_scheduler is not None:
        background.refresh_scheduler.stop()
        background.refresh_scheduler = None
    if not settings.refresh_interval_hours:
        return None
    client = make_web_client(settings)
    scheduler = RefreshScheduler(
        services,
        settings.refresh_interval_hours,
        lambda text: alert_admins(client, settings.admin_user_ids, text),
    )
    background.refresh_scheduler = scheduler
    return scheduler.start()


def start_retention_sweeper(
    settings: Settings, services: Services, background: Background
) -> RetentionSweeper | None:
    """Delete stored questions past ``QUESTION_RETENTION_DAYS`` now and every few hours."""
    if background.retention_sweeper is not None:
        background.retention_sweeper.stop()
        background.retention_sweeper = None
    if not settings.question_retention_days:
        return None
    sweeper = RetentionSweeper(services.engine, settings.question_retention_days)
    background.retention_sweeper = sweeper
    return sweeper.start()


def build_app(
    settings: Settings,
    services: Services,
    background: Background,
    *,
    listener_executor: Executor | None = None,
    start_outbox: bool = True,
    start_schedule: bool = True,
    start_sweeper: bool = True,
) -> App:
    """The Bolt app with every listener registered, and its background work started.

    By default the outbox worker and the retention sweeper start, and the refresh schedule
    when an interval is set, all held by ``background`` (the caller stops it).

    Token, signing secret and client are passed explicitly: given None, Bolt would read
    ``SLACK_*`` from the environment on its own. Bolt calls ``auth.test`` here, so the Web API
    (or the test fake) must be reachable. Socket Mode needs no signing secret; HTTP mode checks
    for it before serving.
    """
    client = make_web_client(settings)
    secret = settings.slack_signing_secret
    # Given as Bolt's base logger, it passes its filter on to every logger Bolt makes later.
    keep_payloads_out_of_logs()
    app = App(
        name="sectorbot",
        token=client.token,
        signing_secret=secret.reveal() if secret else "",
        client=client,
        logger=logging.getLogger("slack_bolt.App"),
        listener_executor=listener_executor
        or ThreadPoolExecutor(max_workers=LISTENER_THREADS, thread_name_prefix="sectorbot"),
    )
    # Bolt checked the token with auth.test already, but keeps no workspace address; only
    # links there are trusted as a handed-off message's permalink.
    workspace_url = str(client.auth_test().get("url") or "") or None
    register_listeners(app, services, background, workspace_url)
    keep_payloads_out_of_logs()
    if start_outbox:
        start_outbox_worker(settings, services, background)
    if start_sweeper:
        start_retention_sweeper(settings, services, background)
    if start_schedule:
        start_refresh_scheduler(settings, services, background)
    return app
