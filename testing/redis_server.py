"""A redis-server of a test's own, on a free port, that the test may kill, freeze or restart."""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

import redis


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    def __init__(self, port: int | None = None, *, host: str = "127.0.0.1", args: list[str] | None = None):
        self.port = port or free_port()
        self.host = host
        self.args = list(args or [])  # more redis-server options (replicaof, cluster-enabled, ...)
        self.dir = tempfile.mkdtemp(prefix="shop-redis-")
        self.process: subprocess.Popen | None = None
        self.frozen = False
        self._stats_client: redis.Redis | None = None

    @property
    def url(self) -> str:
        return f"redis://{self.host}:{self.port}/0"

    def start(self, *, keep_data: bool = False) -> "RedisServer":
        """Start (or restart) the server; with `keep_data` it loads the dump a SAVE left in its directory."""
        self._stats_client = None
        if not keep_data:
            with contextlib.suppress(FileNotFoundError):
                os.remove(os.path.join(self.dir, "dump.rdb"))
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        self.process = subprocess.Popen(
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                self.host,
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                self.dir,
                "--daemonize",
                "no",
                "--loglevel",
                "warning",
                "--enable-debug-command",
                "local",
                # On a namespaces' private bridge (testing/netns.py) the hosts are clients; no password here.
                *(["--protected-mode", "no"] if self.host != "127.0.0.1" else []),
                *self.args,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                redis.Redis(host=self.host, port=self.port, socket_timeout=0.5).ping()
                return self
            except redis.exceptions.ConnectionError:
                time.sleep(0.02)
        raise RuntimeError(f"redis-server on port {self.port} did not start")

    def client(self) -> redis.Redis:
        return redis.Redis(host=self.host, port=self.port, socket_timeout=2)

    def command_calls(self) -> dict[str, int]:
        """Commands executed so far, by name (INFO commandstats), including those run inside Lua scripts."""
        if self._stats_client is None:
            self._stats_client = self.client()
        stats = self._stats_client.info("commandstats")
        return {name.removeprefix("cmdstat_"): fields["calls"] for name, fields in stats.items()}

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            if self.frozen:
                self.thaw()
            self.process.kill()
            self.process.wait(timeout=10)

    def freeze(self) -> None:
        """SIGSTOP: the port still accepts connections, but nothing answers."""
        os.kill(self.process.pid, signal.SIGSTOP)
        self.frozen = True

    def thaw(self) -> None:
        os.kill(self.process.pid, signal.SIGCONT)
        self.frozen = False

    def stop(self) -> None:
        self.kill()
        shutil.rmtree(self.dir, ignore_errors=True)
