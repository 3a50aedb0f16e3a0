import json
import os
import time
import urllib.request


def test_slow(server_url):
    time.sleep(float(os.environ.get("SLOW_SECONDS", "60")))
    # The server answering now must still be this run's (another run must not have replaced it).
    with urllib.request.urlopen(f"{server_url}/healthz", timeout=5) as response:
        assert json.load(response)["run_token"] == os.environ["REGRESS_RUN_TOKEN"]
