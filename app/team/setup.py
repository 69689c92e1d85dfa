"""``dossier team init URL``: make a PostgreSQL database a team dossier.

Runs the migrations (the schema), creates the dossier's group roles, applies the privileges,
row-level security policies and triggers of :mod:`app.team.policy`, and makes the login that ran
it the first administrator. Running it again (as an administrator) re-applies everything, e.g.
after a newer Dossier added tables. The login needs the right to create roles (``CREATEROLE`` or
a superuser); it owns the schema, so it is best a dedicated login of whoever runs the server.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine

from app import audit
from app.errors import BadInput, Refused
from app.team import identity, policy
from app.team.naming import GroupRoles, role_prefix


@dataclass(frozen=True)
class InitResult:
    """What ``team init`` did."""

    database: str
    login: str
    groups: GroupRoles
    again: bool  # the database was a team dossier already


def _check_login(cur: Any) -> tuple[str, str, str, bool]:
    cur.execute("SELECT session_user, current_database(), current_schema(), r.rolsuper, "
                "r.rolcreaterole FROM pg_roles r WHERE r.rolname = current_user")
    login, database, schema, superuser, createrole = cur.fetchone()
    if not (superuser or createrole):
        raise BadInput(
            f"the login {login} may not create roles, which team init needs; run it as a login "
            f"with CREATEROLE (e.g. as the server's superuser: ALTER ROLE {login} CREATEROLE) "
            "or as a superuser")
    if schema is None:
        raise BadInput(f"database {database} has no schema {login} may use; grant it CREATE "
                       "on the public schema or make it the database's owner")
    return str(login), str(database), str(schema), bool(superuser)


def apply(raw_connection: Any, *, schema: str, database: str, groups: GroupRoles,
          login: str) -> None:
    """Run every statement of :func:`app.team.policy.statements` and make ``login`` an
    administrator, inside the caller's transaction (``raw_connection`` is a psycopg one)."""
    with raw_connection.cursor() as cur:
        for statement in policy.statements(schema, database, groups):
            cur.execute(statement)
        cur.execute(f'GRANT "{groups.administrator}" TO "{login.replace(chr(34), chr(34) * 2)}"')
        cur.execute("INSERT INTO dossier_meta (key, value) VALUES (%s, %s) "
                    "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    (identity.TEAM_KEY, groups.prefix))


def prepare(engine: Engine) -> InitResult:
    """Everything of ``team init`` on a migrated database up to (not including) the first
    administrator's users row, in one transaction."""
    if engine.dialect.name != "postgresql":
        raise BadInput("team init needs a PostgreSQL database: give a "
                       "postgresql://USER@HOST:PORT/DATABASE URL")
    raw = engine.raw_connection()
    try:
        conn: Any = raw.driver_connection
        with conn.cursor() as cur:
            login, database, schema, _superuser = _check_login(cur)
            cur.execute("SELECT value FROM dossier_meta WHERE key = %s", (identity.TEAM_KEY,))
            row = cur.fetchone()
            again = row is not None
            groups = GroupRoles(row[0] if row else role_prefix(database))
            if again:
                cur.execute("SELECT dossier_role_of(%s)", (login,))
                if cur.fetchone()[0] != "administrator":
                    raise Refused(f"{database} is a team dossier already; only an administrator "
                                  "may run team init on it again")
        try:
            apply(conn, schema=schema, database=database, groups=groups, login=login)
            conn.commit()
        except Exception as exc:
            conn.rollback()
            problem = identity.refusal(exc)
            if problem is not None:
                raise problem from exc
            raise
    finally:
        raw.close()
    return InitResult(database, login, groups, again)


def init(url: str) -> InitResult:
    """``dossier team init URL``: migrate, set up the team rules, record the first administrator.

    The schema and the rules are applied before the first event is written, so the dossier's
    whole audit chain is written under them.
    """
    from app.dossier import Dossier
    from app.location import ServerAddress
    from db.engine import is_server_url, make_engine
    from db.migrate import upgrade

    if not is_server_url(url):
        raise BadInput(f"team init needs a PostgreSQL database, not {url!r}: give a "
                       "postgresql://USER@HOST:PORT/DATABASE URL")
    address = ServerAddress.parse(url)
    engine = make_engine(url)
    try:
        try:
            raw = engine.raw_connection()
        except Exception as exc:  # unreachable, wrong password, no such database
            from app import server_faults

            fault = server_faults.translate(exc, address, 0)
            if fault is None:
                raise
            raise fault from None
        try:
            with raw.driver_connection.cursor() as cur:  # type: ignore[union-attr]
                _check_login(cur)  # before the schema is written
        finally:
            raw.close()
        upgrade(engine)
        result = prepare(engine)
    finally:
        engine.dispose()
    dossier = Dossier.open(url)
    try:
        assert dossier.team is not None
        with dossier.write() as session:
            dossier.user_id(session)
            audit.record(session, dossier.user_name, "team.init", "dossier", result.database,
                         {"groups": list(result.groups.all()), "again": result.again})
    finally:
        dossier.close()
    return result
