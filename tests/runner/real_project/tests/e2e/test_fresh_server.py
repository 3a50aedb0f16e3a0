import pytest


@pytest.mark.timeout(300)
def test_fresh_server_starts_at_zero(page, fresh_game_server):
    page.goto(fresh_game_server)
    assert page.inner_text("#count") == "0"
    page.click("#click")
    page.wait_for_function("document.getElementById('count').textContent === '1'")
