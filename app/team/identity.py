"""Who is acting in a team dossier: the login the server authenticated, never a chosen name.

:func:`attach` is the hook :meth:`app.dossier.Dossier.open` calls for a PostgreSQL database: in a
team dossier (``team init`` recorded its group-role prefix in ``dossier_meta``) it makes the login
the acting user; the command line refuses a different self-declared one. The users row of a
login mirrors the role the server gives it (:meth:`TeamIdentity.user_id`), so the services' checks
and the server's agree. :func:`refusal` turns the server's refusals into the application's errors.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from app import audit
from app.clock import utcnow
from app.errors import BadInput, DossierError, Refused
from app.team.naming import GroupRoles
from db.models import User

if TYPE_CHECKING:
    from app.dossier import Dossier

#: ``dossier_meta`` key holding the group-role prefix; present only in a team dossier.
TEAM_KEY = "team_roles"
#: PostgreSQL's SQLSTATEs for a refused privilege / a bad value given to our functions.
_REFUSED = ("42501",)
_BAD_VALUE = ("22023",)


@dataclass(frozen=True)
class TeamIdentity:
    """The team dossier's group roles and the login acting in it."""

    login: str
    groups: GroupRoles

    def server_role(self, session: Session, login: str | None = None) -> str | None:
        """The role the server gives ``login`` (default: the acting one); None if it has none."""
        value = session.execute(text("SELECT dossier_role_of(:login)"),
                                {"login": login or self.login}).scalar()
        return str(value) if value is not None else None

    def user_id(self, dossier: Dossier, session: Session) -> int:
        """The acting login's users row, created or brought in line with its server role."""
        role = self.server_role(session)
        if role is None:
            raise Refused(f"the login {self.login} has no role in this team dossier; an "
                          f"administrator gives it one with 'dossier team add {self.login} "
                          "--role ROLE'")
        user = session.scalar(select(User).where(User.name == self.login))
        if user is None:
            user = User(name=self.login, display_name=self.login, guid=str(uuid.uuid4()),
                        created=utcnow(), role=role)
            session.add(user)
            session.flush()
            audit.record(session, self.login, "user.create", "user", str(user.id),
                         {"name": user.name, "guid": user.guid, "role": role, "via": "login"})
        elif user.role != role:
            before, user.role = user.role, role
            session.flush()
            audit.record(session, self.login, "user.role", "user", str(user.id),
                         {"name": user.name, "before": before, "after": role,
                          "via": "server role"})
        return user.id


def team_of(engine: Engine) -> TeamIdentity | None:
    """The team identity of a PostgreSQL dossier, or None when it is not a team dossier."""
    if engine.dialect.name != "postgresql":
        return None
    with engine.connect() as conn:
        if conn.execute(text("SELECT to_regclass('dossier_meta')")).scalar() is None:
            return None
        prefix = conn.execute(text("SELECT value FROM dossier_meta WHERE key = :k"),
                              {"k": TEAM_KEY}).scalar()
        if prefix is None:
            return None
        login = conn.execute(text("SELECT session_user")).scalar()
    return TeamIdentity(str(login), GroupRoles(str(prefix)))


def attach(dossier: Dossier) -> None:
    """Make a team dossier act as its login (other dossiers are untouched).

    A name the caller asked to act as is not used in a team dossier: the desktop application
    passes the name of the window it came from, and nobody can act as another login there.
    The command line refuses an explicit ``--user`` instead (:func:`refuse_declared_user`).
    """
    team = team_of(dossier.engine)
    if team is None:
        return
    dossier.team = team
    dossier.user_name = team.login


def refuse_declared_user(dossier: Dossier, requested_user: str | None) -> None:
    """Refuse (closing the dossier) a self-declared user other than a team dossier's login."""
    team = dossier.team
    if team is None or requested_user is None or requested_user == team.login:
        return
    dossier.close()
    raise BadInput(
        f"this is a team dossier: you act as the login you connected with ({team.login}), "
        f"not as {requested_user!r}; connect as {requested_user}'s login instead "
        "(--user names the acting user only in a dossier folder)")


def refusal(exc: BaseException) -> DossierError | None:
    """The application error for a refusal by the team dossier's server, else None."""
    orig: Any = getattr(exc, "orig", exc)
    state = getattr(orig, "sqlstate", None)
    if state not in _REFUSED + _BAD_VALUE:
        return None
    diag = getattr(orig, "diag", None)
    message = str(getattr(diag, "message_primary", None) or orig).splitlines()[0]
    message = message.removeprefix("dossier: ")
    if state in _BAD_VALUE:
        return BadInput(message)
    if "row-level security" in message or "permission denied" in message:
        table = message.rsplit(" ", 1)[-1].strip('"')
        why = _WHY.get(table, "")
        message = f"the team dossier's server refused the change ({message})" + \
            (f": {why}" if why else "")
    return Refused(message)


#: What a refusal on each guarded table means, for the message.
_WHY = {
    "users": "only an administrator records other people (such as the authors of an imported "
             "set)",
    "annotations": "you write annotations as yourself; only an administrator writes other "
                   "people's (such as those of an imported set)",
    "reviews": "a reviewer records decisions as themselves, on someone else's submitted "
               "annotation; only an administrator imports other people's decisions",
    "audit_events": "the audit log only grows, with events by the login that writes them",
}
