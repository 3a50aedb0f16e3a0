"""The WebSocket protocol: matchmaking, WebRTC signalling, packet relay, partner-left notices.

Client -> server messages (JSON objects with a "type"):
  join {subjectId}     enter the FIFO waitroom
  leave                leave the waitroom, or abandon the current game
  signal {data}        WebRTC offer/answer/ICE candidate, forwarded verbatim to the partner
  relay {packet}       a game packet for the partner when the DataChannel is not used
  status {transport}   'p2p' or 'relay', recorded for /api/games
  done                 this client finished all episodes
  ping                 answered with pong

Server -> client messages:
  waiting {position}, match {gameId, playerIndex, partnerId, seed, fps, maxSteps, episodes,
  inputDelay, experimentId, sceneId}, signal {data}, relay {packet},
  partner_left {partnerFinished}, game_done {gameId} (both players finished), error {message},
  pong

Order holds per connection only: 'match' goes to player 0 first, and player 0's offer is
forwarded from another thread, so it can reach player 1 before player 1's own 'match'. The
client keeps such early signals until its peer link exists.
"""

from __future__ import annotations

import itertools
import json
import logging
import threading
from typing import Any, Protocol

from testbed.server.config import ServerConfig, is_safe_id
from testbed.server.matchmaking import Game, JoinRefused, Matchmaker

logger = logging.getLogger("testbed.server")

TRANSPORTS = frozenset({"p2p", "relay"})


class ChannelClosed(Exception):
    """The WebSocket is gone."""


class Channel(Protocol):
    """A message-oriented, bidirectional text connection (a WebSocket)."""

    def send(self, text: str) -> None:
        """Send one message; raise ChannelClosed if the connection is gone."""

    def receive(self) -> str | None:
        """Block for the next message (None for a non-text frame); raise ChannelClosed at end."""


class Connection:
    """One client's WebSocket; sends are serialised because several threads write to it."""

    _ids = itertools.count(1)

    def __init__(self, channel: Channel) -> None:
        """Wrap a channel; the subject id is known after 'join'."""
        self.channel = channel
        self.conn_id = next(self._ids)
        self.subject_id: str | None = None
        self._send_lock = threading.Lock()

    def send(self, message: dict[str, Any]) -> bool:
        """Send a message; False if the connection is already gone."""
        text = json.dumps(message, separators=(",", ":"))
        with self._send_lock:
            try:
                self.channel.send(text)
            except ChannelClosed:
                return False
            except OSError:
                return False
        return True

    def __repr__(self) -> str:
        """Short form for logs."""
        return f"<conn {self.conn_id} {self.subject_id}>"


class SignallingHub:
    """Serves WebSocket clients for one server; holds no state but the matchmaker's."""

    def __init__(self, config: ServerConfig, matchmaker: Matchmaker[Connection]) -> None:
        """Bind the hub to the server configuration and its matchmaker."""
        self.config = config
        self.matchmaker = matchmaker

    def serve(self, channel: Channel) -> None:
        """Handle one client until its socket closes, then release its place or game."""
        conn = Connection(channel)
        logger.info("ws_open conn=%d", conn.conn_id)
        try:
            while True:
                text = channel.receive()
                if text is not None:
                    self._handle_safely(conn, text)
        except ChannelClosed:
            pass
        finally:
            logger.info("ws_close conn=%d subject=%s", conn.conn_id, conn.subject_id)
            self._depart(conn, reason="disconnect")

    def _handle_safely(self, conn: Connection, text: str) -> None:
        """A bug in one message's handling is logged and answered, not fatal to the socket."""
        try:
            self.handle(conn, text)
        except ChannelClosed:
            raise
        except Exception:
            logger.exception("ws_error conn=%d subject=%s", conn.conn_id, conn.subject_id)
            conn.send({"type": "error", "message": "internal error handling the message"})

    def handle(self, conn: Connection, text: str) -> None:
        """Dispatch one message from a client."""
        try:
            message = json.loads(text)
        except ValueError:
            conn.send({"type": "error", "message": "message is not JSON"})
            return
        if not isinstance(message, dict) or not isinstance(message.get("type"), str):
            conn.send({"type": "error", "message": "message must be an object with a 'type'"})
            return
        kind = message["type"]
        if kind == "relay":
            self._forward(conn, {"type": "relay", "packet": message.get("packet")})
        elif kind == "signal":
            self._forward(conn, {"type": "signal", "data": message.get("data")})
        elif kind == "join":
            self._join(conn, message.get("subjectId"))
        elif kind == "leave":
            self._depart(conn, reason="leave")
        elif kind == "status":
            self._status(conn, message.get("transport"))
        elif kind == "done":
            self._done(conn)
        elif kind == "ping":
            conn.send({"type": "pong"})
        else:
            conn.send({"type": "error", "message": f"unknown message type {kind!r}"})

    def _forward(self, conn: Connection, message: dict[str, Any]) -> None:
        partner = self.matchmaker.partner_of(conn)
        if partner is not None:  # a vanished partner is reported by partner_left, not here
            partner.send(message)

    def _join(self, conn: Connection, subject_id: object) -> None:
        if not is_safe_id(subject_id):
            conn.send(
                {
                    "type": "error",
                    "message": "join needs a subjectId of letters, digits, '.', '-', '_'",
                }
            )
            return
        assert isinstance(subject_id, str)
        try:
            game = self.matchmaker.join(conn, subject_id)
        except JoinRefused as refused:
            conn.send({"type": "error", "message": f"join refused: {refused}"})
            return
        conn.subject_id = subject_id
        logger.info("join conn=%d subject=%s", conn.conn_id, subject_id)
        if game is None:
            conn.send({"type": "waiting", "position": len(self.matchmaker.waiting())})
            return
        logger.info(
            "match game=%s seed=%d subjects=%s,%s",
            game.game_id,
            game.seed,
            game.subject_ids[0],
            game.subject_ids[1],
        )
        for index, player in enumerate(game.players):
            player.send(self._match_message(game, index))

    def _match_message(self, game: Game[Connection], index: int) -> dict[str, Any]:
        config = self.config
        return {
            "type": "match",
            "gameId": game.game_id,
            "playerIndex": index,
            "subjectId": game.subject_ids[index],
            "partnerId": game.subject_ids[1 - index],
            "seed": game.seed,
            "fps": config.fps,
            "maxSteps": config.max_steps,
            "episodes": config.episodes,
            "inputDelay": config.input_delay,
            "experimentId": config.experiment_id,
            "sceneId": config.scene_id,
        }

    def _status(self, conn: Connection, transport: object) -> None:
        if transport not in TRANSPORTS:
            conn.send({"type": "error", "message": "status needs transport 'p2p' or 'relay'"})
            return
        assert isinstance(transport, str)
        self.matchmaker.set_transport(conn, transport)
        logger.info("transport subject=%s transport=%s", conn.subject_id, transport)

    def _done(self, conn: Connection) -> None:
        finished = self.matchmaker.finish(conn)
        if finished is None:
            conn.send({"type": "error", "message": "done outside a game"})
            return
        game, completed = finished
        logger.info("player_done game=%s subject=%s", game.game_id, conn.subject_id)
        if completed:
            logger.info("game_done game=%s", game.game_id)
            for player in game.players:
                player.send({"type": "game_done", "gameId": game.game_id})

    def _depart(self, conn: Connection, reason: str) -> None:
        if self.matchmaker.leave_queue(conn):
            logger.info("waitroom_leave subject=%s reason=%s", conn.subject_id, reason)
            return
        departure = self.matchmaker.depart(conn)
        if departure is None:
            return
        logger.info(
            "partner_left game=%s subject=%s reason=%s finished=%s",
            departure.game_id,
            conn.subject_id,
            reason,
            departure.left_finished,
        )
        departure.partner.send({"type": "partner_left", "partnerFinished": departure.left_finished})
