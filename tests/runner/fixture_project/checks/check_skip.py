import pytest


def test_runs():
    assert True


@pytest.mark.skip(reason="hidden on purpose")
def test_hidden():
    assert False  # noqa: B011 - never runs: skipped on purpose
