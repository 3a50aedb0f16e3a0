"""POST /api/export validation and atomic CSV writing; /healthz and the configuration."""

from __future__ import annotations

import copy
import csv
import json
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from testbed.server import ServerConfig, create_app
from testbed.server.config import config_from_args

COLUMNS = ["gameId", "episode", "frame", "t", "x.0", "wasSpeculative", "timestamp", "note"]


def payload(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "experimentId": "exp1",
        "sceneId": "scene1",
        "subjectId": "subj-1",
        "gameId": "g0001",
        "episode": 0,
        "columns": list(COLUMNS),
        "rows": [
            ["g0001", 0, frame, frame, frame % 3, frame == 1, 1700000000.5 + frame, None]
            for frame in range(3)
        ],
    }
    body.update(changes)
    return body


def csv_path(config: ServerConfig, subject: str = "subj-1", episode: int = 0) -> Path:
    return config.data_dir / "exp1" / "scene1" / f"{subject}_ep{episode}.csv"


def read_csv(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def test_export_writes_the_csv_with_header_and_cell_text(
    client: FlaskClient, config: ServerConfig
) -> None:
    response = client.post("/api/export", json=payload())
    assert response.status_code == 201, response.get_json()
    assert response.get_json() == {"path": "exp1/scene1/subj-1_ep0.csv", "rows": 3}
    assert read_csv(csv_path(config)) == [
        COLUMNS,
        ["g0001", "0", "0", "0", "0", "false", "1700000000.5", ""],
        ["g0001", "0", "1", "1", "1", "true", "1700000001.5", ""],
        ["g0001", "0", "2", "2", "2", "false", "1700000002.5", ""],
    ]


def test_export_of_another_episode_goes_to_its_own_file(
    client: FlaskClient, config: ServerConfig
) -> None:
    second = payload(episode=1)
    for row in second["rows"]:
        row[1] = 1
    assert client.post("/api/export", json=payload()).status_code == 201
    assert client.post("/api/export", json=second).status_code == 201
    assert sorted(p.name for p in csv_path(config).parent.iterdir()) == [
        "subj-1_ep0.csv",
        "subj-1_ep1.csv",
    ]


def _without_column(name: str) -> dict[str, Any]:
    body = payload()
    index = body["columns"].index(name)
    del body["columns"][index]
    for row in body["rows"]:
        del row[index]
    return body


def _short_row() -> dict[str, Any]:
    body = payload()
    body["rows"][1] = body["rows"][1][:-1]
    return body


def _nested_cell() -> dict[str, Any]:
    body = payload()
    body["rows"][0][7] = {"nested": True}
    return body


def _foreign_game_row() -> dict[str, Any]:
    body = payload()
    body["rows"][2][0] = "g0002"
    return body


BIG = 5 * 1024 * 1024 + 1

BAD_UPLOADS = [
    pytest.param(b"x" * BIG, 413, "larger than", id="too-big"),
    pytest.param(b"{not json", 400, "not JSON", id="non-json"),
    pytest.param(b"\xff\xfe", 400, "not UTF-8", id="not-utf8"),
    pytest.param(b"[1, 2, 3]", 400, "JSON object", id="not-an-object"),
    pytest.param(
        _without_column("frame"), 400, "missing required column(s): frame", id="missing-column"
    ),
    pytest.param(_without_column("gameId"), 400, "gameId", id="missing-gameId-column"),
    pytest.param(_short_row(), 400, "row 1 has 7 cells, expected 8", id="wrong-row-length"),
    pytest.param(
        payload(subjectId="../evil"),
        400,
        "subjectId '../evil' is not a safe id",
        id="dotdot-subject",
    ),
    pytest.param(payload(sceneId="a/b"), 400, "sceneId", id="slash-scene"),
    pytest.param(payload(gameId=".."), 400, "gameId", id="dotdot-game"),
    pytest.param(payload(subjectId=7), 400, "subjectId", id="non-string-id"),
    pytest.param(payload(experimentId="other"), 400, "not this server's", id="other-experiment"),
    pytest.param(payload(episode=-1), 400, "episode", id="negative-episode"),
    pytest.param(payload(episode="0"), 400, "episode", id="string-episode"),
    pytest.param(payload(columns=[]), 400, "columns", id="no-columns"),
    pytest.param(payload(columns=[*COLUMNS[:-1], "frame"]), 400, "unique", id="duplicate-column"),
    pytest.param(payload(rows=[]), 400, "rows", id="no-rows"),
    pytest.param(_nested_cell(), 400, "scalars", id="nested-cell"),
    pytest.param(_foreign_game_row(), 400, "row 2 has gameId", id="row-of-another-game"),
    pytest.param(b'{"episode": NaN}', 400, "NaN", id="nan"),
    pytest.param(b"[" * 100_000 + b"]" * 100_000, 400, "nested too deeply", id="deeply-nested"),
    pytest.param(
        b'{"rows": ' + b"[" * 50_000 + b"]" * 50_000 + b"}", 400, "nested", id="nested-rows"
    ),
]


@pytest.mark.parametrize(("body", "status", "message"), BAD_UPLOADS)
def test_bad_upload_is_refused_with_a_json_message_and_writes_nothing(
    client: FlaskClient, config: ServerConfig, body: Any, status: int, message: str
) -> None:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    response = client.post("/api/export", data=data, content_type="application/json")
    assert response.status_code == status
    assert message in response.get_json()["error"]
    written = list(config.data_dir.rglob("*")) if config.data_dir.exists() else []
    assert [p for p in written if p.is_file()] == []


def test_bad_upload_leaves_the_existing_file_intact_and_no_temp_files(
    client: FlaskClient, config: ServerConfig
) -> None:
    assert client.post("/api/export", json=payload()).status_code == 201
    before = csv_path(config).read_bytes()
    broken = copy.deepcopy(payload())
    broken["rows"][2] = ["g0001", 0, 2, 2, {"x": 1}, False, 0.0, None]
    assert client.post("/api/export", json=broken).status_code == 400
    assert client.post("/api/export", data=b"x" * BIG).status_code == 413
    assert csv_path(config).read_bytes() == before
    assert sorted(p.name for p in csv_path(config).parent.iterdir()) == ["subj-1_ep0.csv"]


def test_rewrite_replaces_the_file_whole(client: FlaskClient, config: ServerConfig) -> None:
    assert client.post("/api/export", json=payload()).status_code == 201
    shorter = payload(rows=[["g0001", 0, 9, 9, 1, False, 1.0, "last"]])
    assert client.post("/api/export", json=shorter).status_code == 201
    assert read_csv(csv_path(config))[1:] == [["g0001", "0", "9", "9", "1", "false", "1.0", "last"]]
    assert [p.name for p in csv_path(config).parent.iterdir()] == ["subj-1_ep0.csv"]


def test_healthz_reports_config_and_run_token(client: FlaskClient, config: ServerConfig) -> None:
    body = client.get("/healthz").get_json()
    assert body["status"] == "ok"
    assert body["experiment_id"] == "exp1"
    assert body["run_token"] == "token-123"
    assert body["data_dir"] == str(config.data_dir)
    assert Path(body["data_dir"]).is_absolute()
    assert (body["fps"], body["max_steps"], body["episodes"]) == (30, 150, 2)


def test_healthz_run_token_is_null_without_the_variable(tmp_path: Path) -> None:
    config = config_from_args(["--data-dir", str(tmp_path / "d")], environ={})
    assert create_app(config).test_client().get("/healthz").get_json()["run_token"] is None


def test_config_reads_flags_and_regress_run_token(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REGRESS_RUN_TOKEN", "abc")
    monkeypatch.chdir(tmp_path)
    flags = {"--port": "0", "--fps": "20", "--max-steps": "99", "--episodes": "3"}
    flags |= {"--seed": "5", "--input-delay": "1", "--experiment-id": "e", "--data-dir": "rel"}
    config = config_from_args([part for pair in flags.items() for part in pair])
    assert config.run_token == "abc"
    assert config.data_dir == tmp_path / "rel"
    assert (config.fps, config.max_steps, config.episodes, config.seed) == (20, 99, 3, 5)
    assert (config.input_delay, config.experiment_id, config.port) == (1, "e", 0)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        pytest.param(["--fps", "0"], "fps must be at least 1", id="zero-fps"),
        pytest.param(["--experiment-id", "../x"], "not a safe path component", id="unsafe-id"),
        pytest.param(["--port", "70000"], "port must be in", id="port-range"),
    ],
)
def test_config_rejects_bad_flags(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        config_from_args(argv, environ={})
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_index_page_has_the_scene_elements(client: FlaskClient) -> None:
    with client.get("/") as page:
        html = page.get_data(as_text=True)
    for element in ("advanceButton", "startButton", "gameCanvas", "/static/js/app.js"):
        assert element in html
    with client.get("/static/js/app.js") as script:
        assert script.status_code == 200
        assert "window.game = game" in script.get_data(as_text=True)
