"""Users and their roles in a dossier: annotator, reviewer, administrator.

Roles are ranked: a reviewer may do everything an annotator may, an administrator everything a
reviewer may, and only administrators grant roles. The first user of a new dossier is its
administrator; anyone else who acts for the first time is recorded as an annotator
(:meth:`app.dossier.Dossier.user_id`). Every check happens here, in the core, so the GUI, the
command line and imports obey the same rules; a refused action raises
:class:`~app.errors.Refused` before anything is written.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app import audit
from app.annotation_fields import ROLES
from app.clock import utcnow
from app.errors import BadInput, NotFound, Refused
from db.models import Annotation, User

if TYPE_CHECKING:
    from app.dossier import Dossier

_RANK = {role: n for n, role in enumerate(ROLES)}


@dataclass(frozen=True)
class UserView:
    """A user of the dossier and their role."""

    name: str
    display_name: str
    role: str
    created: str

    def to_json(self) -> dict[str, Any]:
        """The JSON shape of ``dossier users --json``."""
        return {"name": self.name, "display_name": self.display_name, "role": self.role,
                "created": self.created}


def _check_role(role: str) -> None:
    if role not in _RANK:
        raise BadInput(f"role must be one of {', '.join(ROLES)}, not {role!r}")


def at_least(role: str, needed: str) -> bool:
    """Whether ``role`` ranks at or above ``needed``."""
    return _RANK.get(role, -1) >= _RANK[needed]


def acting_user(dossier: Dossier, session: Session) -> User:
    """The acting user's row (created on first use as :meth:`Dossier.user_id` does)."""
    user = session.get(User, dossier.user_id(session))
    assert user is not None
    return user


def require(dossier: Dossier, session: Session, needed: str, doing: str) -> User:
    """The acting user, if their role is at least ``needed``; else :class:`Refused`."""
    user = acting_user(dossier, session)
    if not at_least(user.role, needed):
        raise Refused(f"{user.name} is {_article(user.role)} {user.role}; only "
                      f"{_who(needed)} may {doing}")
    return user


def require_author(dossier: Dossier, session: Session, ann: Annotation, doing: str) -> User:
    """The acting user, if they may ``doing`` annotation ``ann``; else :class:`Refused`.

    In a team dossier only its author or an administrator changes or deletes an annotation (the
    server refuses it too: :mod:`app.team.policy`); in a dossier folder anyone may, as before.
    """
    user = acting_user(dossier, session)
    if getattr(dossier, "team", None) is None or ann.author_id == user.id \
            or user.role == "administrator":
        return user
    author = session.scalar(select(User.name).where(User.id == ann.author_id)) or "?"
    raise Refused(f"annotation {ann.id[:8]} is {author}'s; only its author or an administrator "
                  f"may {doing} it")


def _refuse_in_team(dossier: Dossier) -> None:
    if getattr(dossier, "team", None) is not None:
        raise Refused("in a team dossier people are logins on its server: add them with "
                      "'dossier team add NAME --role ROLE' and change roles with "
                      "'dossier team set NAME --role ROLE'")


def _article(role: str) -> str:
    return "an" if role[0] in "aeiou" else "a"


def _who(needed: str) -> str:
    above = ROLES[_RANK[needed]:]
    names = [f"{r}s" for r in above]
    return " or ".join(names)


def list_users(dossier: Dossier) -> list[UserView]:
    """Every user, by name."""
    with dossier.read() as session:
        rows = session.scalars(select(User).order_by(User.name)).all()
        return [UserView(u.name, u.display_name, u.role, u.created) for u in rows]


def role_of(dossier: Dossier, name: str) -> str | None:
    """The role of user ``name``; None if there is no such user."""
    with dossier.read() as session:
        return session.scalar(select(User.role).where(User.name == name))


def add_user(dossier: Dossier, name: str, role: str) -> UserView:
    """Add user ``name`` with ``role`` (administrators only)."""
    name = name.strip()
    if not name:
        raise BadInput("the user name is empty")
    _check_role(role)
    _refuse_in_team(dossier)
    with dossier.write() as session:
        require(dossier, session, "administrator", "add users")
        if session.scalar(select(User.id).where(User.name == name)) is not None:
            raise BadInput(f"user {name} already exists; change their role with "
                           f"'dossier users set {name} --role ROLE'")
        user = User(name=name, display_name=name, guid=str(uuid.uuid4()), created=utcnow(),
                    role=role)
        session.add(user)
        session.flush()
        audit.record(session, dossier.user_name, "user.create", "user", str(user.id),
                     {"name": name, "guid": user.guid, "role": role})
        view = UserView(user.name, user.display_name, user.role, user.created)
    dossier.notify_change("user", "created", name)
    return view


def set_role(dossier: Dossier, name: str, role: str) -> UserView:
    """Give user ``name`` the role ``role`` (administrators only; one administrator remains)."""
    _check_role(role)
    _refuse_in_team(dossier)
    with dossier.write() as session:
        require(dossier, session, "administrator", "grant roles")
        user = session.scalar(select(User).where(User.name == name))
        if user is None:
            raise NotFound(f"no user {name}; add them with 'dossier users add {name} --role ROLE'")
        if user.role == role:
            return UserView(user.name, user.display_name, user.role, user.created)
        if user.role == "administrator":
            admins = session.scalar(
                select(func.count()).select_from(User).where(User.role == "administrator"))
            if admins == 1:
                raise Refused(f"{name} is the only administrator; make someone else "
                              "administrator first")
        before = user.role
        user.role = role
        audit.record(session, dossier.user_name, "user.role", "user", str(user.id),
                     {"name": name, "before": before, "after": role})
        view = UserView(user.name, user.display_name, user.role, user.created)
    dossier.notify_change("user", "updated", name)
    return view
