"""Fixtures for the testbed server tests: a fresh app per test and in-memory WebSocket clients."""

from __future__ import annotations

import json
import queue
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from testbed.server import ServerConfig, create_app
from testbed.server.app import testbed_of
from testbed.server.signalling import ChannelClosed, SignallingHub

_CLOSE = object()


class FakeChannel:
    """A Channel fed by the test: messages in through a queue, messages out into another."""

    def __init__(self) -> None:
        self.inbox: queue.Queue[object] = queue.Queue()
        self.outbox: queue.Queue[dict[str, Any]] = queue.Queue()
        self.closed = threading.Event()

    def send(self, text: str) -> None:
        if self.closed.is_set():
            raise ChannelClosed
        self.outbox.put(json.loads(text))

    def receive(self) -> str | None:
        item = self.inbox.get()
        if item is _CLOSE:
            self.closed.set()
            raise ChannelClosed
        assert isinstance(item, str)
        return item


class WsClient:
    """One simulated browser socket, served by the hub on its own thread like flask-sock does."""

    def __init__(self, hub: SignallingHub) -> None:
        self.channel = FakeChannel()
        self.thread = threading.Thread(target=hub.serve, args=(self.channel,), daemon=True)
        self.thread.start()

    def send(self, message: dict[str, Any] | str) -> None:
        self.channel.inbox.put(message if isinstance(message, str) else json.dumps(message))

    def expect(self, kind: str, timeout: float = 2.0) -> dict[str, Any]:
        """The next message, which must be of this type."""
        message = self.channel.outbox.get(timeout=timeout)
        assert message["type"] == kind, message
        return message

    def assert_silent(self, wait: float = 0.05) -> None:
        with pytest.raises(queue.Empty):
            self.channel.outbox.get(timeout=wait)

    def close(self) -> None:
        """Drop the socket and wait until the server has handled it."""
        self.channel.inbox.put(_CLOSE)
        self.thread.join(timeout=2.0)
        assert not self.thread.is_alive()


@pytest.fixture
def config(tmp_path: Path) -> ServerConfig:
    return ServerConfig(
        data_dir=tmp_path / "data",
        fps=30,
        max_steps=150,
        episodes=2,
        input_delay=3,
        experiment_id="exp1",
        scene_id="scene1",
        seed=7,
        run_token="token-123",
    )


@pytest.fixture
def app(config: ServerConfig) -> Flask:
    return create_app(config)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def connect(app: Flask) -> Iterator[Any]:
    """Factory of in-memory WebSocket clients; all closed at teardown."""
    clients: list[WsClient] = []
    hub = testbed_of(app).hub

    def make() -> WsClient:
        ws = WsClient(hub)
        clients.append(ws)
        return ws

    yield make
    for ws in clients:
        if ws.thread.is_alive():
            ws.close()
