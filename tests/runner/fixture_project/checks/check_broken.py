"""A suite whose tests replace this file (SyntaxError) or add a conftest that cannot be imported."""


def test_fine(server_url):
    assert server_url
