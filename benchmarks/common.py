"""Processes and plumbing shared by bench.py and faults.py.

Everything started here is registered with `cleanup`, which stops it on normal exit, on an
exception, on Ctrl-C and on SIGTERM, so a benchmark never leaves a server running.
"""

from __future__ import annotations

import atexit
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from testing.postgres import PrivatePostgres as _PrivatePostgres  # noqa: E402
from testing.postgres import as_postgres, postgres_bin  # noqa: E402,F401 - re-exported

PY = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
RESULTS = ROOT / "benchmarks" / "results"
HOST = "127.0.0.1"  # every request of these scripts goes to loopback, nowhere else

ADMIN_EMAIL = os.environ.get("DEMO_ADMIN_EMAIL") or "admin@example.com"
ADMIN_PASSWORD = os.environ.get("DEMO_ADMIN_PASSWORD") or "demo-admin-pass"
CUSTOMER_EMAIL = os.environ.get("DEMO_CUSTOMER_EMAIL") or "customer@example.com"
CUSTOMER_PASSWORD = os.environ.get("DEMO_CUSTOMER_PASSWORD") or "demo-customer-pass"


# --- cleanup -------------------------------------------------------------------------------------
class Cleanup:
    """Stops what was started, last first, exactly once."""

    def __init__(self):
        self._actions: list[tuple[str, callable]] = []
        atexit.register(self.run)

    def add(self, name: str, action) -> None:
        self._actions.append((name, action))

    def remove(self, name: str) -> None:
        self._actions = [(n, a) for n, a in self._actions if n != name]

    def run(self) -> None:
        while self._actions:
            name, action = self._actions.pop()
            try:
                action()
            except Exception as error:  # noqa: BLE001 - keep cleaning the rest
                print(f"cleanup of {name} failed: {error}", file=sys.stderr)


cleanup = Cleanup()


def _terminate(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


signal.signal(signal.SIGTERM, _terminate)


# --- small helpers -------------------------------------------------------------------------------
def run_main(main) -> None:
    """Run a benchmark's `main()` as the script's entry point, cleaning up whatever happens."""
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        log("interrupted; cleaning up")
        sys.exit(130)
    finally:
        cleanup.run()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def app_env(*, database_url: str, redis_url: str, prefix: str, **extra: str) -> dict:
    """The environment the app runs with: production-like (DEBUG off), pointed at our own services."""
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.base",
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        CACHE_KEY_PREFIX=prefix,
        SECRET_KEY=env.get("BENCH_SECRET_KEY") or "bench-secret-key-not-for-production-0123456789",
        DEBUG="0",
        SHOP_MANIFEST_STATIC="0",
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        JWT_ACCESS_MINUTES="120",
        SHOP_LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
        PYTHONPATH=str(ROOT),
    )
    env.pop("CELERY_BROKER_URL", None)  # tasks run eagerly: no broker to disturb or depend on
    # One demo customer places every order of the load: lift the per-customer limits (holds, rate).
    env.setdefault("MAX_OPEN_ORDERS", "1000000")
    env.setdefault("ORDER_PLACE_THROTTLE_RATE", "1000000/min")
    env.pop("TEST_DB_NAME", None)
    env.update(extra)
    return env


def manage(*args: str, env: dict, check: bool = True, capture: bool = False, timeout: float = 3600):
    return subprocess.run(
        [PY, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=check,
        text=True,
        capture_output=capture,
        timeout=timeout,
    )


def django_eval(code: str, *, env: dict, timeout: float = 120) -> str:
    """Run a snippet in a configured Django process and return what it printed."""
    result = subprocess.run(
        [PY, "-c", "import django; django.setup()\n" + code],
        cwd=ROOT,
        env=env,
        check=True,
        text=True,
        capture_output=True,
        timeout=timeout,
    )
    return result.stdout.strip()


# --- HTTP (loopback only) ------------------------------------------------------------------------
def request(port: int, method: str, path: str, body=None, token: str | None = None, timeout: float = 10.0):
    """One request to 127.0.0.1:port. Returns (status, parsed JSON or None, headers, seconds)."""
    from testing.processes import http

    answer = http(HOST, port, method, path, body=body, token=token, timeout=timeout)
    return answer.status, answer.body, answer.headers, answer.seconds


def wait_http(port: int, path: str = "/api/v1/health", timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            status, _, _, _ = request(port, "GET", path, timeout=2)
            if status < 500:
                return
            last = f"status {status}"
        except OSError as error:
            last = error
        time.sleep(0.2)
    raise RuntimeError(f"server on port {port} did not answer {path}: {last}")


def login(port: int, email: str, password: str) -> str:
    status, data, _, _ = request(port, "POST", "/api/v1/auth/login", {"email": email, "password": password})
    if status != 200:
        raise RuntimeError(f"login as {email} failed: {status} {data}")
    return data["data"]["access"]


# --- gunicorn --------------------------------------------------------------------------------------
def rss_kib(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def child_pids(pid: int) -> list[int]:
    children = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children += [int(p) for p in (task / "children").read_text().split()]
        except OSError:
            pass
    return sorted(children)


class Gunicorn:
    def __init__(self, *, env: dict, name: str, workers: int, worker_class: str = "sync", threads: int = 1):
        self.env = env
        self.name = name
        self.workers = workers
        self.worker_class = worker_class
        self.threads = threads
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        self.log_path = Path(tempfile.gettempdir()) / f"shop-{name}-gunicorn-{self.port}.log"

    def start(self) -> Gunicorn:
        args = [
            GUNICORN,
            "config.wsgi:application",
            "--bind",
            f"{HOST}:{self.port}",
            "--workers",
            str(self.workers),
            "--worker-class",
            self.worker_class,
            "--threads",
            str(self.threads),
            "--timeout",
            "60",
            "--graceful-timeout",
            "5",
            "--log-level",
            "warning",
        ]
        self._log = open(self.log_path, "w")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(args, cwd=ROOT, env=self.env, stdout=self._log, stderr=subprocess.STDOUT)
        cleanup.add(f"gunicorn {self.name}", self.stop)
        wait_http(self.port)
        deadline = time.monotonic() + 20
        while len(self.worker_pids()) < self.workers and time.monotonic() < deadline:
            time.sleep(0.1)
        return self

    def worker_pids(self) -> list[int]:
        return child_pids(self.process.pid) if self.process else []

    def worker_rss_kib(self) -> dict[int, int | None]:
        return {pid: rss_kib(pid) for pid in self.worker_pids()}

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        if self.process:
            self._log.close()
        cleanup.remove(f"gunicorn {self.name}")


# --- redis-server of our own ---------------------------------------------------------------------
def start_own_redis():
    """A redis-server on a free port (the tests' helper), stopped at exit."""
    from testing.redis_server import RedisServer

    server = RedisServer().start()
    cleanup.add("redis-server", server.stop)
    return server


# --- PostgreSQL ------------------------------------------------------------------------------------
class PrivatePostgres(_PrivatePostgres):
    """A throw-away PostgreSQL cluster of our own (testing/postgres.py), removed at exit."""

    def init(self) -> PrivatePostgres:
        cleanup.add(f"private postgres {self.port}", self.destroy)
        return super().init()

    def replica(self, **kwargs) -> PrivatePostgres:
        replica = super().replica(**kwargs)
        replica.__class__ = PrivatePostgres
        cleanup.add(f"private postgres {replica.port}", replica.destroy)
        return replica


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


# --- the cache relay (manage.py cache_relay), beside the web processes as deployed ----------------
class CacheRelay:
    """`manage.py cache_relay` in its own process, stopped (SIGTERM) at exit."""

    def __init__(self, *, env: dict, name: str = "relay"):
        self.env = env
        self.name = name
        self.process: subprocess.Popen | None = None
        self.log_path = Path(tempfile.gettempdir()) / f"shop-{name}-{os.getpid()}.log"

    def start(self) -> CacheRelay:
        self._log = open(self.log_path, "w")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [PY, "manage.py", "cache_relay", "-v", "0"],
            cwd=ROOT,
            env=self.env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        cleanup.add(f"cache relay {self.name}", self.stop)
        time.sleep(0.5)
        if self.process.poll() is not None:
            raise RuntimeError(f"cache_relay exited at start:\n{self.log_path.read_text()[-2000:]}")
        return self

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        if self.process:
            self._log.close()
        cleanup.remove(f"cache relay {self.name}")


def write_results(name: str, text: str, payload: dict, *, started: float) -> None:
    """benchmarks/results/<name>.md (the report) and <name>.json (its figures, with the run's time)."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{name}.md").write_text(text)
    payload = {**payload, "seconds": round(time.monotonic() - started, 1)}
    (RESULTS / f"{name}.json").write_text(json.dumps(payload, indent=2, default=str) + "\n")
    print()
    print(text)
