"""Helpers for the events tests: a webhook receiver and a live-stream (SSE) reader.

Receiver(policy) listens on 127.0.0.1:0 (its own thread per request). It answers both
validation handshakes as a well-behaved endpoint does - the Event Grid SubscriptionValidation
event with {"validationResponse": code}, the CloudEvents OPTIONS with WebHook-Allowed-Origin -
and hands every delivery to policy(delivery) -> status, or None to never answer (the server then
times out). Deliveries are recorded in order, with the ids of their events.

EventStream(client, query, last_event_id) opens GET /events (signed like every request) and
reads Server-Sent Events on a thread into a queue; next(...) takes the next event.
"""
import http.client
import http.server
import json
import queue
import threading
import time

from sbclient import sign


class Delivery:
    def __init__(self, method, path, headers, body):
        self.method, self.path, self.headers, self.body = method, path, headers, body
        parsed = json.loads(body) if body else None
        self.events = parsed if isinstance(parsed, list) else [parsed] if parsed else []

    @property
    def ids(self):
        return [e["id"] for e in self.events]

    def __repr__(self):
        return f"<{self.method} {self.path} {self.body[:200]!r}>"


class Receiver:
    def __init__(self, policy=lambda delivery: 200):
        self.policy = policy
        self.lock = threading.Lock()
        self.deliveries = []
        self.handshakes = []
        self.held = threading.Event()  # set at stop: held requests then end
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_OPTIONS(self):
                with receiver.lock:
                    receiver.handshakes.append(("OPTIONS", dict(self.headers)))
                self.send_response(200)
                self.send_header("WebHook-Allowed-Origin", self.headers.get("WebHook-Request-Origin", ""))
                self.send_header("Content-Length", "0")
                self.end_headers()

            def do_POST(self):
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length).decode("utf-8")
                if self.headers.get("aeg-event-type") == "SubscriptionValidation":
                    code = json.loads(body)[0]["data"]["validationCode"]
                    with receiver.lock:
                        receiver.handshakes.append(("POST", dict(self.headers)))
                    return self.answer(200, json.dumps({"validationResponse": code}))
                delivery = Delivery("POST", self.path, dict(self.headers), body)
                with receiver.lock:
                    receiver.deliveries.append(delivery)
                status = receiver.policy(delivery)
                if status is None:
                    receiver.held.wait(30)
                    self.close_connection = True
                    return
                self.answer(status, "")

            def answer(self, status, body):
                data = body.encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Length", str(len(data)))
                if data:
                    self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(data)

        class Server(http.server.ThreadingHTTPServer):
            request_queue_size = 128  # the default 5 drops connections in a burst

        self.server = Server(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path="/hook"):
        return f"http://127.0.0.1:{self.port}{path}"

    def received(self):
        with self.lock:
            return list(self.deliveries)

    def events(self):
        """Every event received, in arrival order (duplicates included)."""
        return [e for d in self.received() for e in d.events]

    def ids(self):
        return [e["id"] for e in self.events()]

    def stop(self):
        self.held.set()
        self.server.shutdown()
        self.server.server_close()


class EventStream:
    def __init__(self, client, query="", last_event_id=None, timeout=30):
        target = "/events" + (("?" + query) if query else "")
        host = f"{client.host}:{client.port}"
        headers = sign("GET", target, None, host, client.access_key) if client.access_key else {}
        if last_event_id is not None:
            headers["Last-Event-ID"] = str(last_event_id)
        self.conn = http.client.HTTPConnection(client.host, client.port, timeout=timeout)
        self.conn.request("GET", target, headers=headers)
        self.sock = self.conn.sock
        self.response = self.conn.getresponse()
        self.status = self.response.status
        self.headers = self.response.headers
        self.queue = queue.Queue()
        self.comments = []
        if self.status == 200:
            threading.Thread(target=self._read, daemon=True).start()
        else:
            self.body = self.response.read()

    def _read(self):
        event = {}
        try:
            while True:
                line = self.response.fp.readline()
                if not line:
                    break
                line = line.decode("utf-8").rstrip("\n")
                if line == "":
                    if "data" in event:
                        self.queue.put({"id": int(event["id"]), "event": event.get("event"),
                                        "data": json.loads(event["data"])})
                    event = {}
                elif line.startswith(":"):
                    self.comments.append(line[1:].strip())
                else:
                    name, _, value = line.partition(":")
                    event[name] = value[1:] if value.startswith(" ") else value
        except (OSError, ValueError):
            pass
        self.queue.put(None)

    def next(self, timeout=10.0, where=lambda e: True):
        """The next event satisfying `where`; fails after `timeout`."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            assert left > 0, "no matching event arrived on the stream"
            item = self.queue.get(timeout=left)
            assert item is not None, "the stream closed"
            if where(item):
                return item

    def drain(self, quiet=0.5):
        """Every event that arrives until the stream has been quiet for `quiet` seconds."""
        out = []
        while True:
            try:
                item = self.queue.get(timeout=quiet)
            except queue.Empty:
                return out
            if item is None:
                return out
            out.append(item)

    def close(self):
        try:
            self.sock.shutdown(2)
        except OSError:
            pass
        self.response.close()
        self.conn.close()


def wait_until(predicate, timeout=15.0, what="condition"):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)
