from calc import add


def test_add_returns_a_number():
    assert isinstance(add(2, 3), int)
