"""A real PostgreSQL server for the team dossier tests and benchmarks.

``DOSSIER_TEST_PG`` may name a server to use (``postgresql://SUPERUSER:PASSWORD@HOST:PORT/postgres``;
the role must be allowed to create databases and roles). Otherwise :func:`start_throwaway` starts a
throwaway cluster from the PostgreSQL server programs that ``make`` installs (``.ci/pg-deps.sh``):
``initdb`` into a temporary folder, ``postgres`` on a free port of 127.0.0.1 with password
(SCRAM) authentication, removed again by :meth:`PgServer.stop`. As root the cluster runs as the
``postgres`` system user, because PostgreSQL refuses to run as root.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

ENV_VAR = "DOSSIER_TEST_PG"
SUPERUSER = "dossier_test_admin"


class PgUnavailable(RuntimeError):
    """No PostgreSQL server can be had: what is missing and how to get it."""


def find_server_bin() -> Path | None:
    """The folder holding initdb, pg_ctl and postgres (the newest Debian version), if any."""
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
    )
    for folder in reversed(candidates):
        if all((folder / name).is_file() for name in ("initdb", "pg_ctl", "postgres")):
            return folder
    initdb = shutil.which("initdb")
    if initdb and shutil.which("pg_ctl"):
        return Path(initdb).parent
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class PgServer:
    """A PostgreSQL server the tests may create databases and roles on."""

    host: str
    port: int
    user: str
    password: str
    #: Set for a throwaway cluster this process started (and will remove).
    data_root: Path | None = None
    bin_dir: Path | None = None
    run_as: str | None = None
    _databases: list[str] = field(default_factory=list)

    # -- addresses -------------------------------------------------------------------------
    def url(self, database: str = "postgres", *, user: str | None = None,
            password: str | None = None) -> str:
        """``postgresql://user:password@host:port/database`` (the superuser's by default)."""
        name = user or self.user
        secret = self.password if user is None else password
        auth = quote(name, safe="")
        if secret:
            auth += ":" + quote(secret, safe="")
        return f"postgresql://{auth}@{self.host}:{self.port}/{database}"

    def connect(self, database: str = "postgres") -> Any:
        """A psycopg connection as the superuser, in autocommit mode."""
        import psycopg

        return psycopg.connect(
            host=self.host, port=self.port, user=self.user, password=self.password,
            dbname=database, autocommit=True,
        )

    # -- databases ---------------------------------------------------------------------------
    def create_database(self, name: str | None = None, *, template: str | None = None) -> str:
        """Create an empty database (or a copy of ``template``) and return its name."""
        from psycopg import sql

        name = name or f"t_{uuid.uuid4().hex[:16]}"
        query = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template:
            query = sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(name), sql.Identifier(template))
        with self.connect() as conn:
            conn.execute(query)
        self._databases.append(name)
        return name

    def drop_database(self, name: str) -> None:
        """Drop a database, closing whatever sessions still use it."""
        from psycopg import sql

        with self.connect() as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(name)))
        if name in self._databases:
            self._databases.remove(name)

    def psql(self, database: str, command: str, *, user: str | None = None,
             password: str | None = None) -> subprocess.CompletedProcess[str]:
        """Run one ``psql -c`` command as ``user`` (the superuser by default); never raises."""
        psql = shutil.which("psql") or (str(self.bin_dir / "psql") if self.bin_dir else "psql")
        env = dict(os.environ)
        env["PGPASSWORD"] = self.password if user is None else (password or "")
        return subprocess.run(
            [psql, "-X", "-v", "ON_ERROR_STOP=1", "-h", self.host, "-p", str(self.port),
             "-U", user or self.user, "-d", database, "-c", command],
            env=env, capture_output=True, text=True, timeout=60, check=False,
        )

    # -- life --------------------------------------------------------------------------------
    def stop(self) -> None:
        """Drop the databases made here; stop and remove a throwaway cluster."""
        if self.data_root is None:
            for name in list(self._databases):
                with contextlib.suppress(Exception):  # the server went away: nothing to clean
                    self.drop_database(name)
            return
        assert self.bin_dir is not None
        subprocess.run(
            [str(self.bin_dir / "pg_ctl"), "stop", "-D", str(self.data_root / "data"),
             "-m", "immediate", "-w"],
            user=self.run_as, capture_output=True, check=False, timeout=60,
        )
        shutil.rmtree(self.data_root, ignore_errors=True)
        self.data_root = None


def server_from_env() -> PgServer | None:
    """The server ``DOSSIER_TEST_PG`` names, or None when it is not set."""
    value = os.environ.get(ENV_VAR, "").strip()
    if not value:
        return None
    parts = urlsplit(value.replace("postgresql+psycopg://", "postgresql://", 1))
    if parts.scheme not in ("postgresql", "postgres") or not parts.hostname:
        raise PgUnavailable(
            f"{ENV_VAR}={value!r} is not a postgresql://USER:PASSWORD@HOST:PORT/DB URL")
    return PgServer(host=parts.hostname, port=parts.port or 5432,
                    user=parts.username or "postgres", password=parts.password or "")


def start_throwaway(*, durable: bool = False) -> PgServer:
    """Start a new cluster on 127.0.0.1 from the installed server programs.

    ``durable=False`` (tests) turns off fsync: a killed *process* still loses nothing committed
    (the data is in the operating system's cache), only a power loss could. Benchmarks that
    measure commit latency pass ``durable=True``.
    """
    bin_dir = find_server_bin()
    if bin_dir is None:
        raise PgUnavailable(
            "PostgreSQL's server programs (initdb, pg_ctl, postgres) are not installed: run "
            "'make setup' (it installs Debian's postgresql package) or set "
            f"{ENV_VAR}=postgresql://SUPERUSER:PASSWORD@HOST:PORT/postgres")
    run_as: str | None = None
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError as exc:
            raise PgUnavailable("running as root, and there is no 'postgres' system user to run "
                                "the test cluster as (PostgreSQL refuses to run as root)") from exc
        run_as = "postgres"
    root = Path(tempfile.mkdtemp(prefix="dossier-pg-"))
    password = secrets.token_hex(16)
    (root / "pw").write_text(password + "\n", encoding="utf-8")
    (root / "sock").mkdir()
    if run_as:
        shutil.chown(root, user=run_as)
        for item in root.iterdir():
            shutil.chown(item, user=run_as)
    port = _free_port()
    init = subprocess.run(
        [str(bin_dir / "initdb"), "-D", str(root / "data"), "-U", SUPERUSER,
         "--pwfile", str(root / "pw"), "--auth-local=trust", "--auth-host=scram-sha-256",
         "-E", "UTF8", "--locale=C.UTF-8", "--no-instructions"],
        user=run_as, capture_output=True, text=True, check=False, timeout=120,
    )
    if init.returncode != 0:
        shutil.rmtree(root, ignore_errors=True)
        raise PgUnavailable(f"initdb failed: {init.stderr.strip() or init.stdout.strip()}")
    options = [f"-p {port}", "-h 127.0.0.1", f"-k {root / 'sock'}", "-c max_connections=200"]
    if not durable:
        options += ["-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off"]
    start = subprocess.run(
        [str(bin_dir / "pg_ctl"), "start", "-D", str(root / "data"), "-w", "-t", "60",
         "-l", str(root / "server.log"), "-o", " ".join(options)],
        user=run_as, capture_output=True, text=True, check=False, timeout=120,
    )
    if start.returncode != 0:
        log = (root / "server.log").read_text(encoding="utf-8", errors="replace")[-2000:]
        shutil.rmtree(root, ignore_errors=True)
        raise PgUnavailable(f"the test PostgreSQL server did not start: {log.strip()}")
    return PgServer(host="127.0.0.1", port=port, user=SUPERUSER, password=password,
                    data_root=root, bin_dir=bin_dir, run_as=run_as)


def get_server() -> PgServer:
    """``DOSSIER_TEST_PG``'s server if set, else a throwaway cluster (raises PgUnavailable)."""
    return server_from_env() or start_throwaway()


def with_driver(url: str) -> str:
    """``url`` for SQLAlchemy with psycopg 3 (``postgresql+psycopg://``)."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(scheme="postgresql+psycopg"))
