import json
import time
import urllib.request


def test_fresh_server_answers(server_url, suite_params):
    with urllib.request.urlopen(f"{server_url}/healthz", timeout=5) as response:
        assert json.load(response)["status"] == "ok"
    time.sleep(float(suite_params["hold"]))  # long enough for regress to look at the port
