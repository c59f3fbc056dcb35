"""`bin/ensure-services` (behind `make test`) never changes a running server's configuration
(issue 13, item 19): a PostgreSQL that refuses the suite's passwordless login gets a clear message
and a non-zero exit, not a rewritten pg_hba.conf and a reload.

The script runs against stand-ins: every command it may call is a stub on a PATH that holds only
the stubs and a few harmless tools, and every stub records its arguments. Nothing reaches the
machine's real services or their configuration.
"""

import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "bin" / "ensure-services"
TOOLS = ["ls", "sort", "tail", "cat", "mv", "seq", "sleep", "mkdir", "bash", "grep", "chmod"]
HBA_LINE = "host all postgres 127.0.0.1/32 trust"


def write_stub(directory: Path, name: str, body: str = "exit 0") -> None:
    path = directory / name
    path.write_text(f'#!/bin/bash\necho "{name} $*" >> "$STUB_CALLS"\n{body}\n')
    path.chmod(path.stat().st_mode | stat.S_IXUSR)


@pytest.fixture
def sandbox(tmp_path):
    """A PATH of stubs (services up, PostgreSQL refusing postgres without a password) and a fake /etc/postgresql."""
    stubs, tools = tmp_path / "stubs", tmp_path / "tools"
    stubs.mkdir()
    tools.mkdir()
    for tool in TOOLS:
        (tools / tool).symlink_to(shutil.which(tool))
    conf = tmp_path / "etc-postgresql"
    (conf / "15" / "main").mkdir(parents=True)
    hba = conf / "15" / "main" / "pg_hba.conf"
    hba.write_text("host all all 127.0.0.1/32 scram-sha-256\n")
    for name in [
        "redis-cli",
        "redis-server",
        "redis-sentinel",
        "pgbouncer",
        "ip",
        "pg_isready",
        "pg_ctlcluster",
        "rabbitmq-server",
        "sed",
    ]:
        write_stub(stubs, name)
    # Refuses until pg_hba.conf (the fake one) trusts postgres from 127.0.0.1.
    write_stub(
        stubs,
        "psql",
        f'grep -q "^{HBA_LINE}" "{hba}" 2>/dev/null && exit 0\n'
        "echo 'psql: error: FATAL:  password authentication failed for user \"postgres\"' >&2; exit 2",
    )
    write_stub(stubs, "apt-get")
    calls = tmp_path / "calls"
    calls.touch()
    env = {
        "PATH": f"{stubs}:{tools}",
        "STUB_CALLS": str(calls),
        "PG_CONF_ROOT": str(conf),
        "HOME": str(tmp_path),
    }

    def run():
        result = subprocess.run(["/bin/bash", str(SCRIPT)], env=env, capture_output=True, text=True, timeout=120)
        return result, calls.read_text().splitlines()

    return run, stubs, hba


def test_a_running_postgresql_that_refuses_is_reported_not_reconfigured(sandbox):
    run, _, hba = sandbox
    before = hba.read_text()

    result, calls = run()

    assert result.returncode != 0
    assert "refuses user postgres without a password" in result.stderr
    assert "password authentication failed" in result.stderr
    assert "does not change the configuration of a server" in result.stderr
    assert hba.read_text() == before
    assert not [call for call in calls if call.startswith(("pg_ctlcluster", "sed"))], calls
    assert "are up" not in result.stdout


def test_a_reachable_postgresql_is_left_alone(sandbox):
    run, _, hba = sandbox
    hba.write_text(f"{HBA_LINE}\n")

    result, calls = run()

    assert result.returncode == 0, result.stderr
    assert "PostgreSQL, Redis and RabbitMQ are up." in result.stdout
    assert not [call for call in calls if call.startswith(("pg_ctlcluster", "sed", "apt-get install"))], calls


def test_a_postgresql_installed_by_this_run_is_given_the_trust_line(sandbox):
    """A fresh machine: the script installed PostgreSQL itself, so configuring it touches nobody's server."""
    run, stubs, hba = sandbox
    (stubs / "pg_ctlcluster").unlink()  # not installed yet: apt-get brings it
    write_stub(
        stubs,
        "apt-get",
        f'if [[ "$*" == *postgresql* ]]; then printf \'#!/bin/bash\\necho "pg_ctlcluster $*" >> "$STUB_CALLS"\\n\' '
        f'> "{stubs}/pg_ctlcluster"; chmod +x "{stubs}/pg_ctlcluster"; fi',
    )

    result, calls = run()

    assert result.returncode == 0, result.stderr
    assert hba.read_text().splitlines()[0] == HBA_LINE
    assert "pg_ctlcluster --skip-systemctl-redirect 15 main reload" in calls
    assert any(call.startswith("apt-get install") and "postgresql" in call for call in calls)


def test_the_script_never_edits_pg_hba_with_sed():
    """The old script ran `sed -i '1i host all postgres ... trust'` on any server that refused."""
    assert "sed -i" not in SCRIPT.read_text()
    assert os.access(SCRIPT, os.X_OK)
