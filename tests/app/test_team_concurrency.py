"""Many colleagues writing one dossier at once, and a writer killed in the middle of a write.

Eight processes each create 200 annotations and make 50 review decisions at the same time in a
team dossier (PostgreSQL; ``benchmarks/team.py`` runs the same load on SQLite too): every
id a writer reported is stored, no writer ever sees an error (waiting for the lock and retrying
are the store's job), and the audit chain stays one line that verifies. A writer killed with
SIGKILL inside a transaction loses only that transaction: everything it had committed is there.
"""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.dossier import Dossier
from app.services import annotations, integrity
from db.models import Annotation, AuditEvent, Review
from tests.helpers.pg import PgServer
from tests.helpers.team_load import prepare

pytestmark = pytest.mark.slow  # eight processes writing at once

REPO = Path(__file__).resolve().parents[2]
WRITERS = 8
ANNOTATIONS = 200
DECISIONS = 50


@pytest.fixture
def team(pg_server: PgServer, pg_template: str) -> Iterator[str]:
    """A team dossier's URL (PostgreSQL; alice administers it), dropped after the test."""
    name = pg_server.create_database(template=pg_template)
    yield pg_server.url(name)
    pg_server.drop_database(name)


def _writer(location: str, document_id: str, index: int, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.helpers.team_load", location, document_id, str(index),
         *extra], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        stdin=subprocess.PIPE, text=True)


def _reported(lines: list[str], kind: str) -> list[str]:
    return [line.split()[1] for line in lines if line.startswith(kind + " ")]


def _check_chain(dossier: Dossier) -> int:
    """The chain is one line (1..N, each event linking to the one before) and verifies."""
    with dossier.read() as session:
        rows = session.execute(select(AuditEvent.seq, AuditEvent.prev_hash, AuditEvent.hash)
                               .order_by(AuditEvent.seq)).all()
    assert [r.seq for r in rows] == list(range(1, len(rows) + 1))
    assert all(b.prev_hash == a.hash for a, b in zip(rows, rows[1:], strict=False))
    report = integrity.verify(dossier)
    assert report.ok, report.problems
    return len(rows)


def test_eight_writers_at_once_lose_nothing(team: str) -> None:
    document_id = prepare(team, WRITERS, admin="alice")
    procs = [_writer(team, document_id, i, str(ANNOTATIONS), str(DECISIONS))
             for i in range(WRITERS)]
    outputs = [p.communicate(timeout=900) for p in procs]
    ann_ids: list[str] = []
    review_ids: list[str] = []
    for proc, (out, err) in zip(procs, outputs, strict=True):
        lines = out.splitlines()
        assert proc.returncode == 0 and not [x for x in lines if x.startswith("error")], err
        assert "Traceback" not in err, err
        ann_ids += _reported(lines, "ann")
        review_ids += _reported(lines, "review")
    assert len(set(ann_ids)) == WRITERS * ANNOTATIONS
    assert len(set(review_ids)) == WRITERS * DECISIONS
    dossier = Dossier.open(team, user="alice")
    try:
        with dossier.read() as session:
            stored = set(session.scalars(select(Annotation.id)))
            reviews = set(session.scalars(select(Review.id)))
            creates = session.scalar(select(func.count()).select_from(AuditEvent).where(
                AuditEvent.action == "annotation.create", AuditEvent.actor.like("writer-%")))
        assert set(ann_ids) <= stored and set(review_ids) <= reviews
        assert creates == WRITERS * ANNOTATIONS
        _check_chain(dossier)
    finally:
        dossier.close()


def test_a_writer_killed_mid_transaction_loses_nothing_committed(
        any_dossier_path: Path | str) -> None:
    team = str(any_dossier_path)
    document_id = prepare(team, 1, admin="alice")
    proc = _writer(team, document_id, 0, "20", "5", "--hold-open")
    assert proc.stdout is not None
    lines: list[str] = []
    for line in proc.stdout:  # wait until the writer sits inside its open transaction
        lines.append(line.strip())
        if line.startswith(("pending", "error")):
            break
    assert lines[-1].startswith("pending"), lines
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    committed, pending = _reported(lines, "ann"), _reported(lines, "pending")[0]
    assert len(committed) == 20
    dossier = Dossier.open(team, user="alice")
    try:
        with dossier.read() as session:
            stored = set(session.scalars(select(Annotation.id)))
        assert set(committed) <= stored and pending not in stored
        _check_chain(dossier)
        after = annotations.create_annotation(dossier, document_id, 0, 9)  # nothing stays locked
        assert after.id
        _check_chain(dossier)
    finally:
        dossier.close()
    if proc.stdout:
        proc.stdout.close()
    for stream in (proc.stderr, proc.stdin):
        if stream:
            stream.close()
