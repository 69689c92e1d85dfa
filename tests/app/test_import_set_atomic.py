"""``import-set`` is atomic: a set is written in one transaction, and an import killed in the
middle of it (SIGKILL, no clean-up) leaves the dossier exactly as it was."""

from __future__ import annotations

import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from app.dossier import Dossier
from app.services import codebook
from app.services.integrity import verify
from app.services.sets.merge import import_set
from tests.helpers.bulk import word_passages, write_set
from tests.helpers.documents import add_text_document

TEXT = " ".join(f"passport{i % 89} contract wages{i % 31} agency" for i in range(3_000))

#: Runs import-set in a child process that stops, with its write transaction open and the
#: annotations already inserted, just before the audit events are written; the test kills it.
CHILD = """
import sys
from app import audit
from app.dossier import Dossier
from app.services.sets.merge import import_set

original = audit.append_staged

def pause_before_the_events(cur, table, after):
    count = cur.execute("SELECT count(*) FROM annotations").fetchone()[0]
    print("inside the transaction", count, flush=True)
    sys.stdin.read()  # wait to be killed
    return original(cur, table, after)

audit.append_staged = pause_before_the_events
import_set(Dossier.open(sys.argv[1], user="alice"), sys.argv[2])
print("finished", flush=True)
"""


def _fingerprint(folder: Path) -> str:
    """SHA-256 of the whole database content as SQL, plus the names of every file in the
    dossier folder except SQLite's own WAL files."""
    conn = sqlite3.connect(f"file:{folder / 'dossier.sqlite'}?mode=ro", uri=True)
    try:
        digest = hashlib.sha256()
        for line in conn.iterdump():
            digest.update(line.encode("utf-8", "surrogatepass"))
    finally:
        conn.close()
    files = sorted(str(p.relative_to(folder)) for p in folder.rglob("*")
                   if not p.name.startswith("dossier.sqlite"))
    digest.update("\n".join(files).encode())
    return digest.hexdigest()


def test_a_set_import_killed_inside_its_transaction_leaves_the_dossier_unchanged(
        dossier: Dossier, tmp_path: Path) -> None:
    doc = add_text_document(dossier, TEXT, "Report")
    with dossier.read() as session:
        tags = [t.id for t in codebook.list_tags(session) if t.is_codable][:3]
    path = write_set(tmp_path / "set.jsonld", word_passages(doc, TEXT, 400), author="bob",
                     tags_of=lambda i: tags[: i % 3])
    before = _fingerprint(dossier.folder)
    dossier.close()

    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(dossier.folder), str(path)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        cwd=Path(__file__).resolve().parents[2])
    assert child.stdout is not None
    line = child.stdout.readline()  # blocks until the child is inside its transaction
    assert line.startswith("inside the transaction"), (line, child.stderr.read())
    assert int(line.split()[-1]) >= 400  # its annotations are written, not yet committed
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=60)
    assert child.returncode == -signal.SIGKILL

    assert _fingerprint(dossier.folder) == before
    reopened = Dossier.open(dossier.folder, user="alice")
    try:
        assert verify(reopened).ok
        summary = import_set(reopened, path)  # importing the set again adds all of it
        assert len(summary.added) == 400 and summary.users_created == ["bob"]
        report = verify(reopened)
        assert report.ok, report.problems
    finally:
        reopened.close()


def test_a_set_import_is_one_transaction(dossier: Dossier, tmp_path: Path) -> None:
    doc = add_text_document(dossier, TEXT, "Report")
    path = write_set(tmp_path / "set.jsonld", word_passages(doc, TEXT, 300), author="bob")
    commits = 0
    write = dossier.write

    def counting():  # type: ignore[no-untyped-def]
        nonlocal commits
        commits += 1
        return write()

    dossier.write = counting  # type: ignore[method-assign]
    summary = import_set(dossier, path)
    assert len(summary.added) == 300
    assert commits == 1
    assert verify(dossier).ok


def test_a_dossier_changed_while_the_set_was_prepared_is_planned_again(
        dossier: Dossier, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from app.services.sets import merge

    doc = add_text_document(dossier, TEXT, "Report")
    path = write_set(tmp_path / "set.jsonld", word_passages(doc, TEXT, 50), author="bob")
    prepare = merge.prepare
    calls = 0

    def another_writer_meanwhile(*args: Any) -> Any:  # another program writes in between
        nonlocal calls
        calls += 1
        prepared = prepare(*args)
        if calls < merge.ATTEMPTS:
            add_text_document(dossier, f"Another writer's note {calls}.", f"Note {calls}")
        return prepared

    monkeypatch.setattr(merge, "prepare", another_writer_meanwhile)
    summary = import_set(dossier, path)
    assert calls == merge.ATTEMPTS  # the last try held the write lock throughout
    assert len(summary.added) == 50 and summary.users_created == ["bob"]
    report = verify(dossier)
    assert report.ok, report.problems

