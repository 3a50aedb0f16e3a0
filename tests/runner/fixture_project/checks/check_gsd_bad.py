def test_gsd_broken():
    assert "left" == "right", "values differ on purpose"  # noqa: PLR0133 - fails on purpose
