"""Matchmaking: FIFO pairing, waitroom departures and partner-left, unit and through the app."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from flask.testing import FlaskClient

from testbed.server.matchmaking import GameStatus, JoinRefused, Matchmaker, derive_seed


class Player:
    """A stand-in connection: compared by identity, like the real one."""

    def __init__(self, name: str) -> None:
        self.name = name


def join_all(matchmaker: Matchmaker[Player], names: list[str]) -> dict[str, Player]:
    players = {name: Player(name) for name in names}
    for name, player in players.items():
        matchmaker.join(player, name)
    return players


def test_pairs_arrivals_two_by_two_in_arrival_order() -> None:
    matchmaker: Matchmaker[Player] = Matchmaker(base_seed=1)
    join_all(matchmaker, ["a", "b", "c", "d", "e"])
    games = matchmaker.games()
    assert [g["subjectIds"] for g in games] == [["a", "b"], ["c", "d"]]
    assert [g["gameId"] for g in games] == ["g0001", "g0002"]
    assert matchmaker.waiting() == ["e"]


def test_games_record_when_each_join_reached_the_server_in_pair_order() -> None:
    matchmaker: Matchmaker[Player] = Matchmaker(base_seed=1)
    marks = []
    for name in ("a", "b", "c", "d"):
        marks.append(time.time())
        matchmaker.join(Player(name), name)
    marks.append(time.time())
    joined = [t for game in matchmaker.games() for t in game["joinedAt"]]
    assert len(joined) == 4
    for index, moment in enumerate(joined):
        assert marks[index] <= moment <= marks[index + 1], (marks, joined)
    assert all(game["createdAt"] >= game["joinedAt"][1] for game in matchmaker.games())


def test_an_instance_tag_makes_game_ids_unique_but_keeps_the_seeds() -> None:
    plain: Matchmaker[Player] = Matchmaker(base_seed=1)
    tagged = [Matchmaker[Player](base_seed=1, instance=tag) for tag in ("a1b2c3", "d4e5f6")]
    for matchmaker in (plain, *tagged):
        join_all(matchmaker, ["a", "b"])
    ids = [m.games()[0]["gameId"] for m in (plain, *tagged)]
    assert ids == ["g0001", "g0001-a1b2c3", "g0001-d4e5f6"]
    assert len({m.games()[0]["seed"] for m in (plain, *tagged)}) == 1


def test_join_returns_the_game_only_to_the_second_arrival() -> None:
    matchmaker: Matchmaker[Player] = Matchmaker(base_seed=1)
    first, second = Player("a"), Player("b")
    assert matchmaker.join(first, "a") is None
    game = matchmaker.join(second, "b")
    assert game is not None
    assert game.players == (first, second)
    assert (game.index_of(first), game.index_of(second)) == (0, 1)
    assert matchmaker.partner_of(first) is second
    assert matchmaker.partner_of(second) is first


def test_seeds_derive_from_base_seed_and_game_id() -> None:
    one: Matchmaker[Player] = Matchmaker(base_seed=1)
    again: Matchmaker[Player] = Matchmaker(base_seed=1)
    other: Matchmaker[Player] = Matchmaker(base_seed=2)
    for matchmaker in (one, again, other):
        join_all(matchmaker, ["a", "b", "c", "d"])
    seeds = [g["seed"] for g in one.games()]
    assert seeds == [g["seed"] for g in again.games()]
    assert seeds != [g["seed"] for g in other.games()]
    assert seeds[0] != seeds[1]
    assert seeds[0] == derive_seed(1, "g0001")
    assert all(isinstance(s, int) and 0 <= s < 2**31 for s in seeds)


def test_leaving_the_waitroom_removes_the_player_from_the_queue() -> None:
    matchmaker: Matchmaker[Player] = Matchmaker(base_seed=1)
    players = join_all(matchmaker, ["a"])
    assert matchmaker.leave_queue(players["a"]) is True
    assert matchmaker.waiting() == []
    assert matchmaker.leave_queue(players["a"]) is False
    join_all(matchmaker, ["b", "c"])
    assert [g["subjectIds"] for g in matchmaker.games()] == [["b", "c"]]


def test_depart_mid_game_abandons_it_and_names_the_partner() -> None:
    matchmaker: Matchmaker[Player] = Matchmaker(base_seed=1)
    players = join_all(matchmaker, ["a", "b"])
    departure = matchmaker.depart(players["a"])
    assert departure is not None
    assert departure.partner is players["b"]
    assert departure.left_finished is False
    assert matchmaker.games()[0]["status"] == GameStatus.ABANDONED.value
    assert matchmaker.partner_of(players["b"]) is None
    assert matchmaker.depart(players["b"]) is None  # nobody left to tell


def test_finished_game_is_done_and_departures_notify_nobody() -> None:
    matchmaker: Matchmaker[Player] = Matchmaker(base_seed=1)
    players = join_all(matchmaker, ["a", "b"])
    first = matchmaker.finish(players["a"])
    assert first is not None and first[1] is False
    second = matchmaker.finish(players["b"])
    assert second is not None and second[1] is True
    assert matchmaker.games()[0]["status"] == "done"
    assert matchmaker.depart(players["a"]) is None


def test_a_finished_player_leaving_tells_the_partner_it_had_finished() -> None:
    matchmaker: Matchmaker[Player] = Matchmaker(base_seed=1)
    players = join_all(matchmaker, ["a", "b"])
    matchmaker.finish(players["a"])
    departure = matchmaker.depart(players["a"])
    assert departure is not None and departure.left_finished is True
    assert matchmaker.games()[0]["status"] == "playing"  # b may still settle its last frames


@pytest.mark.parametrize(
    "earlier",
    [
        pytest.param(["a"], id="subject-waiting"),
        pytest.param(["a", "b"], id="subject-playing"),
    ],
)
def test_a_subject_cannot_join_twice(earlier: list[str]) -> None:
    matchmaker: Matchmaker[Player] = Matchmaker(base_seed=1)
    join_all(matchmaker, earlier)
    with pytest.raises(JoinRefused, match="already waiting or playing"):
        matchmaker.join(Player("a"), "a")


def test_a_connection_cannot_join_twice() -> None:
    matchmaker: Matchmaker[Player] = Matchmaker(base_seed=1)
    player = Player("a")
    matchmaker.join(player, "a")
    with pytest.raises(JoinRefused, match="already joined"):
        matchmaker.join(player, "z")
    assert matchmaker.waiting() == ["a"]


# ---- through the app: the WebSocket protocol with in-memory sockets ----------------------


def test_app_pairs_fifo_and_sends_the_match_parameters(connect: Any, client: FlaskClient) -> None:
    sockets = [connect() for _ in range(4)]
    matches: list[dict[str, Any]] = []
    for number, ws in enumerate(sockets):
        ws.send({"type": "join", "subjectId": f"s{number}"})
        if number % 2 == 0:  # wait for each arrival, so that arrival order is the send order
            assert ws.expect("waiting")["position"] == 1
        else:
            matches += [sockets[number - 1].expect("match"), ws.expect("match")]
    tag = matches[0]["gameId"].removeprefix("g0001-")
    assert re.fullmatch(r"[0-9a-f]{6}", tag), matches[0]["gameId"]  # this server's tag
    assert [(m["gameId"].removesuffix(f"-{tag}"), m["playerIndex"]) for m in matches] == [
        ("g0001", 0),
        ("g0001", 1),
        ("g0002", 0),
        ("g0002", 1),
    ]
    assert matches[0]["partnerId"] == "s1" and matches[1]["partnerId"] == "s0"
    assert matches[0]["seed"] == matches[1]["seed"] == derive_seed(7, "g0001")
    assert {k: matches[0][k] for k in ("fps", "maxSteps", "episodes", "inputDelay")} == {
        "fps": 30,
        "maxSteps": 150,
        "episodes": 2,
        "inputDelay": 3,
    }
    assert (matches[0]["experimentId"], matches[0]["sceneId"]) == ("exp1", "scene1")
    games = client.get("/api/games").get_json()
    assert [(g["gameId"], g["subjectIds"], g["status"]) for g in games] == [
        (f"g0001-{tag}", ["s0", "s1"], "playing"),
        (f"g0002-{tag}", ["s2", "s3"], "playing"),
    ]


@pytest.mark.parametrize("how", ["leave-message", "socket-closed"])
def test_app_waitroom_departure_leaves_the_queue(
    connect: Any, client: FlaskClient, how: str
) -> None:
    leaver, second, third = connect(), connect(), connect()
    leaver.send({"type": "join", "subjectId": "gone"})
    leaver.expect("waiting")
    assert client.get("/api/queue").get_json() == {"waiting": ["gone"]}
    if how == "leave-message":
        leaver.send({"type": "leave"})
        leaver.send({"type": "ping"})
        leaver.expect("pong")  # the leave was handled before the ping
    else:
        leaver.close()
    assert client.get("/api/queue").get_json() == {"waiting": []}
    second.send({"type": "join", "subjectId": "s2"})
    assert second.expect("waiting")["position"] == 1
    third.send({"type": "join", "subjectId": "s3"})
    assert third.expect("match")["partnerId"] == "s2"
    assert [g["subjectIds"] for g in client.get("/api/games").get_json()] == [["s2", "s3"]]


def paired(connect: Any) -> tuple[Any, Any]:
    first, second = connect(), connect()
    first.send({"type": "join", "subjectId": "p0"})
    first.expect("waiting")
    second.send({"type": "join", "subjectId": "p1"})
    first.expect("match")
    second.expect("match")
    return first, second


@pytest.mark.parametrize("how", ["socket-closed", "leave-message"])
def test_app_partner_leaving_mid_game_ends_it_for_the_other(
    connect: Any, client: FlaskClient, how: str
) -> None:
    first, second = paired(connect)
    if how == "socket-closed":
        first.close()
    else:
        first.send({"type": "leave"})
    notice = second.expect("partner_left")
    assert notice["partnerFinished"] is False
    assert client.get("/api/games").get_json()[0]["status"] == "abandoned"
    second.send({"type": "relay", "packet": {"f": 1}})  # nobody to relay to: silently dropped
    second.assert_silent()


def test_app_relays_packets_and_signals_between_partners(connect: Any) -> None:
    first, second = paired(connect)
    first.send({"type": "relay", "packet": {"frame": 3, "inputs": [1, 2]}})
    assert second.expect("relay")["packet"] == {"frame": 3, "inputs": [1, 2]}
    second.send(
        {"type": "signal", "data": {"kind": "description", "description": {"type": "answer"}}}
    )
    assert first.expect("signal")["data"]["kind"] == "description"
    first.assert_silent()


def test_app_game_done_after_both_report_done(connect: Any, client: FlaskClient) -> None:
    first, second = paired(connect)
    first.send({"type": "status", "transport": "p2p"})
    second.send({"type": "status", "transport": "relay"})
    first.send({"type": "done"})
    second.send({"type": "done"})
    game_id = first.expect("game_done")["gameId"]
    assert game_id.startswith("g0001-")
    assert second.expect("game_done")["gameId"] == game_id
    game = client.get("/api/games").get_json()[0]
    assert (game["status"], game["transports"]) == ("done", ["p2p", "relay"])
    first.close()
    second.assert_silent()  # a finished game has no partner_left


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        pytest.param("not json", "not JSON", id="not-json"),
        pytest.param("[1, 2]", "object with a 'type'", id="not-an-object"),
        pytest.param({"type": "dance"}, "unknown message type", id="unknown-type"),
        pytest.param({"type": "join", "subjectId": "../x"}, "subjectId", id="unsafe-subject"),
        pytest.param({"type": "join"}, "subjectId", id="missing-subject"),
        pytest.param({"type": "status", "transport": "pigeon"}, "transport", id="bad-transport"),
        pytest.param({"type": "done"}, "outside a game", id="done-before-match"),
    ],
)
def test_app_bad_messages_get_an_error_and_the_socket_survives(
    connect: Any, message: Any, expected: str
) -> None:
    ws = connect()
    ws.send(message)
    assert expected in ws.expect("error")["message"]
    ws.send({"type": "ping"})
    ws.expect("pong")
