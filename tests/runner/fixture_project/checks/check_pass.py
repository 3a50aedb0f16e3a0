import json
import os
import urllib.request


def test_server_answers(server_url):
    with urllib.request.urlopen(f"{server_url}/healthz", timeout=5) as response:
        body = json.load(response)
    assert body["status"] == "ok"
    assert body["run_token"] == os.environ["REGRESS_RUN_TOKEN"]


def test_params_reach_tests(suite_params):
    assert suite_params["stagger"] == suite_params["expect_stagger"]


def test_environment_is_inherited():
    # regress run passes its own environment on to the tests (the runner test sets this).
    assert os.environ.get("FIXTURE_ENV_MARK") == "yes"
