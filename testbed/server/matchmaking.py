"""FIFO matchmaking: arrivals are paired two by two into games; all state behind one lock."""

from __future__ import annotations

import enum
import hashlib
import threading
import time
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

# Whatever identifies a connected player (a signalling connection), compared by identity.
P = TypeVar("P", bound=Hashable)


class GameStatus(enum.Enum):
    """Where a game is in its life."""

    PLAYING = "playing"
    DONE = "done"  # both players reported the end of their last episode
    ABANDONED = "abandoned"  # a player left before finishing


class JoinRefused(Exception):
    """A join the matchmaker will not accept (the message says why)."""


def derive_seed(base_seed: int, game_id: str) -> int:
    """A game's seed from the server's base seed and the game id (31 bits, JS-safe)."""
    digest = hashlib.sha256(f"{base_seed}:{game_id}".encode()).digest()
    return int.from_bytes(digest[:4], "big") & 0x7FFFFFFF


@dataclass
class Game(Generic[P]):
    """One pair of players; mutated only under the matchmaker's lock."""

    game_id: str
    seed: int
    players: tuple[P, P]
    subject_ids: tuple[str, str]
    created_at: float
    joined_at: tuple[float, float] = (0.0, 0.0)  # when each player's join reached the server
    status: GameStatus = GameStatus.PLAYING
    finished: list[bool] = field(default_factory=lambda: [False, False])
    connected: list[bool] = field(default_factory=lambda: [True, True])
    transports: list[str | None] = field(default_factory=lambda: [None, None])
    ended_at: float | None = None

    def index_of(self, player: P) -> int:
        """0 for the first arrival, 1 for the second."""
        return 0 if self.players[0] is player else 1

    def summary(self) -> dict[str, object]:
        """A JSON-able description for /api/games."""
        return {
            "gameId": self.game_id,
            "subjectIds": list(self.subject_ids),
            "status": self.status.value,
            "seed": self.seed,
            "finished": list(self.finished),
            "connected": list(self.connected),
            "transports": list(self.transports),
            "createdAt": self.created_at,
            "joinedAt": list(self.joined_at),
            "endedAt": self.ended_at,
        }


@dataclass(frozen=True)
class Departure(Generic[P]):
    """What a player's departure means for its game: whom to tell, and how."""

    game_id: str
    partner: P
    left_finished: bool  # the leaving player had completed all episodes
    status: GameStatus


@dataclass
class _Waiting(Generic[P]):
    player: P
    subject_id: str
    joined_at: float


class Matchmaker(Generic[P]):
    """A FIFO queue of waiting players and a registry of games, safe across threads."""

    def __init__(self, base_seed: int, instance: str = "") -> None:
        """Start with an empty queue; games are numbered g0001, g0002, ... and, given an
        instance tag, their ids are `g0001-<instance>`: unique across servers that write into
        one data folder. A game's seed derives from the base seed and its number only."""
        self._base_seed = base_seed
        self._instance = instance
        self._lock = threading.Lock()
        self._queue: list[_Waiting[P]] = []
        self._games: dict[str, Game[P]] = {}
        self._game_of: dict[P, Game[P]] = {}
        self._counter = 0

    def join(self, player: P, subject_id: str) -> Game[P] | None:
        """Queue a player; return the new game when this arrival completes a pair."""
        with self._lock:
            if any(w.player is player for w in self._queue) or player in self._game_of:
                raise JoinRefused("already joined")
            busy = {w.subject_id for w in self._queue} | {
                sid
                for game in self._games.values()
                if game.status is GameStatus.PLAYING
                for sid, on in zip(game.subject_ids, game.connected, strict=True)
                if on
            }
            if subject_id in busy:
                raise JoinRefused(f"subject {subject_id} is already waiting or playing")
            self._queue.append(_Waiting(player, subject_id, time.time()))
            if len(self._queue) < 2:
                return None
            first, second = self._queue.pop(0), self._queue.pop(0)
            self._counter += 1
            number = f"g{self._counter:04d}"
            game_id = f"{number}-{self._instance}" if self._instance else number
            game = Game(
                game_id=game_id,
                seed=derive_seed(self._base_seed, number),
                players=(first.player, second.player),
                subject_ids=(first.subject_id, second.subject_id),
                created_at=time.time(),
                joined_at=(first.joined_at, second.joined_at),
            )
            self._games[game_id] = game
            self._game_of[first.player] = game
            self._game_of[second.player] = game
            return game

    def leave_queue(self, player: P) -> bool:
        """Remove a waiting player; False if it was not waiting."""
        with self._lock:
            for i, waiting in enumerate(self._queue):
                if waiting.player is player:
                    del self._queue[i]
                    return True
            return False

    def partner_of(self, player: P) -> P | None:
        """The other player of this player's game while both are connected, else None."""
        with self._lock:
            game = self._game_of.get(player)
            if game is None:
                return None
            other = 1 - game.index_of(player)
            return game.players[other] if game.connected[other] else None

    def set_transport(self, player: P, transport: str) -> None:
        """Record the transport a player reports ('p2p' or 'relay')."""
        with self._lock:
            game = self._game_of.get(player)
            if game is not None:
                game.transports[game.index_of(player)] = transport

    def finish(self, player: P) -> tuple[Game[P], bool] | None:
        """Mark a player's side complete; also say whether that completed the whole game."""
        with self._lock:
            game = self._game_of.get(player)
            if game is None:
                return None
            game.finished[game.index_of(player)] = True
            completed = all(game.finished) and game.status is GameStatus.PLAYING
            if completed:
                game.status = GameStatus.DONE
                game.ended_at = time.time()
            return game, completed

    def depart(self, player: P) -> Departure[P] | None:
        """Forget a player (socket closed or 'leave'); return whom to notify, if anyone."""
        with self._lock:
            self._queue = [w for w in self._queue if w.player is not player]
            game = self._game_of.pop(player, None)
            if game is None:
                return None
            index = game.index_of(player)
            game.connected[index] = False
            left_finished = game.finished[index]
            if game.status is GameStatus.PLAYING and not left_finished:
                game.status = GameStatus.ABANDONED
                game.ended_at = time.time()
            other = 1 - index
            if not game.connected[other] or game.status is GameStatus.DONE:
                return None
            return Departure(game.game_id, game.players[other], left_finished, game.status)

    def waiting(self) -> list[str]:
        """Subject ids in the queue, oldest first."""
        with self._lock:
            return [w.subject_id for w in self._queue]

    def games(self) -> list[dict[str, object]]:
        """Every game of this server, oldest first, as JSON-able summaries."""
        with self._lock:
            return [game.summary() for game in self._games.values()]
