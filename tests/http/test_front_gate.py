"""The front gate over the wire: HMAC-SHA256 authentication as the SDKs sign, access keys and
their file, rate limits (429 with Retry-After), the transport's limits as flags (431, 413, 408,
idle keep-alive, 503), where the server may listen, and HTTPS with a self-signed certificate.

Tests that change a flag start a server of their own; all others use the session's."""
import datetime as dt
import json
import os
import socket
import ssl
import stat
import subprocess
import tempfile
import time

import pytest

from sbclient import (GA, Server, content_hash, http_date, new_access_key, parse_raw_response,
                      raw_exchange, sign, utcnow)

WORKERS = f"/routing/workers?api-version={GA}"


def assert_azure_error(r, status, code):
    assert r.status == status, r
    assert r.json["error"]["code"] == code == r.header("x-ms-error-code"), r


@pytest.fixture
def own_server(switchboard_binary):
    """own_server(*flags, **Server kwargs) -> a Server of this test's own, stopped after it."""
    started = []

    def start(*flags, **kwargs):
        srv = Server(switchboard_binary, extra_args=flags, **kwargs)
        started.append(srv)
        return srv

    yield start
    for srv in started:
        srv.stop()


# --- Authentication -----------------------------------------------------------------------------

def test_unsigned_and_wrongly_signed_requests_get_one_generic_401(client):
    answers = [client.send("GET", WORKERS, sign_with=None),
               client.send("GET", WORKERS, sign_with=new_access_key()),
               client.send("GET", WORKERS, headers={"Authorization": "Bearer x"})]
    for r in answers:
        assert_azure_error(r, 401, "Unauthorized")
        assert r.header("WWW-Authenticate") == "HMAC-SHA256"
    # One message for every reason: nothing for an attacker to learn.
    assert len({r.json["error"]["message"] for r in answers}) == 1
    assert client.send("GET", WORKERS).status == 200


def test_probes_need_no_signature(client):
    for path in ("/healthz", "/readyz"):
        r = client.send("GET", path, sign_with=None)
        assert r.status == 200 and r.json == {"status": "ok"}, r


def test_a_tampered_body_target_or_date_is_refused(client, uid):
    target = f"/routing/distributionPolicies/{uid('dp')}?api-version={GA}"
    body = json.dumps({"offerExpiresAfterSeconds": 10, "mode": {"kind": "longestIdle"}}).encode()
    host = f"{client.host}:{client.port}"
    headers = sign("PATCH", target, body, host, client.access_key)
    headers["Content-Type"] = "application/merge-patch+json"
    tampered = body.replace(b"10", b"99")
    r = client.send("PATCH", target, tampered, headers=headers, sign_with=None)
    assert_azure_error(r, 401, "Unauthorized")
    # Even with the body's hash fixed, the signature covers the hash.
    r = client.send("PATCH", target, tampered, sign_with=None,
                    headers={**headers, "x-ms-content-sha256": content_hash(tampered)})
    assert_azure_error(r, 401, "Unauthorized")
    r = client.send("PATCH", target.replace("dp-", "other-"), body, headers=headers, sign_with=None)
    assert_azure_error(r, 401, "Unauthorized")
    stale = http_date(utcnow() - dt.timedelta(minutes=16))
    r = client.send("PATCH", target, body, sign_with=None, headers={
        **sign("PATCH", target, body, host, client.access_key, date=stale),
        "Content-Type": "application/merge-patch+json"})
    assert_azure_error(r, 401, "Unauthorized")
    # Nothing was created by any of them; the genuine request creates it.
    assert client.send("GET", target).status == 404
    assert client.send("PATCH", target, body, headers={
        "Content-Type": "application/merge-patch+json"}).status == 201


def test_the_raw_target_is_signed_as_each_python_transport_sends_it(client):
    # requests sends ':' in a query value as is, aiohttp (yarl) as %3A: both verify.
    for target in (f"/routing/jobs?api-version={GA}&scheduledBefore=2030-01-01T00:00:00Z",
                   f"/routing/jobs?api-version={GA}&scheduledBefore=2030-01-01T00%3A00%3A00Z"):
        assert client.send("GET", target).status == 200


def test_date_stands_in_for_an_absent_x_ms_date(client):
    host = f"{client.host}:{client.port}"
    headers = sign("GET", WORKERS, b"", host, client.access_key)
    headers["Date"] = headers.pop("x-ms-date")
    assert client.send("GET", WORKERS, headers=headers, sign_with=None).status == 200


def test_secondary_key_and_generated_keys_kept_in_the_data_directory(own_server):
    data = tempfile.TemporaryDirectory(prefix="switchboard-keys-")
    try:
        first = own_server("--data", data.name, access_key=None, store="sqlite")
        path = os.path.join(data.name, "access-keys")
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
        keys = dict(line.split("=", 1) for line in open(path).read().split("\n")
                    if line and not line.startswith("#"))
        assert first.connection_string == (f"endpoint=http://{first.host}:{first.port}/;"
                                           f"accesskey={keys['primary']}")
        for key in (keys["primary"], keys["secondary"]):
            assert first.client().send("GET", WORKERS, sign_with=key).status == 200
        assert first.client().send("GET", WORKERS, sign_with=new_access_key()).status == 401
        first.stop()
        again = own_server("--data", data.name, access_key=None, store="sqlite")
        assert again.access_key == keys["primary"]  # kept across restarts
    finally:
        data.cleanup()


def test_keys_given_as_flags_rotate_without_downtime(own_server):
    old, new = new_access_key(), new_access_key()
    srv = own_server("--secondary-access-key", old, access_key=new)
    c = srv.client()
    assert c.send("GET", WORKERS, sign_with=old).status == 200
    assert c.send("GET", WORKERS, sign_with=new).status == 200


def test_insecure_no_auth_serves_unsigned_requests_on_loopback(own_server):
    srv = own_server("--insecure-no-auth", access_key=None)
    assert srv.connection_string is None
    assert srv.client().send("GET", WORKERS, sign_with=None).status == 200


# --- Rate limits --------------------------------------------------------------------------------

def test_each_access_key_is_rate_limited_with_retry_after(own_server):
    srv = own_server("--rate-limit", "0.5", "--rate-burst", "3")
    c = srv.client()
    statuses = [c.send("GET", WORKERS).status for _ in range(4)]
    assert statuses == [200, 200, 200, 429], statuses
    r = c.send("GET", WORKERS)
    assert_azure_error(r, 429, "TooManyRequests")
    assert r.header("Retry-After") in ("1", "2"), r.headers
    assert c.send("GET", "/healthz", sign_with=None).status == 200  # probes are not limited


def test_failed_authentications_are_limited_per_address(own_server):
    srv = own_server("--auth-failure-rate-limit", "0.01", "--auth-failure-burst", "3")
    c = srv.client()
    impostor = new_access_key()
    statuses = [c.send("GET", WORKERS, sign_with=impostor).status for _ in range(4)]
    assert statuses == [401, 401, 401, 429], statuses
    # The address is refused before its signature is checked, a good one included.
    r = c.send("GET", WORKERS)
    assert_azure_error(r, 429, "TooManyRequests")
    assert int(r.header("Retry-After")) >= 60


# --- Limits of the transport, as flags ----------------------------------------------------------

def test_limit_flags(own_server):
    srv = own_server("--max-header-bytes", "2048", "--max-body-bytes", "4096",
                     "--max-json-depth", "4")
    c = srv.client()
    r = c.send("GET", WORKERS, headers={"X-Padding": "x" * 3000})
    assert_azure_error(r, 431, "RequestHeaderFieldsTooLarge")
    head = (f"PATCH /routing/queues/q?api-version={GA} HTTP/1.1\r\nHost: {c.host}:{c.port}\r\n"
            "Content-Type: application/merge-patch+json\r\nContent-Length: 4097\r\n\r\n").encode()
    status, headers, body = parse_raw_response(raw_exchange(c.host, c.port, head))
    assert status == 413 and headers["x-ms-error-code"] == "PayloadTooLarge", (status, body)
    deep = {"mode": {"kind": "longestIdle", "a": {"b": {"c": {}}}}}
    r = c.patch("/routing/distributionPolicies/deep", deep)
    assert_azure_error(r, 400, "BadRequest")
    assert "not valid JSON" in r.json["error"]["message"], r


def _connect(srv):
    return socket.create_connection((srv.host, srv.port), timeout=5)


def _read_all(sock):
    """Everything until the server closes; fails if it has not closed within 5 s."""
    chunks = []
    while True:
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            break
        except socket.timeout:
            pytest.fail(f"the server did not close the connection; got {b''.join(chunks)!r}")
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)


def test_slow_header_and_slow_body_get_408_and_close(own_server):
    srv = own_server("--header-timeout-seconds", "0.5", "--body-timeout-seconds", "0.5")
    with _connect(srv) as s:  # slowloris: a header that never ends
        started = time.monotonic()
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        status, headers, _ = parse_raw_response(_read_all(s))
        assert status == 408 and headers["x-ms-error-code"] == "RequestTimeout"
        assert headers["connection"] == "close" and time.monotonic() - started < 3
    with _connect(srv) as s:  # a body that stops short
        s.sendall(b"PATCH /routing/queues/q HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{")
        status, _, _ = parse_raw_response(_read_all(s))
        assert status == 408


def test_idle_keep_alive_connections_are_closed(own_server):
    srv = own_server("--idle-timeout-seconds", "0.3")
    with _connect(srv) as s:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        time.sleep(1.0)
        blob = _read_all(s)  # the answer, then the close
        assert blob.startswith(b"HTTP/1.1 200") and blob.endswith(b'{"status":"ok"}'), blob


def test_connections_beyond_the_maximum_get_503(own_server):
    srv = own_server("--max-connections", "2")
    held = [_connect(srv), _connect(srv)]
    try:
        time.sleep(0.2)
        with _connect(srv) as third:
            status, headers, _ = parse_raw_response(_read_all(third))
            assert status == 503 and headers["x-ms-error-code"] == "ServiceUnavailable"
    finally:
        for s in held:
            s.close()


# --- Where the server may listen ----------------------------------------------------------------

def _serve_exit(binary, *flags):
    env = {k: v for k, v in os.environ.items() if not k.startswith("SWITCHBOARD_")}
    return subprocess.run([binary, "serve", "--store", "memory", *flags], capture_output=True,
                          text=True, timeout=10, stdin=subprocess.DEVNULL, env=env)


def test_plain_http_is_refused_off_loopback(switchboard_binary):
    done = _serve_exit(switchboard_binary, "--listen", "0.0.0.0:0")
    assert done.returncode == 2 and "refusing plain HTTP on '0.0.0.0'" in done.stderr, done
    assert "--tls-self-signed" in done.stderr and "--insecure-http-on-network" in done.stderr
    done = _serve_exit(switchboard_binary, "--listen", "0.0.0.0:0", "--insecure-no-auth",
                       "--tls-self-signed")
    assert done.returncode == 2 and "loopback only" in done.stderr, done


def test_off_loopback_with_the_explicit_flag(switchboard_binary):
    env = {k: v for k, v in os.environ.items() if not k.startswith("SWITCHBOARD_")}
    proc = subprocess.Popen([switchboard_binary, "serve", "--store", "memory", "--listen",
                             "0.0.0.0:0", "--insecure-http-on-network"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    try:
        assert proc.stdout.readline().decode().startswith("listening on http://0.0.0.0:")
    finally:
        proc.terminate()
        proc.wait(5)


# --- HTTPS --------------------------------------------------------------------------------------

def test_https_with_a_self_signed_certificate(own_server):
    srv = own_server("--tls-self-signed")
    assert srv.scheme == "https" and os.path.isfile(srv.ca_file)
    assert srv.connection_string.startswith(f"endpoint=https://127.0.0.1:{srv.port}/;accesskey=")
    c = srv.client()
    assert c.send("GET", WORKERS).status == 200
    assert c.send("GET", WORKERS, sign_with=new_access_key()).status == 401
    # Verification is real: a client without the CA refuses the server.
    untrusting = srv.client(tls_context=ssl.create_default_context())
    with pytest.raises(ssl.SSLCertVerificationError):
        untrusting.send("GET", "/healthz")


def test_https_with_given_certificate_files(own_server):
    data = tempfile.TemporaryDirectory(prefix="switchboard-tls-")
    try:
        made = own_server("--tls-self-signed", "--data", data.name, store="sqlite")
        tls = os.path.join(data.name, "tls")
        assert stat.S_IMODE(os.stat(os.path.join(tls, "key.pem")).st_mode) == 0o600
        made.stop()
        srv = own_server("--tls-cert", os.path.join(tls, "cert.pem"),
                         "--tls-key", os.path.join(tls, "key.pem"))
        c = srv.client(tls_context=ssl.create_default_context(
            cafile=os.path.join(tls, "ca.pem")))
        assert srv.scheme == "https" and c.send("GET", WORKERS).status == 200
    finally:
        data.cleanup()


def test_signature_helpers_match_a_known_answer():
    """sbclient.sign against the Python SDK's own output (see tests/unit/auth)."""
    key = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
    headers = sign("PATCH", "/routing/workers/w-1?api-version=2023-11-01", b'{"capacity":1}',
                   "127.0.0.1:8080", key, date="Tue, 02 Jan 2024 03:04:05 GMT")
    expected = "IIuyvo1o3cHDoQNQ2/GWGc7qXlMrXY+UgcrTxDX9eWM="
    assert headers["Authorization"].endswith(f"&Signature={expected}")
