import json
import urllib.request

import pytest


@pytest.mark.timeout(300)
def test_click_counts(page, game_server):
    page.goto(game_server)
    before = int(page.inner_text("#count"))
    page.click("#click")
    page.wait_for_function("Number(document.getElementById('count').textContent) > 0")
    with urllib.request.urlopen(f"{game_server}/score") as answer:
        assert json.load(answer)["clicks"] >= before + 1
