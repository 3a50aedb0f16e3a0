def test_present():
    assert True
