"""verify compares the data with the audit chain: a direct SQL edit of any audited table is found
and named, deleted newest events with a doctored head are found, and ``--head`` proves the history
up to a written-down hash was not rewritten."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from app import audit
from app.dossier import DB_FILE, Dossier
from app.services import annotations, codebook
from app.services.integrity import verify
from db import migrate
from tests.helpers.cli import run_cli
from tests.helpers.documents import add_text_document
from tests.helpers.engines import execute, raw_database
from tests.helpers.review import bring_to
from tests.helpers.tampering import rewrite_history

TEXT = "Managers confiscated the workers' passports on arrival. Wages went to the state."


def _setup(dossier: Dossier) -> tuple[str, str]:
    doc = add_text_document(dossier, TEXT)
    with dossier.read() as session:
        tag = codebook.resolve_tag(session, "Retention of identity documents")
    start = TEXT.index("Managers")
    ann = annotations.create_annotation(dossier, doc.id, start, start + 54, [tag.id], note="n")
    annotations.update_annotation(dossier, ann.id, note="changed")
    bring_to(dossier, ann.id, "submitted")
    return doc.id, ann.id


@pytest.fixture
def dossier(any_dossier: Dossier) -> Dossier:
    """The tests that take ``dossier`` run on both engines (SQLite folder, PostgreSQL)."""
    return any_dossier


def _sql(path: Path, *statements: str) -> None:
    conn = sqlite3.connect(path / DB_FILE)
    for statement in statements:
        conn.execute(statement)
    conn.commit()
    conn.close()


def test_untouched_dossier_verifies_every_row(dossier: Dossier) -> None:
    _setup(dossier)
    report = verify(dossier)
    assert report.ok, report.problems
    assert report.rows_checked > 10  # users, seeded tags, the document, the annotation


@pytest.mark.parametrize("statement, named", [
    ("UPDATE annotations SET note = 'doctored'", "annotation {ann}"),
    ("UPDATE annotations SET status = 'approved'", "annotation {ann}"),
    ("UPDATE documents SET text = replace(text, 'passports', 'passwords')", "document {doc}"),
    ("DELETE FROM annotations", "annotation {ann} is missing"),
    ("DELETE FROM annotation_tags", "annotation {ann}"),
    ("UPDATE pages SET start = 1", None),  # a text document has no pages: nothing to change
    ("UPDATE tags SET name = 'Renamed' WHERE name = 'Deception'", "tag "),
    ("UPDATE users SET name = 'mallory' WHERE name = 'alice'", "user "),
])
def test_direct_sql_edits_are_named(dossier: Dossier, statement: str,
                                    named: str | None) -> None:
    doc_id, ann_id = _setup(dossier)
    execute(dossier, statement)
    report = verify(dossier)
    if named is None:
        assert report.ok
        return
    assert not report.ok
    assert named.format(ann=ann_id, doc=doc_id) in report.problems[0]
    assert "outside Dossier" in report.problems[0]


def test_a_row_added_outside_dossier_is_named(dossier: Dossier) -> None:
    _setup(dossier)
    execute(dossier, "INSERT INTO tags (id, parent_id, name, colour, description, position, "
                     "is_codable, created) VALUES ('forged', NULL, 'Forged', '#000000', '', 9, "
                     "TRUE, '2026-01-01T00:00:00Z')")
    report = verify(dossier)
    assert report.problems == ["tag forged is not in the audit chain: it was added outside "
                               "Dossier"]


def test_deleted_newest_events_with_a_fixed_head_are_found(dossier: Dossier) -> None:
    _, ann_id = _setup(dossier)
    with raw_database(dossier) as conn:
        last = conn.execute("SELECT max(seq) FROM audit_events").fetchone()[0]
        prev = conn.execute("SELECT hash FROM audit_events WHERE seq = ?",
                            (last - 1,)).fetchone()[0]
        conn.execute("DELETE FROM audit_events WHERE seq = ?", (last,))
        conn.execute("UPDATE dossier_meta SET value = ? WHERE key = 'audit_head'",
                     (f"{last - 1}:{prev}",))
    report = verify(dossier)
    assert not report.ok
    assert report.problems[0].startswith(f"annotation {ann_id} differs from what audit event ")


def test_delete_through_dossier_verifies_and_cascades_reviews(dossier: Dossier) -> None:
    _, ann_id = _setup(dossier)
    annotations.delete_annotation(dossier, ann_id)
    assert verify(dossier).ok


def test_head_in_the_chain_passes_and_rewritten_history_fails(dossier: Dossier) -> None:
    _setup(dossier)
    early = verify(dossier)
    annotations.create_annotation(dossier, add_text_document(dossier, "Another text.",
                                                             title="B").id, 0, 7)
    assert verify(dossier, head=early.head_hash).given_head_seq == early.head_seq
    assert verify(dossier, head=f"{early.head_seq}:{early.head_hash}").ok
    assert verify(dossier, head=early.head_hash[:12]).ok
    # rewrite the history before the early head and recompute every later hash
    rewrite_history(dossier, seq=2)
    assert verify(dossier).ok  # the chain alone is self-consistent again
    report = verify(dossier, head=early.head_hash)
    assert not report.ok and "is not in the audit chain" in report.problems[0]


@pytest.mark.slow
def test_cli_verify_prints_head_and_checks_a_given_one(dossier_path: Path) -> None:
    dossier = Dossier.open(dossier_path, user="alice")
    _setup(dossier)
    dossier.close()
    ok = run_cli(dossier_path, "verify")
    assert ok.returncode == 0, ok.stderr
    seq_hash = ok.stdout.splitlines()[-1].split()[1]
    seq, _, digest = seq_hash.partition(":")
    assert int(seq) > 0 and len(digest) == 64
    assert run_cli(dossier_path, "verify", "--head", seq_hash).returncode == 0
    bad = run_cli(dossier_path, "verify", "--head", "ab" * 32)
    assert bad.returncode == 1 and "is not in the audit chain" in bad.stderr
    _sql(dossier_path, "UPDATE annotations SET note = 'doctored'")
    proc = run_cli(dossier_path, "verify")
    assert proc.returncode == 1 and proc.stderr.startswith("dossier: verify failed: annotation ")


def test_leftover_temporaries_and_orphans_are_reported_and_repaired(dossier_path: Path) -> None:
    dossier = Dossier.open(dossier_path, user="alice")  # a folder's files (SQLite only)
    _setup(dossier)
    folder = dossier_path / "originals" / "ab"
    folder.mkdir(parents=True, exist_ok=True)
    temp = folder / f".{'ab' * 32}.123.tmp"
    temp.write_bytes(b"partial")
    (folder / ("ab" * 32)).write_bytes(b"orphan")
    report = verify(dossier)
    assert report.ok and report.temporaries and report.orphans
    assert any("leftover temporary" in w for w in report.warnings)
    repaired = verify(dossier, repair_files=True)
    dossier.close()
    assert repaired.removed and not temp.exists() and (folder / ("ab" * 32)).exists()


def test_an_original_no_document_refers_to_is_a_warning_on_a_team_dossier(
        team_dossier: Dossier) -> None:
    _setup(team_dossier)
    execute(team_dossier, "INSERT INTO originals (sha256, size, data, stored_at) "
                         "VALUES (?, 6, ?, '2026-01-01T00:00:00Z')", params=("ab" * 32, b"orphan"))
    report = verify(team_dossier)
    assert report.ok and report.orphans == [f"originals/{'ab' * 32}"]
    assert any("no document refers to" in w for w in report.warnings)


def test_an_old_dossier_gets_a_baseline_and_then_detects_edits(tmp_path: Path) -> None:
    folder = tmp_path / "old"
    folder.mkdir()
    engine = create_engine(f"sqlite:///{folder / DB_FILE}")
    cfg = migrate._config()
    from alembic import command

    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0002")
    conn2 = sqlite3.connect(folder / DB_FILE)
    digest = audit.event_hash(audit.GENESIS, 1, "2026-01-01T00:00:00Z", "old", "user.create",
                              "user", "1", "{}")
    conn2.execute("INSERT INTO users VALUES (1, 'old', 'old', 'g', '2026-01-01T00:00:00Z')")
    conn2.execute("INSERT INTO audit_events VALUES (1, '2026-01-01T00:00:00Z', 'old', "
                  "'user.create', 'user', '1', '{}', ?, ?)", (audit.GENESIS, digest))
    conn2.execute("INSERT INTO dossier_meta VALUES ('audit_head', ?)", (f"1:{digest}",))
    conn2.commit()
    conn2.close()
    engine.dispose()
    old = Dossier.open(folder, user="old")
    try:
        assert verify(old).ok
        with old.read() as session:
            actions = [a for (a,) in session.execute(
                audit.select(audit.AuditEvent.action).order_by(audit.AuditEvent.seq))]
        assert actions[:2] == ["user.create", "state.baseline"]
        _sql(folder, "UPDATE users SET display_name = 'someone else'")
        assert verify(old).problems[0].startswith("user 1 differs")
    finally:
        old.close()
