import shared_state


def test_needs_clean_state():
    assert shared_state.touched_by == [], f"state left by {shared_state.touched_by}"
