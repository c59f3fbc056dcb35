"""Several "hosts" on one machine: network namespaces joined by a bridge of their own (10.231.x.0/24),
made with `ip` (iproute2, root). Each host has its own network stack and address; the shared
services the hosts use (Redis, PostgreSQL) listen on the bridge's address in the root namespace.
Nothing is routed off the machine: the bridge has no uplink.

Where namespaces can't be made (not root, no iproute2), `Hosts.make()` falls back to hosts that
are separate processes on 127.0.0.1 with ports of their own (`Host.netns` is None).

A load balancer (a small round-robin TCP proxy on 127.0.0.1) puts the hosts behind one address.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import random
import subprocess
import threading
from dataclasses import dataclass

from testing.redis_server import free_port


def _ip(*args: str, netns: str | None = None) -> None:
    command = ["ip", *args] if netns is None else ["ip", "netns", "exec", netns, "ip", *args]
    subprocess.run(command, check=True, capture_output=True, timeout=10)


@dataclass
class Host:
    name: str
    address: str  # where its web server listens
    netns: str | None  # None: a plain process on loopback
    port: int = 8000


class Hosts:
    """`n` hosts; `services_address` is where the hosts reach the shared services."""

    def __init__(self, hosts: list[Host], services_address: str, bridge: str | None):
        self.hosts = hosts
        self.services_address = services_address
        self.bridge = bridge

    @property
    def namespaces(self) -> bool:
        return self.bridge is not None

    @classmethod
    def make(cls, n: int = 3) -> Hosts:
        if os.geteuid() == 0:
            try:
                return cls._namespaces(n)
            except (OSError, subprocess.SubprocessError):
                pass
        return cls([Host(f"host{i + 1}", "127.0.0.1", None, free_port()) for i in range(n)], "127.0.0.1", None)

    @classmethod
    def _namespaces(cls, n: int) -> Hosts:
        tag = f"{os.getpid() % 10000}{random.randrange(100):02d}"
        subnet = random.randrange(10, 250)
        bridge = f"shopbr{tag}"[:15]
        made = cls([], f"10.231.{subnet}.1", bridge)
        try:
            _ip("link", "add", bridge, "type", "bridge")
            _ip("addr", "add", f"10.231.{subnet}.1/24", "dev", bridge)
            _ip("link", "set", bridge, "up")
            for i in range(n):
                name, outside = f"shop{tag}h{i + 1}", f"shv{tag}{i + 1}"[:15]
                _ip("netns", "add", name)
                made.hosts.append(Host(f"host{i + 1}", f"10.231.{subnet}.{11 + i}", name))
                _ip("link", "add", outside, "type", "veth", "peer", "name", "eth0", "netns", name)
                _ip("link", "set", outside, "master", bridge)
                _ip("link", "set", outside, "up")
                _ip("addr", "add", f"10.231.{subnet}.{11 + i}/24", "dev", "eth0", netns=name)
                _ip("link", "set", "eth0", "up", netns=name)
                _ip("link", "set", "lo", "up", netns=name)
        except (OSError, subprocess.SubprocessError):
            made.destroy()
            raise
        return made

    def destroy(self) -> None:
        for host in self.hosts:
            if host.netns:
                subprocess.run(["ip", "netns", "del", host.netns], capture_output=True, timeout=10)
        if self.bridge:
            subprocess.run(["ip", "link", "del", self.bridge], capture_output=True, timeout=10)


class Balancer:
    """Round-robin TCP proxy on 127.0.0.1: each client connection goes to the next host that accepts it."""

    def __init__(self, backends: list[tuple[str, int]]):
        self.backends = backends
        self.port = free_port()
        self._next = itertools.cycle(range(len(backends)))
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server = None
        self.refused = 0

    def start(self) -> Balancer:
        self._thread.start()
        self._server = asyncio.run_coroutine_threadsafe(
            asyncio.start_server(self._serve, "127.0.0.1", self.port), self._loop
        ).result(10)
        return self

    async def _serve(self, reader, writer):
        upstream = None
        for _ in range(len(self.backends)):
            host, port = self.backends[next(self._next)]
            try:
                upstream = await asyncio.wait_for(asyncio.open_connection(host, port), 2)
                break
            except (TimeoutError, OSError):
                self.refused += 1
        if upstream is None:
            writer.close()
            return
        up_reader, up_writer = upstream

        async def pipe(source, sink):
            try:
                while data := await source.read(65536):
                    sink.write(data)
                    await sink.drain()
            except OSError:
                pass
            finally:
                sink.close()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))

    def stop(self) -> None:
        if self._server is not None:
            self._loop.call_soon_threadsafe(self._server.close)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
