"""Fails every other time it runs: the counter file lives in the project copy, so it counts
across the attempts of `regress run --repeat N` (first attempt passes, second fails, ...)."""

from pathlib import Path

COUNTER = Path(__file__).resolve().parent.parent / "state" / "flaky-counter.txt"


def test_every_other_time():
    COUNTER.parent.mkdir(exist_ok=True)
    runs = int(COUNTER.read_text()) if COUNTER.is_file() else 0
    COUNTER.write_text(str(runs + 1))
    assert runs % 2 == 0, f"odd attempt {runs + 1} fails on purpose"


def test_steady(server_url):
    assert server_url.startswith("http://127.0.0.1:")
