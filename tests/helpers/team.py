"""A team dossier on the test server, set up the way the README tells people to.

The server's superuser makes a login that may create roles and owns the database; that login runs
``dossier team init`` and so becomes the first administrator; it adds the others with
``dossier team add``. Roles belong to the whole server, so every login name here ends with a
suffix unique to the test database, and :meth:`Team.drop` removes the database and every role.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from app.cli.main import main
from app.dossier import Dossier
from app.team import members
from app.team.naming import GroupRoles, role_prefix
from tests.helpers.pg import PgServer


@dataclass
class Team:
    """A team dossier: its database, its logins and their passwords."""

    server: PgServer
    database: str
    admin: str
    passwords: dict[str, str] = field(default_factory=dict)

    @property
    def suffix(self) -> str:
        return self.database[-6:]

    @property
    def groups(self) -> GroupRoles:
        return GroupRoles(role_prefix(self.database))

    def name(self, base: str) -> str:
        """A login name unique to this test's database."""
        return f"{base}_{self.suffix}"

    def url(self, login: str | None = None) -> str:
        """The dossier's URL as ``login`` (default: the first administrator)."""
        who = login or self.admin
        return self.server.url(self.database, user=who, password=self.passwords[who])

    @contextmanager
    def open(self, login: str | None = None) -> Iterator[Dossier]:
        """The team dossier opened as ``login``."""
        dossier = Dossier.open(self.url(login))
        try:
            yield dossier
        finally:
            dossier.close()

    def add(self, base: str, role: str) -> str:
        """Add login ``base_<suffix>`` with ``role`` (as the administrator); return its name."""
        name = self.name(base)
        password = secrets.token_hex(8)
        with self.open() as dossier:
            members.add(dossier, name, role, password)
        self.passwords[name] = password
        return name

    def psql(self, sql: str, login: str | None = None) -> tuple[int, str]:
        """Run ``sql`` with psql as ``login`` (the superuser when None): (exit status, output)."""
        done = self.server.psql(self.database, sql, user=login,
                                password=self.passwords.get(login or "", None))
        return done.returncode, done.stdout + done.stderr

    def drop(self) -> None:
        """Drop the database, then every login and group role made for it."""
        self.server.drop_database(self.database)
        with self.server.connect() as conn:
            names = [*self.passwords, *reversed(self.groups.all())]
            for name in names:
                conn.execute(f'DROP ROLE IF EXISTS "{name}"')


def make_team(server: PgServer, database: str) -> Team:
    """Run ``dossier team init`` as a fresh login that may create roles and owns ``database``."""
    team = Team(server, database, "")
    team.admin = team.name("chief")
    password = secrets.token_hex(8)
    team.passwords[team.admin] = password
    with server.connect() as conn:
        conn.execute(f"CREATE ROLE \"{team.admin}\" LOGIN CREATEROLE PASSWORD '{password}'")
        conn.execute(f'ALTER DATABASE "{database}" OWNER TO "{team.admin}"')
    assert main(["team", "init", team.url()]) == 0
    return team
