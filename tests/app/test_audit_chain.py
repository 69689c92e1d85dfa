"""Every service mutation is audited; verify detects altered, inserted and deleted events and
altered originals, naming the first broken item."""

from __future__ import annotations

import pytest

from app.dossier import Dossier
from app.services import annotations, codebook
from app.services.integrity import verify
from tests.helpers.documents import add_text_document
from tests.helpers.engines import execute

TEXT = "Managers confiscated the workers' passports on arrival. Wages went to the state."


def _setup(dossier: Dossier) -> tuple[str, str]:
    doc = add_text_document(dossier, TEXT)
    with dossier.read() as session:
        tag = codebook.resolve_tag(session, "Retention of identity documents")
    start = TEXT.index("Managers")
    ann = annotations.create_annotation(dossier, doc.id, start, start + 54, [tag.id], note="n")
    annotations.update_annotation(dossier, ann.id, note="changed", reliability="B", credibility=2)
    return doc.sha256, ann.id


@pytest.fixture
def dossier(any_dossier: Dossier) -> Dossier:
    """These tests run on both engines (SQLite folder, PostgreSQL team dossier)."""
    return any_dossier


def _sql(dossier: Dossier, statement: str) -> None:
    execute(dossier, statement)


def _events(dossier: Dossier) -> list[tuple[int, str, str]]:
    with dossier.engine.connect() as conn:
        return [tuple(r) for r in conn.exec_driver_sql(
            "SELECT seq, action, object_id FROM audit_events ORDER BY seq")]


def test_mutations_write_chained_events(dossier: Dossier) -> None:
    before = len(_events(dossier))
    _setup(dossier)
    actions = [a for _, a, _ in _events(dossier)[before:]]
    assert actions == ["document.import", "annotation.create", "annotation.update"]
    report = verify(dossier)
    assert report.ok, report.problems
    assert report.events_checked == len(_events(dossier))
    assert len(report.head_hash) == 64


def test_altered_column_is_detected(dossier: Dossier) -> None:
    _setup(dossier)
    seq = _events(dossier)[-2][0]  # the annotation.create event
    _sql(dossier, f"UPDATE audit_events SET actor = 'mallory' WHERE seq = {seq}")
    report = verify(dossier)
    assert not report.ok
    assert report.problems[0].startswith(f"audit event {seq} ")
    assert "altered" in report.problems[0]


def test_deleted_middle_event_is_detected(dossier: Dossier) -> None:
    _setup(dossier)
    seq = _events(dossier)[-2][0]
    _sql(dossier, f"DELETE FROM audit_events WHERE seq = {seq}")
    report = verify(dossier)
    assert not report.ok and f"audit event {seq} is missing" in report.problems[0]


def test_deleted_newest_event_is_detected(dossier: Dossier) -> None:
    _setup(dossier)
    last = _events(dossier)[-1][0]
    _sql(dossier, f"DELETE FROM audit_events WHERE seq = {last}")
    report = verify(dossier)
    assert not report.ok and "deleted" in report.problems[0]


def test_inserted_event_is_detected(dossier: Dossier) -> None:
    _setup(dossier)
    # Make room at seq 5 (two steps: SQLite checks the primary key row by row).
    _sql(dossier, "UPDATE audit_events SET seq = seq + 1000000 WHERE seq >= 5")
    _sql(dossier, "UPDATE audit_events SET seq = seq - 999999 WHERE seq >= 1000000")
    _sql(dossier,
         "INSERT INTO audit_events (seq, at, actor, action, object_type, object_id, payload, "
         "prev_hash, hash) VALUES (5, '2026-01-01T00:00:00Z', 'mallory', 'tag.create', 'tag', "
         "'x', '{}', 'ab', 'cd')")
    report = verify(dossier)
    assert not report.ok and report.problems[0].startswith("audit event 5 ")


def test_altered_original_is_detected(dossier: Dossier) -> None:
    sha, _ = _setup(dossier)
    data = bytearray(dossier.originals.read(sha))
    data[3] ^= 0x01
    if dossier.is_team:  # the original is a row of the team dossier's database
        execute(dossier, "UPDATE originals SET data = ? WHERE sha256 = ?",
                params=(bytes(data), sha))
    else:
        path = dossier.originals.path_for(sha)
        path.chmod(0o644)
        path.write_bytes(bytes(data))
    report = verify(dossier)
    assert not report.ok
    assert f"original {sha[:12]}" in report.problems[0] and "altered" in report.problems[0]


def test_originals_are_read_only_and_content_addressed(dossier: Dossier) -> None:
    sha, _ = _setup(dossier)
    path = dossier.originals.path_for(sha)
    assert path.parent.name == sha[:2] and path.name == sha
    assert path.read_bytes() == TEXT.encode("utf-8")
    assert path.stat().st_mode & 0o222 == 0


def test_a_missing_original_is_detected(dossier: Dossier) -> None:
    sha, _ = _setup(dossier)
    if dossier.is_team:
        execute(dossier, "DELETE FROM originals WHERE sha256 = ?", params=(sha,))
    else:
        dossier.originals.path_for(sha).unlink()
    report = verify(dossier)
    assert not report.ok
    assert f"original {sha[:12]}… is missing" in report.problems[0]
