def test_ok():
    assert 1 + 1 == 2


def test_broken():
    assert "left" == "right", "values differ on purpose"  # noqa: PLR0133 - fails on purpose
