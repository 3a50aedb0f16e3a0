import json
import os
import time
import urllib.request
from pathlib import Path


def test_waits_for_the_gate(server_url, suite_params):
    # Holds its run open until the runner test creates the gate file (so two runs overlap).
    gate = Path(suite_params["gate"])
    deadline = time.monotonic() + 60
    while not gate.exists():
        assert time.monotonic() < deadline, f"{gate} never appeared"
        time.sleep(0.05)
    with urllib.request.urlopen(f"{server_url}/healthz", timeout=5) as response:
        assert json.load(response)["run_token"] == os.environ["REGRESS_RUN_TOKEN"]
