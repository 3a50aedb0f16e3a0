import shared_state


def test_pollutes_shared_state():
    shared_state.touched_by.append("polluter")
    assert shared_state.touched_by
