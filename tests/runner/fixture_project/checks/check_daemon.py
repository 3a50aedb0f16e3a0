import json
import os
import urllib.request


def test_daemon_answers(server_url):
    with urllib.request.urlopen(f"{server_url}/healthz", timeout=5) as response:
        assert json.load(response)["run_token"] == os.environ["REGRESS_RUN_TOKEN"]
