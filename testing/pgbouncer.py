"""A PgBouncer of a test's own (Debian's pgbouncer), in front of a PostgreSQL server, on a free port."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg

from testing.postgres import as_postgres, postgres_bin
from testing.redis_server import free_port


class PgBouncer:
    def __init__(
        self, *, server: tuple[str, int], pool_mode: str = "transaction", pool_size: int = 2, host="127.0.0.1"
    ):
        self.host = host
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="shop-pgbouncer-"))
        (self.dir / "users.txt").write_text('"postgres" ""\n')
        (self.dir / "pgbouncer.ini").write_text(
            "\n".join(
                [
                    "[databases]",
                    f"* = host={server[0]} port={server[1]}",
                    "[pgbouncer]",
                    f"listen_addr = {host}",
                    f"listen_port = {self.port}",
                    "unix_socket_dir =",
                    "auth_type = trust",
                    f"auth_file = {self.dir / 'users.txt'}",
                    "admin_users = postgres",
                    f"pool_mode = {pool_mode}",
                    f"default_pool_size = {pool_size}",
                    "max_client_conn = 200",
                    "server_reset_query =",  # transaction mode: nothing of a session may outlive its transaction
                    "ignore_startup_parameters = extra_float_digits",
                    f"logfile = {self.dir / 'pgbouncer.log'}",
                    "",
                ]
            )
        )
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
            for path in self.dir.iterdir():
                shutil.chown(path, "postgres", "postgres")
        self.process: subprocess.Popen | None = None

    def url(self, db: str) -> str:
        return f"postgres://postgres@{self.host}:{self.port}/{db}"

    def start(self) -> PgBouncer:
        binary = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
        self.process = subprocess.Popen(
            as_postgres([binary, str(self.dir / "pgbouncer.ini")]), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                psycopg.connect(self.url("postgres").replace("postgres://", "postgresql://"), connect_timeout=1).close()
                return self
            except psycopg.OperationalError:
                time.sleep(0.05)
        raise RuntimeError(f"pgbouncer on port {self.port} did not start: {self.log()[-2000:]}")

    def show(self, what: str) -> list[dict]:
        """SHOW <what> on the admin console (simple query protocol only: psql)."""
        result = subprocess.run(
            [postgres_bin("psql"), "-h", self.host, "-p", str(self.port), "-U", "postgres", "-d", "pgbouncer"]
            + ["-A", "-F", "\t", "-c", f"SHOW {what}"],
            check=True,
            capture_output=True,
            text=True,
            timeout=10,
        )
        lines = [line for line in result.stdout.splitlines() if "\t" in line]
        header, *rows = [line.split("\t") for line in lines]
        return [dict(zip(header, row)) for row in rows]

    def log(self) -> str:
        path = self.dir / "pgbouncer.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        shutil.rmtree(self.dir, ignore_errors=True)
