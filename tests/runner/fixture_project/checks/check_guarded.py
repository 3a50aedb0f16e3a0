from calc import add


def test_add_sums():
    assert add(2, 3) == 5, f"add(2, 3) gave {add(2, 3)}, expected 5"
