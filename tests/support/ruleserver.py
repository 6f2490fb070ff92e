"""RuleServer: a local HTTP server that plays Azure Functions, webhooks and an OAuth2
authorization server for the function and webhook rule tests (HTTP and SDK suites).

routes: path -> handler(headers, raw_body) -> (status, answer); an answer that is not a str is
sent as JSON. Every call is recorded as (path, headers, raw_body).
"""
import http.server
import json
import threading


class RuleServer:
    """routes: path -> handler(headers, body) -> (status, json-or-text body)."""

    def __init__(self):
        self.routes = {}
        self.calls = []
        self.lock = threading.Lock()
        rules = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode()
                with rules.lock:
                    rules.calls.append((self.path, dict(self.headers), raw))
                handler = rules.routes.get(self.path)
                status, answer = handler(self.headers, raw) if handler else (404, "no such route")
                body = (answer if isinstance(answer, str) else json.dumps(answer)).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def url(self, path):
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"

    def calls_to(self, path):
        with self.lock:
            return [c for c in self.calls if c[0] == path]

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()
