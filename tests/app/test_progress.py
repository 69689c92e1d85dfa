"""Long work obeys Cancel through app.progress: verify, re-import and set import stop where they
are, raise Cancelled and leave the dossier as it was."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from app.errors import Cancelled
from app.progress import checkpoint, reporting
from app.services import annotations as service
from app.services.integrity import verify
from app.services.sets.merge import import_set
from app.services.versions import reimport_document
from tests.helpers.bulk import word_passages, write_set
from tests.helpers.documents import add_text_document


def _after(polls: int) -> Any:
    """A cancel check that says "stop" from its ``polls``-th call on."""
    count = {"n": 0}

    def cancel() -> bool:
        count["n"] += 1
        return count["n"] >= polls

    return cancel


def _rows(dossier: Any) -> tuple[int, ...]:
    with dossier.read() as session:
        return tuple(session.execute(text(
            "SELECT (SELECT count(*) FROM annotations), (SELECT count(*) FROM documents), "
            "(SELECT count(*) FROM audit_events)")).one())


def test_checkpoints_report_progress_and_raise_once_cancelled() -> None:
    seen: list[tuple[int, int]] = []
    with reporting("counting", lambda d, t: seen.append((d, t)),
                   _after(4)), pytest.raises(Cancelled, match="counting cancelled"):
        for i in range(10):
            checkpoint(i, 10)
    assert seen[0] == (0, 10) and len(seen) <= 3
    checkpoint()  # outside any reporting block: nothing to obey


def test_verify_stops_when_cancelled(dossier: Any) -> None:
    doc = add_text_document(dossier, "Managers kept the passports of every worker.")
    service.create_annotation(dossier, doc.id, 0, 8)
    with pytest.raises(Cancelled):
        verify(dossier, cancel=_after(2))
    assert verify(dossier).ok


def test_a_cancelled_set_import_writes_nothing(dossier: Any, tmp_path: Path) -> None:
    body = " ".join(f"word{i:05d}" for i in range(3000))
    doc = add_text_document(dossier, body, "Records")
    path = write_set(tmp_path / "set.jsonld", word_passages(doc, body, 500))
    before = _rows(dossier)
    with pytest.raises(Cancelled, match="set.jsonld cancelled; nothing was written"):
        import_set(dossier, path, cancel=_after(900))  # in the middle of writing
    assert _rows(dossier) == before
    assert len(import_set(dossier, path).added) == 500


def test_a_cancelled_reimport_keeps_the_old_version_alone(dossier: Any, tmp_path: Path) -> None:
    doc = add_text_document(dossier, "Managers kept the passports. Wages were withheld.")
    service.create_annotation(dossier, doc.id, 0, 8)
    newer = tmp_path / "newer.txt"
    newer.write_text("Managers kept all passports. Wages were withheld for months.",
                     encoding="utf-8")
    before = _rows(dossier)
    with pytest.raises(Cancelled):
        reimport_document(dossier, doc.id, str(newer), cancel=_after(3))
    assert _rows(dossier) == before
    assert not any(dossier.originals.root.rglob("*.tmp"))
