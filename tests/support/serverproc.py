"""ServerProcess: `switchboard serve ...` as a child process, for every Python test suite;
the --switchboard option that names the binary; and the ids tests make unique.

It starts the binary with the given arguments (and none of the caller's SWITCHBOARD_*
variables), reads the first line - "listening on http(s)://HOST:PORT" - into scheme, host and
port, and keeps stderr for `log()`. A subclass reads the lines it expects next with
`_line()`, then calls `_start_draining()` so the server never blocks on a full stdout pipe.
"""
import os
import pathlib
import re
import subprocess
import tempfile
import threading
import uuid


REPO = pathlib.Path(__file__).resolve().parents[2]


def add_switchboard_option(parser):
    parser.addoption("--switchboard", action="store", default=None,
                     help="path of the switchboard binary to test")


def switchboard_binary_path(config):
    """--switchboard=PATH, else $SWITCHBOARD_BIN, else <repo>/build/switchboard; exits the
    session when it is not an executable."""
    import pytest
    path = (config.getoption("--switchboard") or os.environ.get("SWITCHBOARD_BIN")
            or str(REPO / "build" / "switchboard"))
    if not os.access(path, os.X_OK):
        pytest.exit(f"switchboard binary not found or not executable: {path} "
                    "(build it, or pass --switchboard=PATH)", returncode=2)
    return path


def uid_factory(test_name):
    """uid('job') -> 'job-<test name>-<random>-<n>': ids unique to one test's run."""
    stem = test_name.replace("test_", "", 1)
    stem = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in stem)[:40]
    token = uuid.uuid4().hex[:8]

    def make(prefix="id"):
        make.n += 1
        return f"{prefix}-{stem}-{token}-{make.n}"

    make.n = 0
    return make


class ServerProcess:
    START_TIMEOUT = 10.0

    def __init__(self, args):
        env = {k: v for k, v in os.environ.items() if not k.startswith("SWITCHBOARD_")}
        self.stderr = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(
            list(args), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=self.stderr,
            env=env)
        first = self._line()
        m = re.match(r"listening on (https?)://([^:/\s]+):(\d+)$", first)
        if not m:
            self.stop()
            raise RuntimeError(f"unexpected first line from switchboard: {first!r}\n{self.log()}")
        self.scheme, self.host, self.port = m.group(1), m.group(2), int(m.group(3))

    def _line(self):
        box = {}

        def read():
            box["line"] = self.proc.stdout.readline().decode("utf-8", "replace")

        t = threading.Thread(target=read, daemon=True)
        t.start()
        t.join(self.START_TIMEOUT)
        if "line" not in box:
            self.stop()
            raise RuntimeError(f"switchboard did not report its address within "
                               f"{self.START_TIMEOUT}s\n{self.log()}")
        return box["line"].strip()

    def _start_draining(self):
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self):
        try:
            while self.proc.stdout.read(4096):
                pass
        except (OSError, ValueError):
            pass

    def log(self):
        self.stderr.seek(0)
        return self.stderr.read().decode("utf-8", "replace")[-4000:]

    def check_alive(self):
        if self.proc.poll() is not None:
            raise RuntimeError(f"switchboard exited with {self.proc.returncode}\n{self.log()}")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        return self.proc.returncode
