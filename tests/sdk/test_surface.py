"""The clients themselves: construction, api-version and signing on the wire, send_request,
close and context managers, from_connection_string (https only: needs a TLS endpoint),
authentication, and a last check that every public method of both clients was exercised in
every variant."""
import base64
import os
import pathlib

import pytest
from azure.core.credentials import AzureKeyCredential
from azure.core.exceptions import ClientAuthenticationError
from azure.core.rest import HttpRequest

from azure.communication.jobrouter import JobRouterAdministrationClient, JobRouterClient
from azure.communication.jobrouter.models import DistributionPolicy, LongestIdleMode, RouterWorker

from sdkfacade import Sdk, Server, coverage

TLS_FLAG = "--tls-self-signed"
HERE = pathlib.Path(__file__).resolve().parent


async def test_api_version_and_signature_on_the_wire(sdk, uid):
    await sdk.router.upsert_worker(uid("worker"), RouterWorker(capacity=1))
    exchange = sdk.last
    assert f"api-version={sdk.effective_api_version}" in exchange.url
    assert exchange.url.startswith(sdk.endpoint + "/routing/workers/")
    headers = {k.lower(): v for k, v in exchange.headers.items()}
    assert headers["content-type"] == "application/merge-patch+json"
    assert headers["authorization"].startswith(
        "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=")
    assert headers["x-ms-date"] and headers["x-ms-content-sha256"]
    response_headers = {k.lower(): v for k, v in exchange.response_headers.items()}
    assert response_headers["etag"].startswith('"') and "last-modified" in response_headers
    assert response_headers["content-type"].startswith("application/json")


async def test_send_request(sdk, uid):
    worker = await sdk.router.upsert_worker(uid("worker"), RouterWorker(capacity=3))
    version = sdk.effective_api_version
    response = await sdk.router.send_request(
        HttpRequest("GET", f"/routing/workers/{worker.id}", params={"api-version": version}))
    assert response.status_code == 200
    assert response.json()["capacity"] == 3 and response.headers["ETag"] == worker.etag
    response = await sdk.admin.send_request(
        HttpRequest("GET", "/routing/distributionPolicies", params={"api-version": version,
                                                                   "maxpagesize": 1}))
    assert response.status_code == 200 and "value" in response.json()
    response = await sdk.router.send_request(
        HttpRequest("GET", f"/routing/jobs/{uid('missing')}", params={"api-version": version}))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "NotFound"


async def test_context_managers_and_close(endpoint, access_key, sdk_variant, uid):
    mode, version = sdk_variant
    kwargs = {"api_version": "2023-11-01"} if version == "ga" else {}
    if mode == "sync":
        credential = AzureKeyCredential(access_key)
        with JobRouterAdministrationClient(endpoint, credential, **kwargs) as admin:
            policy = admin.upsert_distribution_policy(uid("dp"), DistributionPolicy(
                offer_expires_after_seconds=1, mode=LongestIdleMode()))
        with JobRouterClient(endpoint, credential, **kwargs) as router:
            assert router.list_workers(results_per_page=1).next() is not None
    else:
        from azure.communication.jobrouter.aio import (
            JobRouterAdministrationClient as AsyncAdmin, JobRouterClient as AsyncRouter)
        async with AsyncAdmin(endpoint, AzureKeyCredential(access_key), **kwargs) as admin:
            policy = await admin.upsert_distribution_policy(uid("dp"), DistributionPolicy(
                offer_expires_after_seconds=1, mode=LongestIdleMode()))
        async with AsyncRouter(endpoint, AzureKeyCredential(access_key), **kwargs) as router:
            assert await router.list_workers(results_per_page=1).__anext__() is not None
    assert policy.offer_expires_after_seconds == 1


async def test_from_connection_string_is_https(sdk, access_key):
    """from_connection_string drops the scheme and always talks https (no network here)."""
    conn = f"endpoint=http://127.0.0.1:1/;accesskey={access_key}"
    for proxy in (sdk.router, sdk.admin):
        client = await proxy.from_connection_string(conn)
        assert client._endpoint == "https://127.0.0.1:1"  # noqa: SLF001 - what it will call
        await _close(client)


async def _close(client):
    result = client.close()
    if hasattr(result, "__await__"):
        await result


@pytest.fixture(scope="session")
def tls_server(switchboard_binary, access_key):
    """A second server, serving HTTPS with a self-signed certificate for 127.0.0.1."""
    srv = Server(switchboard_binary, access_key, extra_args=[TLS_FLAG])
    try:
        assert srv.scheme == "https", srv.endpoint
        assert srv.ca_file and os.path.isfile(srv.ca_file), srv.ca_file
        yield srv
    finally:
        srv.stop()


async def test_from_connection_string_over_tls(tls_server, access_key, sdk_variant, uid,
                                               monkeypatch):
    """The connection string exactly as the server prints it, and the server's certificate
    verified against the CA it names: through REQUESTS_CA_BUNDLE for the sync transport
    (requests), through an SSL context made from that CA for the async one (aiohttp)."""
    mode, version = sdk_variant
    kwargs = {"api_version": "2023-11-01"} if version == "ga" else {}
    # The portal's form, trailing slash included: the SDK strips it before signing.
    conn = f"endpoint={tls_server.endpoint}/;accesskey={access_key}"
    assert tls_server.connection_string == conn
    if mode == "sync":
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", tls_server.ca_file)
        admin = JobRouterAdministrationClient.from_connection_string(conn, **kwargs)
        router = JobRouterClient.from_connection_string(conn, **kwargs)
        with admin, router:
            policy = admin.upsert_distribution_policy(uid("dp"), DistributionPolicy(
                offer_expires_after_seconds=5, mode=LongestIdleMode()))
            worker = router.upsert_worker(uid("worker"), RouterWorker(capacity=1))
            assert router.get_worker(worker.id).capacity == 1
    else:
        from azure.communication.jobrouter.aio import (
            JobRouterAdministrationClient as AsyncAdmin, JobRouterClient as AsyncRouter)
        # azure-core builds aiohttp's context with ssl.create_default_context(cafile=...).
        kwargs["connection_verify"] = tls_server.ca_file
        admin = AsyncAdmin.from_connection_string(conn, **kwargs)
        router = AsyncRouter.from_connection_string(conn, **kwargs)
        async with admin, router:
            policy = await admin.upsert_distribution_policy(uid("dp"), DistributionPolicy(
                offer_expires_after_seconds=5, mode=LongestIdleMode()))
            worker = await router.upsert_worker(uid("worker"), RouterWorker(capacity=1))
            assert (await router.get_worker(worker.id)).capacity == 1
    assert policy.offer_expires_after_seconds == 5


@pytest.mark.variants(versions=("ga",))
async def test_wrong_access_key_is_rejected(endpoint, sdk_variant):
    mode, _ = sdk_variant
    other_key = base64.b64encode(os.urandom(32)).decode("ascii")
    impostor = Sdk(endpoint, other_key, aio=(mode == "async"), api_version="2023-11-01",
                   label="impostor")
    try:
        with pytest.raises(ClientAuthenticationError) as err:
            await impostor.items(impostor.router.list_workers(results_per_page=1))
        assert err.value.status_code == 401
    finally:
        await impostor.close()


def _public(cls):
    return {name for name in dir(cls) if not name.startswith("_")}


def _whole_suite_ran(session):
    modules = {pathlib.Path(str(item.fspath)).name for item in session.items}
    expected = {p.name for p in HERE.glob("test_*.py")}
    opts = session.config.option
    return modules == expected and not opts.keyword and not opts.markexpr


def test_every_public_method_is_exercised(request):
    """Runs last (see conftest): every public method of both clients, in every variant."""
    if not _whole_suite_ran(request.session):
        pytest.skip("only meaningful when the whole suite runs")
    missing = {}
    for mode in ("sync", "async"):
        if mode == "sync":
            router_cls, admin_cls = JobRouterClient, JobRouterAdministrationClient
        else:
            from azure.communication.jobrouter.aio import (
                JobRouterAdministrationClient as admin_cls, JobRouterClient as router_cls)
        for version in ("ga", "default"):
            label = f"{mode}-{version}"
            for kind, cls in (("router", router_cls), ("admin", admin_cls)):
                gap = _public(cls) - coverage[(label, kind)]
                if gap:
                    missing[(label, kind)] = sorted(gap)
    assert not missing, f"public SDK methods never called: {missing}"
