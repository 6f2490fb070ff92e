"""Fixtures for the official Azure Python SDK suite: the real switchboard binary on an ephemeral
port, driven through azure.communication.jobrouter's JobRouterClient and
JobRouterAdministrationClient, sync and async, with api_version="2023-11-01" and with the SDK's
default (2024-01-18-preview).

The SDK comes from scripts/fetch-python-sdk.sh (build/python-sdk/site first on PYTHONPATH) and
runs under Debian's /usr/bin/python3. The binary comes from --switchboard=PATH, else
$SWITCHBOARD_BIN, else <repo>/build/switchboard.

Every test that takes `sdk` runs four times: {sync, async} x {ga, default}. It is written once,
as a coroutine, against `sdk.router` / `sdk.admin`: proxies that call the real SDK method of the
same name and await it when the client is the async one (see sdkfacade.py).
"""
import base64
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

# Fail loudly, naming the fix, rather than skip: without pytest-asyncio pytest would skip every
# coroutine test and report success.
_DEBIAN = {"pytest_asyncio": "python3-pytest-asyncio", "aiohttp": "python3-aiohttp",
           "requests": "python3-requests", "isodate": "python3-isodate",
           "typing_extensions": "python3-typing-extensions"}
_missing = []
for _module, _package in _DEBIAN.items():
    try:
        __import__(_module)
    except ImportError:
        _missing.append(_package)
if _missing:
    pytest.exit(f"missing Python modules; run this suite with Debian's /usr/bin/python3 after "
                f"`apt-get install {' '.join(_missing)}`", returncode=3)
try:
    import azure.communication.jobrouter  # noqa: F401
except ImportError as _err:
    pytest.exit(f"azure.communication.jobrouter is not importable ({_err}): run "
                "scripts/fetch-python-sdk.sh and put build/python-sdk/site first on PYTHONPATH",
                returncode=3)

from sdkfacade import Sdk, Server, coverage  # noqa: E402  (puts tests/support on the path)
from serverproc import add_switchboard_option, switchboard_binary_path, uid_factory  # noqa: E402,E501

GA = "2023-11-01"
API_VERSIONS = {"ga": GA, "default": None}
MODES = ("sync", "async")


def pytest_addoption(parser):
    add_switchboard_option(parser)


def pytest_configure(config):
    config.addinivalue_line("markers", "variants(modes, versions): restrict the sdk variants "
                            "a test runs in, e.g. variants(modes=('sync',), versions=('ga',))")


def pytest_generate_tests(metafunc):
    if "sdk_variant" not in metafunc.fixturenames:
        return
    marker = metafunc.definition.get_closest_marker("variants")
    modes = marker.kwargs.get("modes", MODES) if marker else MODES
    versions = marker.kwargs.get("versions", tuple(API_VERSIONS)) if marker else tuple(API_VERSIONS)
    params = [(m, v) for m in modes for v in versions]
    metafunc.parametrize("sdk_variant", params, ids=[f"{m}-{v}" for m, v in params])


def pytest_collection_modifyitems(session, config, items):
    # The check that every public SDK method was called runs after everything else.
    last = [item for item in items if item.name == "test_every_public_method_is_exercised"]
    items[:] = [item for item in items if item not in last] + last


@pytest.fixture(scope="session")
def switchboard_binary(pytestconfig):
    return switchboard_binary_path(pytestconfig)


@pytest.fixture(scope="session")
def access_key():
    """A real access key, as the portal gives: base64 of 32 random bytes. The SDK signs every
    request with it (HMAC-SHA256); the server gets it through --access-key."""
    return base64.b64encode(os.urandom(32)).decode("ascii")


@pytest.fixture(scope="session")
def server(switchboard_binary, access_key):
    srv = Server(switchboard_binary, access_key)
    yield srv
    srv.stop()


@pytest.fixture
def endpoint(server):
    """http://HOST:PORT, with no trailing slash: the SDK signs the endpoint string as the host."""
    server.check_alive()
    return server.endpoint


@pytest.fixture
def fresh_server(switchboard_binary, access_key):
    """A server of this test's own, started empty (for exact list and paging contents)."""
    srv = Server(switchboard_binary, access_key)
    try:
        yield srv
    finally:
        srv.stop()


def _make_sdk(endpoint, access_key, sdk_variant, **client_kwargs):
    mode, version = sdk_variant
    return Sdk(endpoint, access_key, aio=(mode == "async"), api_version=API_VERSIONS[version],
               label=f"{mode}-{version}", **client_kwargs)


@pytest.fixture
async def sdk(endpoint, access_key, sdk_variant):
    s = _make_sdk(endpoint, access_key, sdk_variant)
    try:
        yield s
    finally:
        await s.close()


@pytest.fixture
async def fresh_sdk(fresh_server, access_key, sdk_variant):
    """Like `sdk`, on a server of this test's own."""
    s = _make_sdk(fresh_server.endpoint, access_key, sdk_variant)
    try:
        yield s
    finally:
        await s.close()


@pytest.fixture
def uid(request):
    """uid('job') -> 'job-<test name>-<random>-<n>': ids unique to this test run."""
    return uid_factory(request.node.name)


@pytest.fixture(scope="session")
def sdk_coverage():
    return coverage
