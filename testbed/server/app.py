"""The Flask application factory: pages, health, game list, export and the WebSocket."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import simple_websocket  # type: ignore[import-untyped]
from flask import Flask, Response, jsonify, request, send_from_directory
from flask_sock import Sock  # type: ignore[import-untyped]
from werkzeug.exceptions import HTTPException

from testbed.server.config import ServerConfig
from testbed.server.export import ExportError, parse_export, write_export
from testbed.server.matchmaking import Matchmaker
from testbed.server.signalling import Channel, ChannelClosed, Connection, SignallingHub

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
WS_MAX_MESSAGE_BYTES = 1024 * 1024
WS_PING_SECONDS = 20

logger = logging.getLogger("testbed.server")


@dataclass(frozen=True)
class Testbed:
    """Per-application state, kept in app.extensions (never in module globals)."""

    config: ServerConfig
    matchmaker: Matchmaker[Connection]
    hub: SignallingHub


class _WebSocketChannel:
    """Adapts a simple-websocket connection to the hub's Channel protocol."""

    def __init__(self, ws: Any) -> None:
        self._ws = ws

    def send(self, text: str) -> None:
        try:
            self._ws.send(text)
        except simple_websocket.ConnectionClosed as error:
            raise ChannelClosed from error

    def receive(self) -> str | None:
        try:
            data = self._ws.receive()
        except simple_websocket.ConnectionClosed as error:
            raise ChannelClosed from error
        return data if isinstance(data, str) else None


def testbed_of(app: Flask) -> Testbed:
    """The Testbed state of an application made by create_app."""
    state = app.extensions["testbed"]
    assert isinstance(state, Testbed)
    return state


def create_app(config: ServerConfig) -> Flask:
    """Build one independent server: its own matchmaker, games and export directory."""
    app = Flask(__name__, static_folder=str(STATIC_DIR), static_url_path="/static")
    app.config["MAX_CONTENT_LENGTH"] = config.max_upload_bytes
    app.config["SOCK_SERVER_OPTIONS"] = {
        "ping_interval": WS_PING_SECONDS,
        "max_message_size": WS_MAX_MESSAGE_BYTES,
    }
    # A tag per server process: game ids stay unique when servers share a data folder.
    matchmaker: Matchmaker[Connection] = Matchmaker(config.seed, instance=secrets.token_hex(3))
    hub = SignallingHub(config, matchmaker)
    app.extensions["testbed"] = Testbed(config, matchmaker, hub)
    sock = Sock(app)

    @app.get("/")
    def index() -> Response:
        return send_from_directory(STATIC_DIR, "index.html", max_age=0)

    @app.get("/healthz")
    def healthz() -> Response:
        return jsonify(
            status="ok",
            experiment_id=config.experiment_id,
            scene_id=config.scene_id,
            run_token=config.run_token,
            data_dir=str(config.data_dir),
            fps=config.fps,
            max_steps=config.max_steps,
            episodes=config.episodes,
            input_delay=config.input_delay,
        )

    @app.get("/api/games")
    def games() -> Response:
        return jsonify(matchmaker.games())

    @app.get("/api/queue")
    def queue() -> Response:
        return jsonify(waiting=matchmaker.waiting())

    @app.post("/api/export")
    def export() -> tuple[Response, int]:
        try:
            episode = parse_export(request.get_data(cache=False), config.experiment_id)
            path = write_export(config.data_dir, episode)
        except ExportError as error:
            logger.info("export_rejected status=%d reason=%s", error.status, error.message)
            return jsonify(error=error.message), error.status
        except OSError as error:
            logger.error("export_failed reason=%s", error)
            return jsonify(error=f"could not write export: {error.strerror}"), 500
        logger.info(
            "export game=%s subject=%s episode=%d rows=%d path=%s",
            episode.game_id,
            episode.subject_id,
            episode.episode,
            len(episode.rows),
            path,
        )
        relative = path.relative_to(config.data_dir).as_posix()
        return jsonify(path=relative, rows=len(episode.rows)), 201

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response | HTTPException:
        if not request.path.startswith("/api/"):
            return error
        if error.code == 413:
            logger.info("export_rejected status=413 reason=too large")
            message = f"body larger than {config.max_upload_bytes} bytes"
        else:
            message = error.description or error.name
        response = jsonify(error=message)
        response.status_code = error.code or 500
        return response

    @sock.route("/ws")  # type: ignore[untyped-decorator]
    def websocket(ws: Any) -> None:
        channel: Channel = _WebSocketChannel(ws)
        hub.serve(channel)

    return app
