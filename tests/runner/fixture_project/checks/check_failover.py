import json
import urllib.request


def test_failover_server_answers(server_url):
    with urllib.request.urlopen(f"{server_url}/healthz", timeout=5) as response:
        assert json.load(response)["status"] == "ok"
