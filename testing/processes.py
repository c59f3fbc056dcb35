"""The store as real processes, for tests whose claim spans processes: gunicorn web processes,
`manage.py cache_relay`, short-lived writers (`manage.py shell -c ...`), all pointed at a database
and a Redis that the test chooses (the run's test database and a redis-server of the test's own).

They run production-like (config.settings.base, DEBUG off) with the run's SECRET_KEY, so a JWT
minted in the test process is valid in theirs. Every process is stopped by `AppProcesses.stop()`.

    with AppProcesses(database_url=suite_database_url(), redis_url=server.url) as app:
        a, b = app.web(), app.web()
        app.relay()
        a.patch(f"/api/v1/products/{pk}", {"price": "3.00"}, token=admin_token)
        b.get(f"/api/v1/products/{pk}")
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from http.client import HTTPConnection
from pathlib import Path

from testing.redis_server import free_port

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
HOST = "127.0.0.1"


def app_env(*, database_url: str, redis_url: str, prefix: str = "procs", **extra: str) -> dict:
    """The environment of the app's processes: production-like, pointed at the given services."""
    env = dict(os.environ)
    for name in (
        "TEST_DB_NAME",
        "CELERY_BROKER_URL",
        "DATABASE_REPLICA_URLS",
        "REDIS_SENTINELS",
        "REDIS_CLUSTER_NODES",
    ):
        env.pop(name, None)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.base",
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        CACHE_KEY_PREFIX=prefix,
        DEBUG="0",
        SHOP_MANIFEST_STATIC="0",
        ALLOWED_HOSTS="*",
        SHOP_LOG_LEVEL="INFO",
        PYTHONUNBUFFERED="1",
        PYTHONPATH=str(ROOT),
        ORDER_PLACE_THROTTLE_RATE="100000/min",
        MAX_OPEN_ORDERS="100000",
    )
    env.setdefault("SECRET_KEY", "test-processes-secret-key-0123456789abcdef")
    env.update({k: str(v) for k, v in extra.items()})
    return env


@dataclass
class Answer:
    status: int
    body: dict | None
    headers: dict
    seconds: float

    @property
    def data(self):
        return (self.body or {}).get("data")


def http(host: str, port: int, method: str, path: str, body=None, token: str | None = None, timeout: float = 10):
    headers = {"Accept": "application/json"}
    payload = None
    if body is not None:
        payload = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    if token:
        headers["Authorization"] = f"Bearer {token}"
    conn = HTTPConnection(host, port, timeout=timeout)
    started = time.perf_counter()
    try:
        conn.request(method, path, body=payload, headers=headers)
        response = conn.getresponse()
        raw = response.read()
        try:
            parsed = json.loads(raw) if raw else None
        except ValueError:
            parsed = None
        return Answer(response.status, parsed, dict(response.getheaders()), time.perf_counter() - started)
    finally:
        conn.close()


class Process:
    """A subprocess whose output goes to a log file (shown when a test fails to start it)."""

    def __init__(self, name: str, args: list[str], env: dict, *, netns: str | None = None):
        self.name = name
        self.log_path = Path(tempfile.gettempdir()) / f"shop-{name}-{os.getpid()}-{time.monotonic_ns()}.log"
        self._log = open(self.log_path, "w")  # noqa: SIM115 - closed in stop()
        if netns:
            args = ["ip", "netns", "exec", netns, *args]
        self.process = subprocess.Popen(args, cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT)

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def log(self) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")

    def wait_for_log(self, text: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.log():
                return
            if not self.alive():
                break
            time.sleep(0.05)
        raise RuntimeError(f"{self.name} did not log {text!r}:\n{self.log()[-3000:]}")

    def signal(self, signum: int) -> None:
        if self.alive():
            os.kill(self.process.pid, signum)

    def stop(self, timeout: float = 10) -> None:
        if self.alive():
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        if not self._log.closed:
            self._log.close()
        self.log_path.unlink(missing_ok=True)


class Web(Process):
    """gunicorn serving config.wsgi on its own port (one sync worker unless told otherwise)."""

    def __init__(
        self,
        name: str,
        env: dict,
        *,
        host: str = HOST,
        workers: int = 1,
        netns: str | None = None,
        outlives_flushes: bool = False,
    ):
        self.host = host
        self.port = free_port() if netns is None else 8000
        args = [str(BIN / "gunicorn"), "config.wsgi:application", "--bind", f"{host}:{self.port}"]
        args += ["--workers", str(workers), "--timeout", "30", "--graceful-timeout", "3", "--log-level", "warning"]
        if outlives_flushes:
            args += ["--config", "python:testing.gunicorn_hooks"]
        super().__init__(name, args, env, netns=netns)

    def wait_ready(self, timeout: float = 60) -> Web:
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            if not self.alive():
                break
            try:
                if self.get("/api/v1/health", timeout=2).status < 500:
                    return self
            except OSError as error:
                last = error
            time.sleep(0.1)
        raise RuntimeError(f"{self.name} did not answer ({last}):\n{self.log()[-3000:]}")

    def request(self, method: str, path: str, body=None, token: str | None = None, timeout: float = 10) -> Answer:
        return http(self.host, self.port, method, path, body, token, timeout)

    def get(self, path: str, token: str | None = None, timeout: float = 10) -> Answer:
        return self.request("GET", path, token=token, timeout=timeout)

    def patch(self, path: str, body, token: str, timeout: float = 10) -> Answer:
        return self.request("PATCH", path, body, token, timeout)


class AppProcesses:
    """The app's processes for one test; `stop()` (or leaving the `with`) ends them all."""

    def __init__(
        self, *, database_url: str, redis_url: str, prefix: str = "procs", outlives_flushes: bool = False, **env: str
    ):
        """outlives_flushes: the web processes serve more than one transactional test (see gunicorn_hooks)."""
        self.env = app_env(database_url=database_url, redis_url=redis_url, prefix=prefix, **env)
        self.outlives_flushes = outlives_flushes
        self.started: list[Process] = []

    def __enter__(self) -> AppProcesses:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def _own(self, process: Process) -> Process:
        self.started.append(process)
        return process

    def web(self, *, wait: bool = True, **env: str) -> Web:
        web = self._own(Web(f"web{len(self.started)}", {**self.env, **env}, outlives_flushes=self.outlives_flushes))
        return web.wait_ready() if wait else web

    def webs(self, n: int, **env: str) -> list[Web]:
        """n web processes started side by side (their start-ups overlap)."""
        started = [self.web(wait=False, **env) for _ in range(n)]
        return [web.wait_ready() for web in started]

    def relay(self, *, wait: bool = True, **env: str) -> Process:
        relay = self._own(
            Process(
                f"relay{len(self.started)}",
                [sys.executable, "manage.py", "cache_relay", "-v", "2"],
                {**self.env, **env},
            )
        )
        if wait:
            relay.wait_for_log("Cache relay started")
        return relay

    def spawn(self, code: str, **env: str) -> Process:
        """`manage.py shell -c code` in the background (a writer that may be killed)."""
        return self._own(Process("writer", [sys.executable, "manage.py", "shell", "-c", code], {**self.env, **env}))

    def run(self, code: str, timeout: float = 60, **env: str) -> subprocess.CompletedProcess:
        """`manage.py shell -c code` to completion: a short-lived writer. Returns the finished process."""
        return subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", code],
            cwd=ROOT,
            env={**self.env, **env},
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def stop(self) -> None:
        while self.started:
            self.started.pop().stop()


def wait_until(condition, timeout: float, interval: float = 0.01):
    """Poll `condition()` until it returns something truthy; returns (value, seconds waited) or (None, timeout)."""
    started = time.monotonic()
    while True:
        value = condition()
        waited = time.monotonic() - started
        if value:
            return value, waited
        if waited >= timeout:
            return None, waited
        time.sleep(interval)
