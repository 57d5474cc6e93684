"""A fake Slack Web API on 127.0.0.1 (port 0): records every call and answers like Slack.

The app's real ``slack_sdk.WebClient`` is pointed at ``FakeSlack.api_url``. Every POST is recorded:
``/api/<method>`` as that method, anything else (``response_url`` targets) as ``response_url``.
Errors can be queued per method: ``ratelimited`` with ``Retry-After``, ``not_in_channel``, 5xx.
``users.info``, ``chat.getPermalink``, ``conversations.open``, the ``chat.*Stream`` methods and
the ``views.*`` methods answer with plausible data (a user's profile comes from
``FakeSlack.users`` or is made up).

Modals behave as Slack documents: each input shows its ``initial_value`` when it first appears,
and ``views.update`` keeps what an input shows (typed or prefilled) when its block id and action
id are unchanged, ignoring a new ``initial_value``. ``shown`` tells what a person would see;
``typed`` stands for someone typing; ``views.update`` with a stale ``hash`` fails as in Slack.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

BOT_USER_ID = "UBOT"
BOT_ID = "BBOT"
TEAM_ID = "T0001"


@dataclass
class Call:
    """One recorded request: the API method (or ``response_url``), its arguments, its token."""

    method: str
    args: dict[str, Any]
    token: str | None
    path: str
    at: float = field(default_factory=time.monotonic)
    error: str | None = None  # the error this call was answered with (None: it succeeded)


@dataclass
class _Failure:
    status: int
    error: str
    headers: dict[str, str]


class FakeSlack:
    """Start with ``FakeSlack()``; stop with ``close()`` (or use it as a context manager)."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.socket_mode_url: str | None = None
        # users.info answers: user id -> (real name, e-mail); others get a made-up profile.
        self.users: dict[str, tuple[str, str]] = {}
        # Called with each call as it arrives, before it is answered (tests look at the world
        # at that moment, e.g. "was the request stored before this notification?").
        self.on_call: Callable[[Call], None] | None = None
        self._failures: dict[str, list[_Failure]] = {}
        # Open modals: view id -> (hash, {(block id, action id): what the input shows}).
        self._views: dict[str, tuple[str, dict[tuple[str, str], str]]] = {}
        self.opened_view_ids: list[str] = []  # in the order views.open answered
        self._lock = threading.Condition()
        self._ts = itertools.count(1)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def api_url(self) -> str:
        """The ``SLACK_API_URL`` to give the app."""
        return f"{self.base_url}/api/"

    def response_url(self, name: str = "hook") -> str:
        """A ``response_url`` that records what is posted to it."""
        return f"{self.base_url}/response/{name}"

    def fail(
        self,
        method: str,
        error: str = "ratelimited",
        *,
        status: int | None = None,
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        """Make the next ``times`` calls to ``method`` fail with ``error``."""
        if status is None:
            status = 429 if error == "ratelimited" else 200
        headers = {"Retry-After": str(retry_after if retry_after is not None else 1)}
        if error != "ratelimited":
            headers = {}
        with self._lock:
            self._failures.setdefault(method, []).extend(
                _Failure(status, error, headers) for _ in range(times)
            )

    def calls_to(self, method: str, where: Callable[[Call], bool] | None = None) -> list[Call]:
        """Recorded calls to ``method`` (optionally filtered), oldest first."""
        with self._lock:
            return [c for c in self.calls if c.method == method and (where is None or where(c))]

    def wait_for(
        self,
        method: str,
        count: int = 1,
        *,
        where: Callable[[Call], bool] | None = None,
        timeout: float = 15.0,
    ) -> list[Call]:
        """Block until ``count`` matching calls were recorded; AssertionError after ``timeout``."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                found = [
                    c for c in self.calls if c.method == method and (where is None or where(c))
                ]
                if len(found) >= count:
                    return found
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    seen = [c.method for c in self.calls]
                    raise AssertionError(
                        f"expected {count} call(s) to {method}, got {len(found)}; calls: {seen}"
                    )
                self._lock.wait(remaining)

    def shown(self, view_id: str) -> dict[str, str]:
        """What each input of an open modal shows, by action id."""
        with self._lock:
            _hash, inputs = self._views[view_id]
            return {action_id: value for (_block_id, action_id), value in inputs.items()}

    def typed(self, view_id: str, action_id: str, text: str) -> None:
        """Someone types ``text`` into an input of an open modal."""
        with self._lock:
            _hash, inputs = self._views[view_id]
            for key in inputs:
                if key[1] == action_id:
                    inputs[key] = text

    def state_values(self, view_id: str) -> dict[str, dict[str, Any]]:
        """The ``view.state.values`` Slack would submit for this modal now."""
        with self._lock:
            _hash, inputs = self._views[view_id]
            values: dict[str, dict[str, Any]] = {}
            for (block_id, action_id), value in inputs.items():
                if action_id == "interest":
                    option = {"text": {"type": "plain_text", "text": value}, "value": value}
                    state = {"type": "static_select", "selected_option": option if value else None}
                else:
                    state = {"type": "plain_text_input", "value": value or None}
                values[block_id] = {action_id: state}
            return values

    def close(self) -> None:
        """Stop serving."""
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FakeSlack:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- answering ------------------------------------------------------------------------------

    def _record(self, call: Call) -> tuple[int, dict[str, Any], dict[str, str]]:
        if self.on_call is not None:
            self.on_call(call)
        with self._lock:
            failures = self._failures.get(call.method)
            failure = failures.pop(0) if failures else None
            call.error = failure.error if failure else None
            self.calls.append(call)
            self._lock.notify_all()
        if failure is not None:
            return failure.status, {"ok": False, "error": failure.error}, failure.headers
        if call.method in ("views.open", "views.update"):
            return 200, self._show_view(call.args), {}
        return 200, self._answer(call), {}

    def _show_view(self, args: dict[str, Any]) -> dict[str, Any]:
        view = args.get("view") or {}
        with self._lock:
            view_id = args.get("view_id") or f"V{next(self._ts):06d}"
            before = self._views.get(view_id)
            if args.get("view_id") and before is None:
                return {"ok": False, "error": "not_found"}
            if before is not None and args.get("hash") and args["hash"] != before[0]:
                return {"ok": False, "error": "hash_conflict"}
            kept = before[1] if before is not None else {}
            inputs = {key: kept.get(key, initial) for key, initial in _inputs(view).items()}
            view_hash = f"h{len(self._views) + next(self._ts)}" if before else "h1"
            self._views[view_id] = (view_hash, inputs)
            if before is None:
                self.opened_view_ids.append(view_id)
        return {"ok": True, "view": {"id": view_id, "hash": view_hash, **view}}

    def _answer(self, call: Call) -> dict[str, Any]:
        args = call.args
        if call.method == "auth.test":
            return {
                "ok": True,
                "url": "https://fake.slack.test/",
                "team": "Fake Workspace",
                "user": "sectorbot",
                "team_id": TEAM_ID,
                "user_id": BOT_USER_ID,
                "bot_id": BOT_ID,
                "is_enterprise_install": False,
            }
        if call.method in ("chat.postMessage", "chat.update"):
            ts = args.get("ts") or self._next_ts()
            message = {
                "type": "message",
                "user": BOT_USER_ID,
                "bot_id": BOT_ID,
                "text": args.get("text", ""),
                "ts": ts,
            }
            if args.get("thread_ts"):
                message["thread_ts"] = args["thread_ts"]
            return {"ok": True, "channel": args.get("channel"), "ts": ts, "message": message}
        if call.method == "chat.startStream":
            # A streamed reply is a message in the thread that grows until chat.stopStream.
            return {"ok": True, "channel": args.get("channel"), "ts": self._next_ts()}
        if call.method in ("chat.appendStream", "chat.stopStream"):
            return {"ok": True, "channel": args.get("channel"), "ts": args.get("ts")}
        if call.method == "chat.postEphemeral":
            return {"ok": True, "message_ts": self._next_ts()}
        if call.method == "views.publish":
            view_id = args.get("view_id") or f"V{next(self._ts):06d}"
            return {"ok": True, "view": {"id": view_id, "hash": "h1", **(args.get("view") or {})}}
        if call.method == "users.info":
            user_id = str(args.get("user", ""))
            name, email = self.users.get(
                user_id, (f"Person {user_id}", f"{user_id.lower()}@example.com")
            )
            profile = {"real_name": name, "display_name": name, "email": email}
            return {"ok": True, "user": {"id": user_id, "real_name": name, "profile": profile}}
        if call.method == "chat.getPermalink":
            channel, ts = args.get("channel", ""), str(args.get("message_ts", ""))
            url = f"https://fake.slack.test/archives/{channel}/p{ts.replace('.', '')}"
            return {"ok": True, "channel": channel, "permalink": url}
        if call.method == "conversations.open":
            return {"ok": True, "channel": {"id": "D" + str(args.get("users", "")).lstrip("UW")}}
        if call.method == "conversations.replies":
            return {"ok": True, "messages": [], "has_more": False}
        if call.method == "apps.connections.open":
            return {"ok": True, "url": self.socket_mode_url}
        return {"ok": True}

    def _next_ts(self) -> str:
        return f"{int(time.time())}.{next(self._ts):06d}"


def _handler_for(fake: FakeSlack) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:  # noqa: N802 - the name http.server calls
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length).decode("utf-8") if length else ""
            args = _parse(raw, self.headers.get("Content-Type", ""))
            path = self.path.split("?", 1)[0]
            method = path.removeprefix("/api/") if path.startswith("/api/") else "response_url"
            token = self.headers.get("Authorization", "").removeprefix("Bearer ") or args.get(
                "token"
            )
            status, body, headers = fake._record(Call(method, args, token, path))
            self._reply(status, body, headers)

        def do_GET(self) -> None:  # noqa: N802
            self.do_POST()

        def _reply(self, status: int, body: dict[str, Any], headers: dict[str, str]) -> None:
            data = json.dumps(body).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            return  # keep test output clean

    return Handler


def _inputs(view: dict[str, Any]) -> dict[tuple[str, str], str]:
    """Each input of a view by (block id, action id), with the value it starts with."""
    found: dict[tuple[str, str], str] = {}
    for block in view.get("blocks") or []:
        element = block.get("element") or {}
        if block.get("type") != "input":
            continue
        option = element.get("initial_option") or {}
        initial = element.get("initial_value") or option.get("value") or ""
        found[(str(block.get("block_id")), str(element.get("action_id")))] = initial
    return found


def _parse(raw: str, content_type: str) -> dict[str, Any]:
    if not raw:
        return {}
    if "json" in content_type:
        parsed = json.loads(raw)
        return parsed if isinstance(parsed, dict) else {"payload": parsed}
    args: dict[str, Any] = {key: values[-1] for key, values in parse_qs(raw).items()}
    for key in ("blocks", "view", "prompts", "attachments"):
        if isinstance(args.get(key), str):
            with contextlib.suppress(ValueError):
                args[key] = json.loads(args[key])
    return args
