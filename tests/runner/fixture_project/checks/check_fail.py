import urllib.request


def test_ok():
    assert 1 + 1 == 2


def test_broken(server_url, data_dir, test_artifacts_dir):
    # evidence for the report: a server log line, a file of its own, a divergent export pair
    with urllib.request.urlopen(f"{server_url}/hit", timeout=5):
        pass
    (test_artifacts_dir / "notes.txt").write_text("kept by test_broken\n")
    scene = data_dir / "exp" / "scene"
    scene.mkdir(parents=True, exist_ok=True)
    (scene / "p1_ep0.csv").write_text("gameId,step,score\ng1,0,1\ng1,1,2\n")
    (scene / "p2_ep0.csv").write_text("gameId,step,score\ng1,0,1\ng1,1,3\n")
    assert "left" == "right", "values differ on purpose"  # noqa: PLR0133 - fails on purpose
