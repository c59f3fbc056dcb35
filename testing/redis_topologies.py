"""Redis past one server, for tests and `make faults`: a Redis Cluster of three primaries, and a
Sentinel-managed primary with a replica and three sentinels. Debian's own redis-server and
redis-sentinel, on free ports of a loopback (or a namespace's) address, in temp dirs; each test
breaks its own.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import redis

from testing.redis_server import RedisServer, free_port


def _wait(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            value = condition()
            if value:
                return value
        except (redis.exceptions.RedisError, OSError) as error:
            last = error
        time.sleep(0.05)
    raise TimeoutError(f"{what} ({last})")


class RedisClusterServers:
    """Three primaries (no replicas), all 16384 slots assigned by `redis-cli --cluster create`."""

    def __init__(self, size: int = 3, host: str = "127.0.0.1"):
        self.host = host
        self.servers = [
            RedisServer(host=host, args=["--cluster-enabled", "yes", "--cluster-node-timeout", "5000"])
            for _ in range(size)
        ]

    @property
    def nodes(self) -> list[tuple[str, int]]:
        return [(self.host, s.port) for s in self.servers]

    @property
    def nodes_setting(self) -> str:
        return ",".join(f"{h}:{p}" for h, p in self.nodes)

    def start(self) -> RedisClusterServers:
        try:
            return self._start()
        except BaseException:
            self.stop()
            raise

    def _start(self) -> RedisClusterServers:
        for server in self.servers:
            server.args += ["--cluster-config-file", str(Path(server.dir) / "nodes.conf")]
            server.bus_port = free_port()  # not port + 10000: that may be taken, or past 65535
            server.args += ["--cluster-port", str(server.bus_port)]
            server.start()
        # What `redis-cli --cluster create` does, without its one-second waits: split the slots, then meet.
        per = 16384 // len(self.servers)
        for i, server in enumerate(self.servers):
            last = 16383 if i == len(self.servers) - 1 else (i + 1) * per - 1
            server.client().execute_command("CLUSTER ADDSLOTSRANGE", i * per, last)
        for server in self.servers[1:]:
            first = self.servers[0]
            server.client().execute_command("CLUSTER MEET", self.host, first.port, first.bus_port)

        def ready():
            return all(s.client().cluster("info").get("cluster_state") == "ok" for s in self.servers)

        _wait(ready, 20, "the cluster did not reach cluster_state:ok")
        return self

    def keys(self) -> list[bytes]:
        return [key for server in self.servers for key in server.client().keys("*")]

    def stop(self) -> None:
        for server in self.servers:
            server.stop()


class Sentinel:
    """One redis-sentinel process watching `master` (it rewrites its own config file, so it gets one)."""

    def __init__(
        self,
        *,
        host: str,
        master_name: str,
        primary: tuple[str, int],
        quorum: int,
        down_after_ms: int,
        replicas: list[tuple[str, int]] = (),
        peers: list[Sentinel] = (),
    ):
        self.host = host
        self.port = free_port()
        self.myid = os.urandom(20).hex()
        self.master_name = master_name
        self.peers = list(peers)
        self.dir = Path(tempfile.mkdtemp(prefix="shop-sentinel-"))
        self.config = self.dir / "sentinel.conf"
        self.config.write_text(
            "\n".join(
                [
                    f"port {self.port}",
                    f"bind {host}",
                    f"dir {self.dir}",
                    "daemonize no",
                    "loglevel notice",
                    f"logfile {self.dir / 'sentinel.log'}",
                    f"sentinel monitor {master_name} {primary[0]} {primary[1]} {quorum}",
                    f"sentinel down-after-milliseconds {master_name} {down_after_ms}",
                    f"sentinel failover-timeout {master_name} 3000",
                    f"sentinel parallel-syncs {master_name} 1",
                    f"sentinel myid {self.myid}",
                    f"protected-mode {'no' if host != '127.0.0.1' else 'yes'}",
                    # What they would find out by themselves in 2-10 s (hello messages, the primary's INFO):
                    *(f"sentinel known-replica {master_name} {h} {p}" for h, p in replicas),
                    "",
                ]
            )
        )
        self.process: subprocess.Popen | None = None

    def know(self, others: list[Sentinel]) -> None:
        with open(self.config, "a") as config:
            for other in others:
                if other is not self:
                    config.write(f"sentinel known-sentinel {self.master_name} {other.host} {other.port} {other.myid}\n")

    def start(self) -> Sentinel:
        binary = shutil.which("redis-sentinel") or "/usr/bin/redis-sentinel"
        self.process = subprocess.Popen(
            [binary, str(self.config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        _wait(lambda: self.client().ping(), 10, f"redis-sentinel on port {self.port} did not start")
        return self

    def client(self) -> redis.Redis:
        return redis.Redis(host=self.host, port=self.port, socket_timeout=1)

    def log(self) -> str:
        path = self.dir / "sentinel.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        shutil.rmtree(self.dir, ignore_errors=True)


FAST_SYNC = ["--repl-diskless-sync-delay", "0"]


class RedisSentinelSet:
    """A primary, its replica and three sentinels (quorum 2). `kill_primary()` and the sentinels promote
    the replica after `down_after_ms`; `primary_address()` asks them where the primary is now."""

    MASTER = "shopcache"

    def __init__(self, host: str = "127.0.0.1", down_after_ms: int = 400):
        self.host = host
        self.down_after_ms = down_after_ms
        # No 5 s wait before a full sync (diskless sync's default delay), on either side of a failover.
        self.primary = RedisServer(host=host, args=FAST_SYNC)
        self.replica: RedisServer | None = None
        self.sentinels: list[Sentinel] = []

    @property
    def sentinels_setting(self) -> str:
        return ",".join(f"{s.host}:{s.port}" for s in self.sentinels)

    @property
    def servers(self) -> list[RedisServer]:
        return [self.primary, self.replica]

    def start(self) -> RedisSentinelSet:
        try:
            return self._start()
        except BaseException:
            self.stop()
            raise

    def _start(self) -> RedisSentinelSet:
        self.primary.start()
        self.replica = RedisServer(
            host=self.host, args=[*FAST_SYNC, "--replicaof", self.host, str(self.primary.port)]
        ).start()
        _wait(
            lambda: self.replica.client().info("replication").get("master_link_status") == "up",
            10,
            "the replica did not sync",
        )
        self.sentinels = [
            Sentinel(
                host=self.host,
                master_name=self.MASTER,
                primary=(self.host, self.primary.port),
                quorum=2,
                down_after_ms=self.down_after_ms,
                replicas=[(self.host, self.replica.port)],
            )
            for _ in range(3)
        ]
        for sentinel in self.sentinels:
            sentinel.know(self.sentinels)
            sentinel.start()

        def discovered():  # each sentinel knows the replica and the other sentinels
            for sentinel in self.sentinels:
                master = sentinel.client().sentinel_master(self.MASTER)
                if master.get("num-slaves", 0) < 1 or master.get("num-other-sentinels", 0) < 2:
                    return False
            return True

        _wait(discovered, 20, "the sentinels did not discover each other and the replica")
        return self

    def primary_address(self) -> tuple[str, int] | None:
        for sentinel in self.sentinels:
            try:
                host, port = sentinel.client().sentinel_get_master_addr_by_name(self.MASTER)
                return (host.decode() if isinstance(host, bytes) else host), int(port)
            except (redis.exceptions.RedisError, OSError, TypeError):
                continue
        return None

    def server_at(self, address: tuple[str, int]) -> RedisServer:
        return next(s for s in self.servers if (s.host, s.port) == address)

    def current_primary(self) -> RedisServer:
        return self.server_at(self.primary_address())

    def wait_for_failover(self, old: tuple[str, int], timeout: float = 20) -> tuple[str, int]:
        """Until the sentinels name another primary and it accepts writes; returns its address."""

        def promoted():
            address = self.primary_address()
            if address and address != old:
                server = self.server_at(address)
                if server.client().info("replication").get("role") == "master":
                    return address
            return None

        return _wait(promoted, timeout, "no failover")

    def stop(self) -> None:
        for sentinel in self.sentinels:
            sentinel.stop()
        for server in self.servers:
            if server is not None:
                server.stop()
