"""PostgreSQL clusters of a test's own: initdb into a temp dir, on a free loopback port, run as the
postgres OS user (PostgreSQL refuses to run as root). A test may stop, restart or pause them; a
replica is a second cluster fed by the primary's own streaming replication (pg_basebackup -R).

The shared server on 5432 is never touched: its test database is only read (pg_dump) to give a
private cluster the same schema without running every migration again.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from testing.redis_server import free_port

HOST = "127.0.0.1"


def postgres_bin(tool: str) -> str:
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))
    if not versions:
        raise RuntimeError("PostgreSQL server binaries not found under /usr/lib/postgresql (make services)")
    return str(versions[-1] / tool)


def as_postgres(args: list[str]) -> list[str]:
    """Run a command as the postgres OS user when we are root."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *args]
    return args


def _run(args: list[str], timeout: float = 90, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(as_postgres(args), check=check, capture_output=True, text=True, timeout=timeout)


class PrivatePostgres:
    """A throw-away PostgreSQL cluster. `init()` then `start()`; `destroy()` removes everything."""

    def __init__(self, *, host: str = HOST, port: int | None = None, settings: dict | None = None):
        self.host = host
        self.port = port or free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="shop-pg-"))
        self.data = self.dir / "data"
        self.logfile = self.dir / "postgres.log"
        self.settings = {"max_connections": 60, "fsync": "off", "synchronous_commit": "on", **(settings or {})}
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        self.dir.chmod(0o700)

    def url(self, db: str = "postgres") -> str:
        return f"postgres://postgres@{self.host}:{self.port}/{db}"

    def init(self) -> PrivatePostgres:
        _run(
            [postgres_bin("initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8"]
            + ["--no-sync", "--no-instructions"],
            timeout=120,
        )
        with open(self.data / "pg_hba.conf", "a") as hba:  # replicas connect over TCP too
            hba.write(f"host replication postgres {self.host}/32 trust\n")
            if self.host != HOST:  # on a bridge of namespaces (testing/netns.py): its hosts are clients
                subnet = self.host.rsplit(".", 1)[0] + ".0/24"
                hba.write(f"host all postgres {subnet} trust\nhost replication postgres {subnet} trust\n")
        return self

    def start(self) -> PrivatePostgres:
        options = f"-p {self.port} -k {self.dir} -c listen_addresses={self.host}"
        options += "".join(f" -c {name}={value}" for name, value in self.settings.items())
        _run(
            [postgres_bin("pg_ctl"), "-D", str(self.data), "-o", options, "-l", str(self.logfile)]
            + ["-w", "-t", "60", "start"]
        )
        return self

    def stop(self, mode: str = "fast") -> None:
        _run([postgres_bin("pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop"], check=False)

    def running(self) -> bool:
        return _run([postgres_bin("pg_ctl"), "-D", str(self.data), "status"], timeout=30, check=False).returncode == 0

    def destroy(self) -> None:
        if self.data.exists() and self.running():
            self.stop("immediate")
        shutil.rmtree(self.dir, ignore_errors=True)

    # --- content ---------------------------------------------------------------------------------
    def execute(self, sql: str, db: str = "postgres", params=None):
        import psycopg

        with psycopg.connect(self.url(db), autocommit=True, connect_timeout=5) as conn:
            cursor = conn.execute(sql, params)
            return cursor.fetchall() if cursor.description else None

    def copy_database(self, source_url: str, name: str) -> str:
        """Create `name` here with the schema and rows of the database at `source_url` (pg_dump | psql);
        returns its URL. Much faster than running every migration."""
        self.execute(f'CREATE DATABASE "{name}"')
        dump = subprocess.run(
            [postgres_bin("pg_dump"), "--no-owner", "--no-privileges", source_url],
            check=True,
            capture_output=True,
            timeout=120,
        )
        subprocess.run(
            [postgres_bin("psql"), "-q", "-v", "ON_ERROR_STOP=1", self.url(name)],
            input=dump.stdout,
            check=True,
            capture_output=True,
            timeout=120,
        )
        return self.url(name)

    # --- streaming replication -----------------------------------------------------------------
    def replica(self, *, host: str | None = None) -> PrivatePostgres:
        """A streaming replica of this (running) cluster: pg_basebackup -R into a new temp dir. Start it yourself."""
        replica = PrivatePostgres(host=host or self.host, settings={**self.settings, "hot_standby": "on"})
        _run(
            [postgres_bin("pg_basebackup"), "-h", self.host, "-p", str(self.port), "-U", "postgres"]
            + ["-D", str(replica.data), "-R", "-X", "stream", "--no-sync", "--checkpoint=fast"],
            timeout=120,
        )
        return replica

    def pause_replay(self) -> None:
        self.execute("SELECT pg_wal_replay_pause()")

    def resume_replay(self) -> None:
        self.execute("SELECT pg_wal_replay_resume()")

    def replay_lsn(self) -> str:
        return self.execute("SELECT pg_last_wal_replay_lsn()::text")[0][0]

    def current_lsn(self) -> str:
        return self.execute("SELECT pg_current_wal_lsn()::text")[0][0]

    def wait_replayed(self, primary: PrivatePostgres, timeout: float = 10) -> None:
        """Until this replica has replayed everything the primary has written."""
        target = primary.current_lsn()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", params=[target])[0][0]:
                return
            time.sleep(0.02)
        raise TimeoutError(f"replica on port {self.port} did not replay up to {target}")


def suite_database_url(connection=None) -> str:
    """The URL of the test run's own database (the one pytest-django created), for subprocesses."""
    if connection is None:
        from django.db import connection
    database = connection.settings_dict
    auth = database["USER"] + (f":{database['PASSWORD']}" if database.get("PASSWORD") else "")
    return f"postgres://{auth}@{database['HOST'] or HOST}:{database['PORT'] or 5432}/{database['NAME']}"
