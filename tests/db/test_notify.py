"""The LISTEN side of live updates against a real PostgreSQL server: notifications at commit,
the writer's origin, reading the events, a dropped connection reported and made again."""

from __future__ import annotations

import importlib.util
import threading
from collections.abc import Sequence
from typing import Any

import pytest

from app.live import changes_from_events
from db.migrate import MIGRATIONS_DIR
from db.notify import EventRow, Listener, Notice, events_after

WAIT = 10.0  # seconds a condition may take at most (it normally takes milliseconds)


def _migration() -> Any:
    path = MIGRATIONS_DIR / "versions" / "0011_annotation_version.py"
    spec = importlib.util.spec_from_file_location("migration_0011", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Recorder:
    """Collects what a listener reports; tests wait on it for a condition."""

    def __init__(self) -> None:
        self.cond = threading.Condition()
        self.notices: list[Notice] = []
        self.events: list[EventRow] = []
        self.states: list[tuple[str, str]] = []
        self.wakes = 0
        self.seen = 0

    def wake(self, conn: Any, notices: Sequence[Notice]) -> None:
        rows = events_after(conn, self.seen)
        with self.cond:
            self.wakes += 1
            self.notices += notices
            self.events += rows
            if rows:
                self.seen = rows[-1].seq
            self.cond.notify_all()

    def state(self, state: str, detail: str) -> None:
        with self.cond:
            self.states.append((state, detail))
            self.cond.notify_all()

    def wait_for(self, condition: Any) -> None:
        with self.cond:
            assert self.cond.wait_for(condition, WAIT), "the condition did not come true"


@pytest.fixture
def audit_db(pg_server: Any, pg_database: str) -> str:
    """A database holding an audit table like a dossier's, with migration 0011's trigger."""
    migration = _migration()
    with pg_server.connect(pg_database) as conn:
        conn.execute("CREATE TABLE audit_events (seq INTEGER PRIMARY KEY, at TEXT, actor TEXT, "
                     "action TEXT, object_type TEXT, object_id TEXT, payload TEXT, "
                     "prev_hash TEXT, hash TEXT, state TEXT)")
        conn.execute(migration._FUNCTION)
        conn.execute(migration._TRIGGER)
    return pg_database


def _append(conn: Any, seq: int, action: str, object_type: str, object_id: str,
            state: str | None = None) -> None:
    conn.execute("INSERT INTO audit_events VALUES (%s, '2026-11-30T15:00:00Z', 'bob', %s, %s, "
                 "%s, '{}', '', '', %s)", (seq, action, object_type, object_id, state))


def test_a_commit_wakes_the_listener_with_its_events_and_origin(
        pg_server: Any, audit_db: str) -> None:
    rec = Recorder()
    listener = Listener(pg_server.url(audit_db), rec.wake, rec.state)
    listener.start()
    try:
        rec.wait_for(lambda: ("connected", "") in rec.states)
        with pg_server.connect(audit_db) as writer:
            writer.autocommit = False
            writer.execute("SELECT set_config('dossier.origin', 'window-2', false)")
            _append(writer, 1, "annotation.create", "annotation", "a1",
                    "annotation:a1=abc\ntag:t1=def")
            _append(writer, 2, "annotation.update", "annotation", "a1", "annotation:a1=fed")
            assert rec.notices == []  # nothing is told before the commit
            writer.commit()
            rec.wait_for(lambda: rec.seen == 2)
            writer.execute("SELECT 1")
            _append(writer, 3, "annotation.delete", "annotation", "a2")
            writer.rollback()  # a rolled-back change is never announced
            _append(writer, 3, "annotation.delete", "annotation", "a1", "annotation:a1=-")
            writer.commit()
            rec.wait_for(lambda: rec.seen == 3)
        assert [(n.first, n.last, n.origin) for n in rec.notices] == [
            (1, 1, "window-2"), (2, 2, "window-2"), (3, 3, "window-2")]
        assert [e.object_id for e in rec.events] == ["a1", "a1", "a1"]
        changes = changes_from_events(rec.events[:2])
        assert changes.annotations.created == {"a1"} and changes.tags.updated == {"t1"}
        assert changes_from_events(rec.events[2:]).annotations.deleted == {"a1"}
    finally:
        listener.stop()
    assert rec.states[-1] == ("stopped", "")


def test_a_dropped_connection_is_reported_and_made_again(pg_server: Any, audit_db: str) -> None:
    rec = Recorder()
    listener = Listener(pg_server.url(audit_db), rec.wake, rec.state)
    listener.start()
    try:
        rec.wait_for(lambda: ("connected", "") in rec.states)
        with pg_server.connect(audit_db) as admin:
            admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                          "WHERE datname = %s AND pid <> pg_backend_pid()", (audit_db,))
            rec.wait_for(lambda: any(s == "disconnected" for s, _ in rec.states))
            rec.wait_for(lambda: rec.states[-1] == ("connected", ""))
            _append(admin, 1, "tag.create", "tag", "t9")
            rec.wait_for(lambda: rec.seen == 1)
        dropped = next(detail for state, detail in rec.states if state == "disconnected")
        assert "connection" in dropped and "\n" not in dropped  # the reason, in one line
        assert rec.wakes >= 2  # a catch-up wake after each connection (and the notice)
    finally:
        listener.stop()


def test_events_become_typed_changes() -> None:
    events = [
        EventRow(1, "annotation.create", "annotation", "a1", "annotation:a1=h1"),
        EventRow(2, "tag.merge", "tag", "t1", "annotation:a1=h2\nannotation:a2=h3\ntag:t1=-"),
        EventRow(3, "comment.create", "comment", "c1", None),
        EventRow(4, "state.baseline", "dossier", "", None),
        EventRow(5, "annotation.create", "annotation", "a3", "annotation:a3=h4"),
        EventRow(6, "annotation.delete", "annotation", "a3", "annotation:a3=-"),
    ]
    changes = changes_from_events(events)
    assert changes.annotations.created == {"a1"}
    assert changes.annotations.updated == {"a2"}
    assert changes.annotations.deleted == frozenset()  # created and deleted: never seen
    assert changes.tags.deleted == {"t1"}
    assert changes.kind("comment").created == {"c1"}
