"""The people of a team dossier: logins on its server, each a member of one of its groups.

Only administrators add people, change their role or take it away; the services check that
first (:func:`app.services.roles.require`), and the server checks it again inside
``dossier_team_grant``. A password is turned into a SCRAM verifier here, on the client, so it
never travels to the server or its logs. The users row (and an audit event) follows every change.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from app import audit
from app.annotation_fields import ROLES
from app.clock import utcnow
from app.errors import BadInput, NotFound, Refused
from app.services import roles
from app.team.identity import TeamIdentity
from db.models import User

if TYPE_CHECKING:
    from app.dossier import Dossier


@dataclass(frozen=True)
class Member:
    """A person of the team dossier: their login and the role the server gives them."""

    name: str
    role: str | None  # None: disabled (no role here any more)
    login_created: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "role": self.role}


def team(dossier: Dossier) -> TeamIdentity:
    """The dossier's team identity; refused for a dossier that is not a team dossier."""
    found: TeamIdentity | None = getattr(dossier, "team", None)
    if found is None:
        raise BadInput("this is not a team dossier: people of a dossier folder are added with "
                       "'dossier users add NAME --role ROLE'; make a PostgreSQL database a team "
                       "dossier with 'dossier team init URL'")
    return found


def login_exists(dossier: Dossier, name: str) -> bool:
    """Whether the server has a login (role) called ``name``."""
    team(dossier)
    with dossier.read() as session:
        return session.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :n"),
                               {"n": name}).first() is not None


def _verifier(session: Session, name: str, password: str) -> str:
    conn: Any = session.connection().connection.driver_connection
    digest = conn.pgconn.encrypt_password(password.encode("utf-8"), name.encode("utf-8"),
                                          b"scram-sha-256")
    return bytes(digest).decode("ascii")


def _grant(dossier: Dossier, name: str, role: str | None, password: str | None,
           doing: str) -> Member:
    name = name.strip()
    if not name:
        raise BadInput("the login name is empty")
    if role is not None and role not in ROLES:
        raise BadInput(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    ident = team(dossier)
    with dossier.write() as session:
        roles.require(dossier, session, "administrator", doing)
        before = ident.server_role(session, name)
        if role is None and before is None:
            raise NotFound(f"{name} has no role in this team dossier")
        if role is not None and before == "administrator" and role != "administrator" or (
                role is None and before == "administrator"):
            _keep_one_administrator(session, ident, name)
        verifier = _verifier(session, name, password) if password else None
        new_login = session.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :n"),
                                    {"n": name}).first() is None
        # the users row first: an administrator who gives up the role may still write it
        _record(session, dossier, name, before, role, new_login)
        created = bool(session.execute(
            text("SELECT dossier_team_grant(:login, :verifier, :role)"),
            {"login": name, "verifier": verifier, "role": role}).scalar())
    dossier.notify_change("user", "created" if before is None else "updated", name)
    return Member(name, role, created)


def _keep_one_administrator(session: Session, ident: TeamIdentity, name: str) -> None:
    others = [n for n in session.scalars(select(User.name).where(User.role == "administrator"))
              if n != name and ident.server_role(session, n) == "administrator"]
    if not others:
        raise Refused(f"{name} is the only administrator; make someone else administrator "
                            "first")


def _record(session: Session, dossier: Dossier, name: str, before: str | None,
            role: str | None, created: bool) -> None:
    user = session.scalar(select(User).where(User.name == name))
    if user is None:
        user = User(name=name, display_name=name, guid=str(uuid.uuid4()), created=utcnow(),
                    role=role or "annotator")
        session.add(user)
        session.flush()
        audit.record(session, dossier.user_name, "user.create", "user", str(user.id),
                     {"name": name, "guid": user.guid, "role": user.role, "via": "team",
                      "login_created": created})
        return
    if role is None:
        audit.record(session, dossier.user_name, "user.disable", "user", str(user.id),
                     {"name": name, "before": before})
        return
    if user.role != role or before != role:
        previous, user.role = user.role, role
        session.flush()
        audit.record(session, dossier.user_name, "user.role", "user", str(user.id),
                     {"name": name, "before": before or previous, "after": role, "via": "team"})


def add(dossier: Dossier, name: str, role: str, password: str | None) -> Member:
    """Give login ``name`` the ``role`` here, creating the login (with ``password``) if new."""
    return _grant(dossier, name, role, password, "add people to a team dossier")


def set_role(dossier: Dossier, name: str, role: str) -> Member:
    """Change the role of ``name`` (a person of this team dossier)."""
    ident = team(dossier)
    with dossier.read() as session:
        if ident.server_role(session, name) is None:
            raise NotFound(f"{name} has no role in this team dossier; add them with "
                           f"'dossier team add {name} --role {role}'")
    return _grant(dossier, name, role, None, "change roles")


def disable(dossier: Dossier, name: str) -> Member:
    """Take every role of this dossier from ``name``: the login can no longer act here
    (it stays on the server, where other team dossiers may use it)."""
    return _grant(dossier, name, None, None, "disable people")


def list_members(dossier: Dossier) -> list[Member]:
    """Everyone with a users row, by name, with the role the server gives them now."""
    ident = team(dossier)
    with dossier.read() as session:
        names = session.scalars(select(User.name).order_by(User.name)).all()
        return [Member(n, ident.server_role(session, n)) for n in names]
