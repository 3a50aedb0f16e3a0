import pytest


@pytest.mark.timeout(300)
@pytest.mark.parametrize("clicks", [1, 100])
def test_many_clicks(browser, game_server, clicks):
    page = browser.new_page()
    page.goto(game_server)
    for _ in range(clicks):
        page.click("#click")
    page.wait_for_function(
        f"Number(document.getElementById('count').textContent) >= {clicks}"
    )
    assert int(page.inner_text("#count")) >= clicks
    page.close()
