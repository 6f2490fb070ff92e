"""A standard-library client of the switchboard server, and a runner of its binary.

Server(binary) starts `switchboard serve --listen 127.0.0.1:0 --access-key KEY` (a fresh random
key unless told otherwise), reads the bound address from the first stdout line and the rest of
what it announces (connection string, CA to trust) from the next ones, and keeps stderr in a
temporary file (shown when the server dies). Client sends one request per connection with
http.client, signed as the Azure SDKs sign (HMAC-SHA256, see `sign`), and returns a Response
whose repr shows the request and the answer, so a failed assertion says what was sent and what
came back.
"""
import base64
import datetime as dt
import email.utils
import hashlib
import hmac
import http.client
import json
import os
import re
import socket
import ssl
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from serverproc import ServerProcess  # noqa: E402

GA = "2023-11-01"
PREVIEW = "2024-01-18-preview"
MERGE_PATCH = "application/merge-patch+json"


def new_access_key():
    """An access key as the portal gives one: base64 of 32 random bytes."""
    return base64.b64encode(os.urandom(32)).decode("ascii")


class Server(ServerProcess):
    """access_key: the key to pass with --access-key (default: a new one); None passes none
    (the server then generates or loads its own, or runs --insecure-no-auth: see
    `access_key`). store: --store, memory unless told otherwise."""

    def __init__(self, binary, extra_args=(), access_key=..., store="memory"):
        self.access_key = new_access_key() if access_key is ... else access_key
        args = [binary, "serve", "--listen", "127.0.0.1:0", "--store", store]
        if self.access_key is not None:
            args += ["--access-key", self.access_key]
        super().__init__([*args, *extra_args])
        # What follows: the connection string (unless --insecure-no-auth), then, for a
        # self-signed certificate, "trust CA_FILE".
        self.connection_string = self.ca_file = None
        if "--insecure-no-auth" not in extra_args:
            self.connection_string = self._line()
            if self.access_key is None:
                self.access_key = self.connection_string.rsplit("accesskey=", 1)[1]
        if "--tls-self-signed" in extra_args:
            self.ca_file = self._line().split(" ", 1)[1]
        self._start_draining()

    def client(self, **kwargs):
        kwargs.setdefault("access_key", self.access_key)
        if self.scheme == "https":
            kwargs.setdefault("tls_context", ssl.create_default_context(cafile=self.ca_file))
        return Client(self.host, self.port, **kwargs)


class Response:
    def __init__(self, method, target, request_body, status, reason, headers, body):
        self.method, self.target, self.request_body = method, target, request_body
        self.status, self.reason, self.headers, self.body = status, reason, headers, body

    def header(self, name):
        return self.headers.get(name)

    @property
    def json(self):
        if not self.body:
            return None
        return json.loads(self.body)

    def __repr__(self):
        sent = ""
        if self.request_body is not None:
            text = self.request_body if isinstance(self.request_body, str) else \
                self.request_body.decode("utf-8", "replace")
            sent = " " + (text if len(text) <= 600 else text[:600] + "...")
        body = self.body.decode("utf-8", "replace")
        if len(body) > 2000:
            body = body[:2000] + "..."
        return f"<{self.method} {self.target}{sent} -> {self.status} {self.reason} {body}>"

    def expect(self, *statuses):
        """Asserts the status is one of `statuses` and returns the parsed body."""
        assert self.status in statuses, f"expected {statuses}, got {self!r}"
        return self.json


def content_hash(body):
    return base64.b64encode(hashlib.sha256(body or b"").digest()).decode("ascii")


def signature(access_key, string_to_sign):
    digest = hmac.new(base64.b64decode(access_key), string_to_sign.encode("utf-8"),
                      hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def sign(method, target, body, host, access_key, date=None):
    """The headers the Azure SDKs' HMACCredentialsPolicy adds: x-ms-date, x-ms-content-sha256
    and Authorization over METHOD, the target as sent, and "date;host;content hash"."""
    date = date or email.utils.formatdate(usegmt=True)
    digest = content_hash(body)
    to_sign = f"{method.upper()}\n{target}\n{date};{host};{digest}"
    return {"x-ms-date": date, "x-ms-content-sha256": digest,
            "Authorization": "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256"
                             f"&Signature={signature(access_key, to_sign)}"}


class Client:
    """checker(response) -> list of problems: run on every response; any problem fails the
    request at once (conftest passes the OpenAPI conformance check). Every request is signed
    with access_key, when there is one; tls_context makes it HTTPS."""

    def __init__(self, host, port, api_version=GA, checker=None, access_key=None,
                 tls_context=None):
        self.host, self.port, self.api_version = host, port, api_version
        self.checker = checker
        self.access_key, self.tls_context = access_key, tls_context

    # -- raw requests -------------------------------------------------------------------------

    def target(self, path, query=None, api_version=...):
        version = self.api_version if api_version is ... else api_version
        params = []
        if version is not None:
            params.append(("api-version", version))
        for k, v in (query or {}).items():
            if v is None:
                continue
            if isinstance(v, bool):
                v = "true" if v else "false"
            params.append((k, str(v)))
        return path + ("?" + urllib.parse.urlencode(params) if params else "")

    def send(self, method, target, body=None, headers=None, sign_with=...):
        """Sends `body` (bytes, str or None) to `target` (path and query) as given, signed with
        `sign_with` (default: the client's key; None: unsigned). Headers given win over the
        signature's."""
        if isinstance(body, str):
            body = body.encode("utf-8")
        key = self.access_key if sign_with is ... else sign_with
        all_headers = sign(method, target, body, f"{self.host}:{self.port}", key) if key else {}
        all_headers.update(headers or {})
        if self.tls_context is not None:
            conn = http.client.HTTPSConnection(self.host, self.port, timeout=10,
                                               context=self.tls_context)
        else:
            conn = http.client.HTTPConnection(self.host, self.port, timeout=10)
        try:
            conn.request(method, target, body=body, headers=all_headers)
            r = conn.getresponse()
            data = r.read()
            response = Response(method, target, body, r.status, r.reason, r.headers, data)
        finally:
            conn.close()
        if self.checker:
            problems = self.checker(response)
            assert not problems, "the response does not conform:\n  " + \
                "\n  ".join(problems) + f"\n{response!r}"
        return response

    def request(self, method, path, body=None, *, query=None, headers=None, api_version=...,
                content_type=None):
        hdrs = dict(headers or {})
        payload = None
        if body is not None:
            payload = body if isinstance(body, (bytes, str)) else json.dumps(body)
            if content_type is None:
                content_type = MERGE_PATCH if method == "PATCH" else "application/json"
        if content_type is not None:
            hdrs.setdefault("Content-Type", content_type)
        return self.send(method, self.target(path, query, api_version), payload, hdrs)

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def patch(self, path, body, **kw):
        return self.request("PATCH", path, body, **kw)

    def post(self, path, body=None, **kw):
        return self.request("POST", path, body, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)

    # -- entity helpers: each asserts success and returns the parsed body ----------------------

    def upsert(self, collection, id_, body, expect=(200, 201), **kw):
        return self.patch(f"/routing/{collection}/{q(id_)}", body, **kw).expect(*expect)

    def fetch(self, collection, id_, **kw):
        return self.get(f"/routing/{collection}/{q(id_)}", **kw).expect(200)

    def job(self, id_):
        return self.fetch("jobs", id_)

    def worker(self, id_):
        return self.fetch("workers", id_)

    def distribution_policy(self, id_, mode="longestIdle", offer_seconds=300, min_offers=1,
                            max_offers=1, **extra):
        body = {"name": id_, "offerExpiresAfterSeconds": offer_seconds,
                "mode": {"kind": mode, "minConcurrentOffers": min_offers,
                         "maxConcurrentOffers": max_offers}}
        body.update(extra)
        return self.upsert("distributionPolicies", id_, body, expect=(201,))

    def queue(self, id_, distribution_policy_id, **extra):
        body = {"name": id_, "distributionPolicyId": distribution_policy_id}
        body.update(extra)
        return self.upsert("queues", id_, body, expect=(201,))

    def new_job(self, id_, queue_id, channel="voice", **extra):
        body = {"channelId": channel, "queueId": queue_id}
        body.update(extra)
        return self.upsert("jobs", id_, body, expect=(201,))

    def new_worker(self, id_, queues, channels=(("voice", 1),), capacity=1, labels=None,
                   available=True, **extra):
        body = {"capacity": capacity, "queues": list(queues), "labels": labels or {},
                "channels": [{"channelId": c, "capacityCostPerJob": cost} for c, cost in channels],
                "availableForOffers": available}
        body.update(extra)
        return self.upsert("workers", id_, body, expect=(201,))

    def list_all(self, collection, query=None, page_size=None, api_version=...):
        """Follows nextLink to the end; returns (items, pages)."""
        query = dict(query or {})
        if page_size is not None:
            query["maxpagesize"] = page_size
        page = self.get(f"/routing/{collection}", query=query, api_version=api_version).expect(200)
        items, pages = list(page["value"]), [page]
        while page.get("nextLink"):
            assert len(pages) < 10000, "nextLink does not end"
            page = self.send("GET", page["nextLink"]).expect(200)
            items += page["value"]
            pages.append(page)
        return items, pages


def q(segment):
    return urllib.parse.quote(segment, safe="")


def wait_for(fetch, predicate, timeout=5.0, interval=0.02, what="condition"):
    """Polls fetch() until predicate(value) holds; returns the value. Fails with the last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = fetch()
        if predicate(value):
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}; last: {value!r}")
        time.sleep(interval)


def utcnow():
    return dt.datetime.now(dt.timezone.utc)


def iso(t):
    return t.isoformat().replace("+00:00", "Z")


def parse_time(text):
    """Parses an RFC 3339 time as the server writes it (.NET: up to 7 fraction digits)."""
    m = re.match(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)$", text)
    assert m, f"not an RFC 3339 date-time: {text!r}"
    frac = (m.group(2) or ".0")[1:]
    base = dt.datetime.fromisoformat(m.group(1) + "." + frac[:6].ljust(6, "0") +
                                     ("+00:00" if m.group(3) == "Z" else m.group(3)))
    return base


def http_date(t):
    return email.utils.format_datetime(t.astimezone(dt.timezone.utc), usegmt=True)


def raw_exchange(host, port, data, timeout=10):
    """Sends raw bytes and returns everything the server answers until it closes or stalls."""
    with socket.create_connection((host, port), timeout=timeout) as s:
        s.sendall(data)
        chunks = []
        s.settimeout(timeout)
        while True:
            try:
                chunk = s.recv(65536)
            except (ConnectionResetError, socket.timeout):
                break
            if not chunk:
                break
            chunks.append(chunk)
            blob = b"".join(chunks)
            head, sep, rest = blob.partition(b"\r\n\r\n")
            if sep:
                m = re.search(rb"(?im)^content-length:\s*(\d+)", head)
                if m and len(rest) >= int(m.group(1)):
                    break
        return b"".join(chunks)


def parse_raw_response(blob):
    head, _, body = blob.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers[k.strip().lower()] = v.strip()
    return status, headers, body
