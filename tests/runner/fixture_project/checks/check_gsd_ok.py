def test_sums():
    assert sum([1, 2, 3]) == 6
