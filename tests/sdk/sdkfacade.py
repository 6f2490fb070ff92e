"""The switchboard binary runner, and one face for the sync and the async SDK clients.

Sdk(endpoint, key, aio=..., api_version=...) builds the real JobRouterClient and
JobRouterAdministrationClient (from azure.communication.jobrouter, or .aio) the constructor
way: an http:// endpoint with no trailing slash and an AzureKeyCredential. `sdk.router.X(...)`
and `sdk.admin.X(...)` call the SDK method X on that client and, for the async client, await
it; so a test written once as a coroutine drives either. List methods give the SDK's pager
(ItemPaged or AsyncItemPaged) untouched; `sdk.items(pager)` and `sdk.pages(pager)` walk it the
way each flavour walks (for / async for, by_page(continuation_token=...));
`sdk.admin.list_queues(...)` is not awaited, as in the SDK.

Every exchange is kept (`sdk.wire`, newest last) so that a failed assertion can show what the
SDK sent and what came back: `sdk.dump()`.
"""
import asyncio
import collections
import inspect
import os
import subprocess
import tempfile
import sys
import time

from azure.core.credentials import AzureKeyCredential

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from serverproc import ServerProcess  # noqa: E402

# The session-wide record of which public SDK methods each variant called:
# coverage[(label, "router"|"admin")] = {method names}.
coverage = collections.defaultdict(set)


_store_flag = {}


def _store_args(binary):
    """`--store memory` where the binary has a store to choose (it is durable by default)."""
    if binary not in _store_flag:
        out = subprocess.run([binary, "serve", "--help"], capture_output=True, text=True,
                             timeout=10, stdin=subprocess.DEVNULL)
        _store_flag[binary] = "--store" in out.stdout + out.stderr
    return ["--store", "memory"] if _store_flag[binary] else []


class Server(ServerProcess):
    """`switchboard serve` on an ephemeral port, with a data directory of its own (never the
    default ./data, so servers never share state or a lock) and the in-memory store. After the
    first line ("listening on URL") it announces the connection string and, with
    --tls-self-signed, "trust CA_FILE": the CA the clients must trust (`ca_file`)."""

    def __init__(self, binary, access_key, extra_args=()):
        self.data = tempfile.TemporaryDirectory(prefix="switchboard-sdk-")
        super().__init__([binary, "serve", "--listen", "127.0.0.1:0", "--access-key", access_key,
                          "--data", self.data.name, *_store_args(binary), *extra_args])
        self.endpoint = f"{self.scheme}://{self.host}:{self.port}"
        self.connection_string = self._line()
        self.ca_file = self._line().split(" ", 1)[1] if "--tls-self-signed" in extra_args else None
        self._start_draining()

    def stop(self):
        code = super().stop()
        self.data.cleanup()
        return code


class Exchange:
    def __init__(self, method, url, headers, body, status, response_headers, response_body):
        self.method, self.url, self.headers, self.body = method, url, headers, body
        self.status, self.response_headers = status, response_headers
        self.response_body = response_body

    def __repr__(self):
        def cut(text, n):
            return text if len(text) <= n else text[:n] + "..."
        sent = f" {cut(self.body, 600)}" if self.body else ""
        return f"<{self.method} {self.url}{sent} -> {self.status} {cut(self.response_body, 1500)}>"


def _text(body):
    if body is None:
        return ""
    if isinstance(body, bytes):
        return body.decode("utf-8", "replace")
    return body if isinstance(body, str) else repr(body)


class _Proxy:
    """Calls the client's method of the same name; awaits it when it gives an awaitable."""

    def __init__(self, client, label, kind):
        self._client, self._label, self._kind = client, label, kind

    def __getattr__(self, name):
        method = getattr(self._client, name)
        if name.startswith("list_"):
            # Pagers are made synchronously by both flavours; walk them with Sdk.items/pages.
            def pager(*args, **kwargs):
                coverage[(self._label, self._kind)].add(name)
                return method(*args, **kwargs)

            return pager

        async def call(*args, **kwargs):
            coverage[(self._label, self._kind)].add(name)
            result = method(*args, **kwargs)
            if inspect.isawaitable(result):
                result = await result
            return result

        call.__name__ = name
        return call


class Sdk:
    def __init__(self, endpoint, access_key, *, aio, api_version=None, label="", **client_kwargs):
        assert not endpoint.endswith("/"), "the SDK would sign a different host"
        if aio:
            from azure.communication.jobrouter.aio import (JobRouterAdministrationClient,
                                                           JobRouterClient)
        else:
            from azure.communication.jobrouter import JobRouterAdministrationClient, JobRouterClient
        self.aio, self.api_version, self.label = aio, api_version, label
        self.endpoint, self.access_key = endpoint, access_key
        self.wire = collections.deque(maxlen=40)
        kwargs = dict(client_kwargs)
        if api_version is not None:
            kwargs["api_version"] = api_version
        kwargs.setdefault("raw_response_hook", self._record)
        # No retries: a server error must show as it is, not be retried away.
        kwargs.setdefault("retry_total", 0)
        self.client_classes = (JobRouterClient, JobRouterAdministrationClient)
        self.router_client = JobRouterClient(endpoint, AzureKeyCredential(access_key), **kwargs)
        self.admin_client = JobRouterAdministrationClient(endpoint, AzureKeyCredential(access_key),
                                                          **kwargs)
        self.router = _Proxy(self.router_client, label, "router")
        self.admin = _Proxy(self.admin_client, label, "admin")

    @property
    def effective_api_version(self):
        return self.api_version or "2024-01-18-preview"

    @property
    def preview(self):
        return self.effective_api_version == "2024-01-18-preview"

    def _record(self, pipeline_response):
        req, resp = pipeline_response.http_request, pipeline_response.http_response
        try:
            body = resp.text()
        except Exception:  # noqa: BLE001 - a streamed body is not loaded yet
            body = "<stream>"
        self.wire.append(Exchange(req.method, req.url, dict(req.headers), _text(req.body),
                                  resp.status_code, dict(resp.headers), body))

    def dump(self, n=6):
        return "\n".join(repr(x) for x in list(self.wire)[-n:])

    @property
    def last(self):
        return self.wire[-1] if self.wire else None

    async def close(self):
        await self.router.close()
        await self.admin.close()

    # -- pagers --------------------------------------------------------------------------------

    async def items(self, pager):
        """Every item of an ItemPaged / AsyncItemPaged, in order."""
        if self.aio:
            return [item async for item in pager]
        return list(pager)

    async def pages(self, pager, continuation_token=None, max_pages=None):
        """[(items of page, continuation token after it)] via by_page()."""
        out = []
        if self.aio:
            page_iter = pager.by_page(continuation_token=continuation_token)
            async for page in page_iter:
                out.append(([item async for item in page], page_iter.continuation_token))
                if max_pages is not None and len(out) >= max_pages:
                    break
        else:
            page_iter = pager.by_page(continuation_token=continuation_token)
            for page in page_iter:
                out.append((list(page), page_iter.continuation_token))
                if max_pages is not None and len(out) >= max_pages:
                    break
        return out

    # -- polling -------------------------------------------------------------------------------

    async def wait_for(self, fetch, predicate, what, timeout=5.0, interval=0.02):
        """Calls `await fetch()` until predicate(result) holds; fails after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            value = await fetch()
            if predicate(value):
                return value
            if time.monotonic() >= deadline:
                raise AssertionError(f"timed out after {timeout}s waiting for {what}; last: "
                                     f"{value!r}\n{self.dump(3)}")
            await asyncio.sleep(interval)
