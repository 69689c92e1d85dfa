"""Listening for a team dossier's committed changes (PostgreSQL ``LISTEN``/``NOTIFY``), no Qt.

Migration 0011 makes every statement that appends audit events send a notification on
:data:`CHANNEL` when its transaction commits: ``{"first": seq, "last": seq, "origin": ...}``.
A :class:`Listener` keeps its own connection (not one of the engine's pool) on its own thread,
``LISTEN``\\ s, and hands each wake-up to a callback together with that connection, so the
callback can read what changed (:func:`events_after`). When the connection drops it says so
(``on_state``), waits a little longer each time, reconnects, and wakes the callback once with no
notices so that it catches up on what it missed.

:func:`mark_origin` tags the engine's own connections, so a window can tell its own changes
(announced already by the services) from colleagues'.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import psycopg
from psycopg import sql
from sqlalchemy import Engine, event

#: The notification channel of migration 0011's trigger.
CHANNEL = "dossier_changes"
#: The per-connection setting the trigger reports as the writer's origin.
ORIGIN_SETTING = "dossier.origin"
#: How often the listening thread looks up from waiting (to notice a stop request), seconds.
POLL_SECONDS = 0.25
#: Waits between reconnection attempts: the first, and the longest it grows to (seconds).
RETRY_FIRST = 0.25
RETRY_MAX = 5.0
#: Events read per query while catching up.
BATCH = 2000

State = Literal["connecting", "connected", "disconnected", "stopped"]


@dataclass(frozen=True)
class Notice:
    """One notification: the audit sequence numbers a committed statement appended."""

    first: int
    last: int
    origin: str | None


@dataclass(frozen=True)
class EventRow:
    """What a listener needs of one audit event."""

    seq: int
    action: str
    object_type: str
    object_id: str
    state: str | None


def parse_notice(payload: str) -> Notice | None:
    """The notice in a notification's payload (None for a payload this version cannot read)."""
    try:
        data = json.loads(payload)
        return Notice(int(data["first"]), int(data["last"]), data.get("origin") or None)
    except (ValueError, KeyError, TypeError):
        return None


def mark_origin(engine: Engine, origin: str) -> None:
    """Tag each connection ``engine`` hands out with ``origin`` (the trigger reports it)."""
    @event.listens_for(engine, "checkout")
    def _tag(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        if record.info.get(ORIGIN_SETTING) == origin:
            return
        cur = dbapi_conn.cursor()
        cur.execute("SELECT set_config(%s, %s, false)", (ORIGIN_SETTING, origin))
        cur.close()
        dbapi_conn.commit()  # a session setting made in a rolled-back transaction is undone
        record.info[ORIGIN_SETTING] = origin


def events_after(conn: psycopg.Connection[Any], seq: int, limit: int = BATCH) -> list[EventRow]:
    """Audit events with a sequence number above ``seq``, oldest first, at most ``limit``."""
    rows = conn.execute(
        "SELECT seq, action, object_type, object_id, state FROM audit_events "
        "WHERE seq > %s ORDER BY seq LIMIT %s", (seq, limit)).fetchall()
    return [EventRow(int(r[0]), str(r[1]), str(r[2]), str(r[3]), r[4]) for r in rows]


def head_seq(conn: psycopg.Connection[Any]) -> int:
    """The newest audit sequence number (0 for an empty chain)."""
    row = conn.execute("SELECT coalesce(max(seq), 0) FROM audit_events").fetchone()
    return int(row[0]) if row else 0


Wake = Callable[[psycopg.Connection[Any], Sequence[Notice]], None]
StateCallback = Callable[[State, str], None]


class Listener:
    """LISTENs on a channel on its own connection and thread; reconnects when it drops.

    ``on_wake(conn, notices)`` runs on the listening thread for each batch of notifications,
    and once with no notices after every (re)connection; ``on_state(state, detail)`` whenever
    the connection's state changes (``detail``: why it dropped, in one line). An exception in
    ``on_wake`` counts as a dropped connection (the connection is closed and made again).
    """

    def __init__(self, conninfo: str, on_wake: Wake, on_state: StateCallback, *,
                 channel: str = CHANNEL) -> None:
        self.conninfo = conninfo
        self.channel = channel
        self.on_wake = on_wake
        self.on_state = on_state
        self.state: State = "stopped"
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start listening (returns at once; the state says when it is connected)."""
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="dossier-listener", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop listening and close the connection."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _set_state(self, state: State, detail: str = "") -> None:
        if state != self.state or detail:
            self.state = state
            self.on_state(state, detail)

    def _run(self) -> None:
        delay = RETRY_FIRST
        while not self._stop.is_set():
            self._set_state("connecting")
            try:
                self._listen()
                delay = RETRY_FIRST
            except Exception as exc:  # any failure: say so, wait, connect again
                if self._stop.is_set():
                    break
                self._set_state("disconnected", _one_line(exc))
                if self._stop.wait(delay):
                    break
                delay = min(delay * 2, RETRY_MAX)
        self._set_state("stopped")

    def _listen(self) -> None:
        with psycopg.connect(self.conninfo, autocommit=True, connect_timeout=10,
                             keepalives=1, keepalives_idle=10, keepalives_interval=5,
                             keepalives_count=3) as conn:
            conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(self.channel)))
            self._set_state("connected")
            self.on_wake(conn, ())  # catch up on what happened while not listening
            while not self._stop.is_set():
                batch = [n for n in (parse_notice(m.payload) for m in conn.notifies(
                    timeout=POLL_SECONDS, stop_after=1)) if n is not None]
                if batch:
                    batch += [n for n in (parse_notice(m.payload) for m in conn.notifies(
                        timeout=0.01)) if n is not None]
                    self.on_wake(conn, batch)


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
