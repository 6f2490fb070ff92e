"""Fixtures for the HTTP-level tests: the real switchboard binary on an ephemeral port.

The binary comes from --switchboard=PATH, else $SWITCHBOARD_BIN, else <repo>/build/switchboard.
One server serves the whole session (`client`); tests that need an empty store (the golden
replays of the example files, whose ids and list contents are fixed) take `fresh_client`, which
starts a server of their own. Tests never share data: each one makes its ids with `uid`.
"""
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from sbclient import Server  # noqa: E402  (puts tests/support on the path)
from serverproc import add_switchboard_option, switchboard_binary_path, uid_factory  # noqa: E402,E501
from shapes import Spec  # noqa: E402

SPEC = Spec()


# Known server bugs that the global check tolerates so that unrelated tests keep testing what
# they test. Each must be pinned by a strict xfail test that checks it without this tolerance.
KNOWN_BUGS = []


def conformance(response):
    """Every response must conform to the OpenAPI document (see Spec.check_response)."""
    problems = SPEC.check_response(response.method, response.target, response.status,
                                   response.headers, response.body)
    return [p for p in problems if p not in KNOWN_BUGS]

def pytest_addoption(parser):
    add_switchboard_option(parser)


@pytest.fixture(scope="session")
def switchboard_binary(pytestconfig):
    return switchboard_binary_path(pytestconfig)


@pytest.fixture(scope="session")
def server(switchboard_binary):
    srv = Server(switchboard_binary)
    yield srv
    srv.stop()


@pytest.fixture
def client(server):
    """Signs every request with the server's access key, as the SDKs do."""
    server.check_alive()
    return server.client(checker=conformance)


@pytest.fixture
def fresh_client(switchboard_binary):
    """A client of a server of its own, started empty for this test."""
    srv = Server(switchboard_binary)
    try:
        yield srv.client(checker=conformance)
    finally:
        srv.stop()


@pytest.fixture
def uid(request):
    """uid('job') -> 'job-<test name>-<random>-<n>': ids unique to this test run."""
    return uid_factory(request.node.name)
