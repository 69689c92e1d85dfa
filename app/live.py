"""Working together live: colleagues' committed changes to a team dossier, as change sets.

:class:`LiveUpdates` listens to a team dossier (PostgreSQL) through :class:`db.notify.Listener`
and turns the audit events it has not seen yet into :class:`~app.changes.ChangeSet`\\ s, the same
typed changes the services announce for this process's own writes, so views apply a colleague's
new annotation exactly as their own. The events themselves say what changed: each carries the
state of every row it touched (:mod:`app.state`), so a tag merge names the annotations it moved.

Changes this process made (its connections carry its origin, :func:`db.notify.mark_origin`) are
announced by the services already and skipped here. After a dropped connection the listener
reconnects and this catches up from the last event it saw, so nothing committed meanwhile is
missed. No Qt here: callbacks run on the listening thread.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import DBAPIError

from app import state as row_states
from app.changes import NO_CHANGES, Action, ChangeSet
from db.notify import EventRow, Listener, Notice, State, events_after, mark_origin

if TYPE_CHECKING:
    import psycopg

    from app.dossier import Dossier

#: Audit actions whose own object is new (created, restored, imported).
_CREATING = ("create", "restore", "import", "add", "copy")


def is_team_dossier(dossier: Dossier) -> bool:
    """True for a dossier kept in PostgreSQL (live updates need its notifications)."""
    return dossier.engine.dialect.name == "postgresql"


def conninfo_of(dossier: Dossier) -> str:
    """A libpq connection URI for the dossier's database, with the login the engine uses."""
    url = dossier.engine.url.set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def changes_from_events(events: Iterable[EventRow]) -> ChangeSet:
    """What a run of audit events changed, as one change set (in order)."""
    changes = NO_CHANGES
    for ev in events:
        for kind, object_id, action in _touched(ev):
            changes = changes | ChangeSet.of(kind, action, [object_id])
    return changes


def _touched(ev: EventRow) -> list[tuple[str, str, Action]]:
    verb = ev.action.rpartition(".")[2]
    if ev.state:  # every row the event changed, with its state after it
        out: list[tuple[str, str, Action]] = []
        for key, digest in row_states.parse_state(ev.state):
            kind, _, object_id = key.partition(":")
            action: Action = ("deleted" if digest == row_states.DELETED
                              else "created" if object_id == ev.object_id and kind ==
                              ev.object_type and verb in _CREATING else "updated")
            out.append((kind, object_id, action))
        return out
    if ev.object_type == "dossier":
        return []
    action = "deleted" if verb in ("delete", "remove") else (
        "created" if verb in _CREATING else "updated")
    return [(ev.object_type, ev.object_id, action)]


def _newest_seq(dossier: Dossier) -> int:
    from sqlalchemy import func, select

    from db.models import AuditEvent

    with dossier.read() as session:
        return int(session.scalar(select(func.coalesce(func.max(AuditEvent.seq), 0))) or 0)


def is_disconnect(exc: BaseException) -> bool:
    """True when ``exc`` (or what caused it) is a lost connection to the server, or one that
    cannot be made now (not an error in what was asked, such as a refusal or a lock wait)."""
    import psycopg

    from app.errors import ServerUnavailable
    from app.server_faults import is_connection_error

    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ServerUnavailable):
            return True
        if isinstance(seen, DBAPIError) and is_connection_error(seen):
            return True
        # libpq's own failures (connecting, a socket gone) are plain OperationalErrors; the
        # server's refusals of a statement are subclasses named by their SQLSTATE
        if type(seen) is psycopg.OperationalError:
            return True
        seen = seen.__cause__ or seen.__context__
    return False


class LiveUpdates:
    """Colleagues' committed changes to a team dossier, delivered as change sets.

    ``on_changes(changes)`` and ``on_state(state, detail)`` are called on the listening thread;
    a GUI passes them on to its own thread (``ui.live``).
    """

    def __init__(self, dossier: Dossier, on_changes: Callable[[ChangeSet], None],
                 on_state: Callable[[State, str], None]) -> None:
        self.dossier = dossier
        self.origin = uuid.uuid4().hex
        self.on_changes = on_changes
        self._last_seq = _newest_seq(dossier)  # what is on screen now is read after this
        self._own: list[tuple[int, int]] = []  # sequence ranges this process appended
        mark_origin(dossier.engine, self.origin)
        self.listener = Listener(conninfo_of(dossier), self._wake, on_state)

    @property
    def state(self) -> State:
        """The listening connection's state."""
        return self.listener.state

    def start(self) -> None:
        """Start listening (from the newest event now: what is on screen is current)."""
        self.listener.start()

    def stop(self) -> None:
        """Stop listening."""
        self.listener.stop()

    def _wake(self, conn: psycopg.Connection[Any], notices: Sequence[Notice]) -> None:
        self._own += [(n.first, n.last) for n in notices if n.origin == self.origin]
        if notices and max(n.last for n in notices) <= self._last_seq:
            return
        while True:
            events = events_after(conn, self._last_seq)
            if not events:
                break
            theirs = [ev for ev in events if not self._is_own(ev.seq)]
            self._last_seq = events[-1].seq
            self._own = [(a, b) for a, b in self._own if b > self._last_seq]
            changes = changes_from_events(theirs)
            if changes:
                self.on_changes(changes)

    def _is_own(self, seq: int) -> bool:
        return any(a <= seq <= b for a, b in self._own)
