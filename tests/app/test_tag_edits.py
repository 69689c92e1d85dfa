"""Editing the codebook: every change audited, merges and deletions reversible exactly."""

from __future__ import annotations

from pathlib import Path

import pytest

from app import audit
from app.dossier import Dossier
from app.errors import BadInput
from app.services import annotations as annotation_service
from app.services import codebook, tag_edits
from app.services.integrity import verify
from db.models import AuditEvent
from tests.helpers.cli import run_cli
from tests.helpers.documents import add_text_document

TEXT = "Workers paid recruitment fees. Passports were held. Wages were kept for years."


@pytest.fixture
def dossier(any_dossier: Dossier) -> Dossier:
    """The tests that take ``dossier`` run on both engines (SQLite folder, PostgreSQL)."""
    return any_dossier


def tag(dossier: Dossier, name: str) -> codebook.TagInfo:
    with dossier.read() as session:
        return codebook.resolve_tag(session, name)


def tags_of(dossier: Dossier, ann_id: str) -> set[str]:
    return {t.path for t in annotation_service.get_annotation(dossier, ann_id).tags}


def actions(dossier: Dossier) -> list[str]:
    with dossier.read() as session:
        return [e.action for e in session.query(AuditEvent).order_by(AuditEvent.seq)]


def test_merge_moves_annotations_and_unmerge_puts_them_back(dossier: Dossier) -> None:
    doc = add_text_document(dossier, TEXT)
    deception, fees = tag(dossier, "Deception"), tag(dossier, "Abuse of vulnerability")
    a = annotation_service.create_annotation(dossier, doc.id, 0, 7, [deception.id])
    b = annotation_service.create_annotation(dossier, doc.id, 8, 12, [deception.id, fees.id])
    snapshot = tag_edits.merge_tags(dossier, deception.id, fees.id)
    assert tags_of(dossier, a.id) == {fees.path}
    assert tags_of(dossier, b.id) == {fees.path}
    with pytest.raises(Exception, match="no tag"):
        tag(dossier, "Deception")
    tag_edits.unmerge_tags(dossier, snapshot)
    assert tags_of(dossier, a.id) == {deception.path}
    assert tags_of(dossier, b.id) == {deception.path, fees.path}
    assert tag(dossier, "Deception").id == deception.id
    assert actions(dossier)[-2:] == ["tag.merge", "tag.unmerge"]
    with dossier.read() as session:
        assert audit.verify_chain(session)[0] is None
    # The rows the edits changed match what the audit chain recorded for them.
    assert verify(dossier).ok, verify(dossier).problems


def test_delete_in_use_needs_force_and_restores(dossier: Dossier) -> None:
    doc = add_text_document(dossier, TEXT)
    deception = tag(dossier, "Deception")
    a = annotation_service.create_annotation(dossier, doc.id, 0, 7, [deception.id])
    with pytest.raises(BadInput, match="used by 1 annotation"):
        tag_edits.delete_tag(dossier, deception.id)
    snapshot = tag_edits.delete_tag(dossier, deception.id, force=True)
    assert tags_of(dossier, a.id) == set()
    tag_edits.restore_tag(dossier, snapshot)
    assert tags_of(dossier, a.id) == {deception.path}
    with pytest.raises(BadInput, match="has sub-tags"):
        tag_edits.delete_tag(dossier, tag(dossier, "Abuses").id)
    assert verify(dossier).ok, verify(dossier).problems


def test_rename_move_and_keys_refuse_conflicts(dossier: Dossier) -> None:
    deception = tag(dossier, "Deception")
    sibling = next(t for t in _all(dossier) if t.parent_id == deception.parent_id
                   and t.id != deception.id)
    with pytest.raises(BadInput, match="already exists"):
        tag_edits.rename_tag(dossier, deception.id, sibling.name.upper())
    assert tag_edits.rename_tag(dossier, deception.id, "False promises").name == "False promises"
    with pytest.raises(BadInput, match="into itself"):
        tag_edits.move_tag(dossier, deception.parent_id or "", deception.id)
    tag_edits.move_tag(dossier, deception.id, None, 0)
    assert tag(dossier, "False promises").path == "False promises"
    used = next(t for t in _all(dossier) if t.shortcut and t.id != deception.id)
    with pytest.raises(BadInput, match="already tags"):
        tag_edits.set_shortcut(dossier, deception.id, used.shortcut)
    assert tag_edits.set_shortcut(dossier, deception.id, "F7").shortcut == "F7"
    assert tag_edits.set_shortcut(dossier, deception.id, None).shortcut is None
    assert verify(dossier).ok, verify(dossier).problems


def _all(dossier: Dossier) -> list[codebook.TagInfo]:
    with dossier.read() as session:
        return codebook.list_tags(session)


def test_cli_edits_and_the_listing_still_works(dossier_path: Path) -> None:
    run_cli(dossier_path, "tags", "add", "Debt traps", "--parent", "Abuses", "--colour",
            "#112233", "--key", "F8", check=True)
    refused = run_cli(dossier_path, "tags", "key", "Deception", "F8")
    assert refused.returncode == 2 and "already tags" in refused.stderr
    run_cli(dossier_path, "tags", "merge", "Debt traps", "Deception", check=True)
    listing = run_cli(dossier_path, "tags", check=True).stdout  # the listing still works
    assert listing.startswith("Abuses") and "Debt traps" not in listing


def test_qdc_codebook_round_trip_adds_only_missing_codes(dossier: Dossier, tmp_path: Path,
                                                         template_dossier: Path) -> None:
    from app.exchange import export
    from app.exchange.refi.codebook import read_qdc

    out = tmp_path / "codebook.qdc"
    codebook.create_tag(dossier, "Debt traps", parent=tag(dossier, "Abuses").id)
    export(dossier, "qdc", out)
    fresh = Dossier.open(tmp_path / "fresh", user="bob")
    try:
        assert len(tag_edits.import_codes(fresh, read_qdc(out))) == 1
        assert tag(fresh, "Abuses/Debt traps").path == "Abuses/Debt traps"
        assert tag_edits.import_codes(fresh, read_qdc(out)) == []
    finally:
        fresh.close()
    bad = tmp_path / "bad.qdc"
    bad.write_text("<notes/>", encoding="utf-8")
    refused = run_cli(template_dossier, "tags", "import", str(bad))
    assert refused.returncode == 2 and "holds no REFI-QDA CodeBook" in refused.stderr
