import time


def test_slow(server_url):
    time.sleep(float(__import__("os").environ.get("SLOW_SECONDS", "60")))
