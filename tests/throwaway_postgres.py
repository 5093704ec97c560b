"""A throwaway PostgreSQL for the test suite, from the pip-installed `pgserver` wheel.

Used only when nothing answers at GRANTBOOK_TEST_POSTGRES: the suite then runs
its PostgreSQL half against a server of its own instead of skipping it
(docs/adr/0008). The server listens on 127.0.0.1 on a free port, trusts local
connections, lives in a temporary folder and is stopped and removed when the
test process ends. PostgreSQL refuses to run as root, so under root the server
runs as an unprivileged system user created for it.
"""

from __future__ import annotations

import atexit
import importlib.util
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

SERVICE_USER = "grantbook-pg"


def answers(host: str, port: int, timeout: float = 1.0) -> bool:
    """True when something accepts TCP connections at host:port."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def _binaries() -> Path:
    spec = importlib.util.find_spec("pgserver")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(
            "no PostgreSQL answers and the `pgserver` package is missing: "
            "install the test extra (pip install '.[test,postgres]')"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _service_user() -> str | None:
    """None when we may run PostgreSQL ourselves; else the user to run it as."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam(SERVICE_USER)
    except KeyError:
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", SERVICE_USER],
            check=True, capture_output=True,
        )
    return SERVICE_USER


def start() -> str:
    """Start a throwaway server and return its URL (database `test`, user `postgres`)."""
    bin_dir = _binaries()
    user = _service_user()
    home = Path(tempfile.mkdtemp(prefix="grantbook-pg-"))
    data = home / "data"
    if user is not None:
        entry = pwd.getpwnam(user)
        os.chown(home, entry.pw_uid, entry.pw_gid)
    port = _free_port()

    def run(*args: str) -> None:
        subprocess.run(list(args), check=True, capture_output=True, user=user, cwd=home)

    run(str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
    run(
        str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(home / "log"), "-w", "-t", "60",
        "-o", f"-h 127.0.0.1 -p {port} -k {home} -c fsync=off -c max_connections=200",
        "start",
    )

    def stop() -> None:
        subprocess.run(
            [str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
            capture_output=True, user=user, cwd=home,
        )
        shutil.rmtree(home, ignore_errors=True)

    atexit.register(stop)
    run(str(bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "test")
    return f"postgresql://postgres@127.0.0.1:{port}/test"
