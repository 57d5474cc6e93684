"""A local Socket Mode server: says ``hello``, pushes envelopes, and collects the app's acks.

It runs the ``websockets`` asyncio server on 127.0.0.1 (port 0) in a background thread. The fake
Web API's ``apps.connections.open`` hands its ``url`` to the app's Socket Mode client.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
import uuid
from typing import Any

from websockets.asyncio.server import Server, ServerConnection, serve

from tests.fakes.slack_requests import event_envelope


class FakeSocketMode:
    """Start with ``FakeSocketMode()``, stop with ``close()``."""

    def __init__(self) -> None:
        self.acks: list[dict[str, Any]] = []
        self._connections: list[ServerConnection] = []
        self._changed = threading.Condition()
        self._loop = asyncio.new_event_loop()
        self._server: Server | None = None
        started = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(started,), daemon=True)
        self._thread.start()
        if not started.wait(10):
            raise RuntimeError("the fake Socket Mode server did not start")

    @property
    def url(self) -> str:
        """The ``ws://`` URL to hand out from ``apps.connections.open``."""
        assert self._server is not None
        host, port = next(iter(self._server.sockets)).getsockname()[:2]
        return f"ws://{host}:{port}/link"

    def wait_connected(self, timeout: float = 10.0) -> None:
        """Block until a client has connected (and been sent ``hello``)."""
        self._wait(lambda: bool(self._connections), timeout, "no Socket Mode client connected")

    def push_event(self, event: dict[str, Any], *, retry_attempt: int = 0) -> str:
        """Send an ``events_api`` envelope holding ``event``; returns its envelope id."""
        envelope_id = str(uuid.uuid4())
        envelope = {
            "envelope_id": envelope_id,
            "type": "events_api",
            "accepts_response_payload": False,
            "retry_attempt": retry_attempt,
            "retry_reason": "",
            "payload": event_envelope(event),
        }
        connection = self._connections[-1]
        future = asyncio.run_coroutine_threadsafe(connection.send(json.dumps(envelope)), self._loop)
        future.result(timeout=10)
        return envelope_id

    def wait_for_ack(self, envelope_id: str, timeout: float = 10.0) -> dict[str, Any]:
        """Block until the app acknowledged ``envelope_id``; returns the ack."""
        self._wait(
            lambda: any(ack.get("envelope_id") == envelope_id for ack in self.acks),
            timeout,
            f"no ack for envelope {envelope_id}",
        )
        return next(ack for ack in self.acks if ack.get("envelope_id") == envelope_id)

    def close(self) -> None:
        """Stop the server and its loop."""

        async def stop() -> None:
            if self._server is not None:
                self._server.close()
                await self._server.wait_closed()

        asyncio.run_coroutine_threadsafe(stop(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)

    def _wait(self, condition: Any, timeout: float, message: str) -> None:
        deadline = time.monotonic() + timeout
        with self._changed:
            while not condition():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(message)
                self._changed.wait(remaining)

    def _run(self, started: threading.Event) -> None:
        asyncio.set_event_loop(self._loop)

        async def start() -> None:
            self._server = await serve(self._handle, "127.0.0.1", 0)

        self._loop.run_until_complete(start())
        started.set()
        self._loop.run_forever()

    async def _handle(self, connection: ServerConnection) -> None:
        await connection.send(
            json.dumps({"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A1"}})
        )
        with self._changed:
            self._connections.append(connection)
            self._changed.notify_all()
        try:
            async for raw in connection:
                message = json.loads(raw)
                if "envelope_id" in message:
                    with self._changed:
                        self.acks.append(message)
                        self._changed.notify_all()
        except Exception:
            return  # the client went away: the test decides whether that matters
