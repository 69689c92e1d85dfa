"""A new version of a document: the old one is kept, annotations are re-anchored and flagged."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.dossier import Dossier
from app.errors import BadInput
from app.services import annotations, codebook, documents, imports
from app.services.integrity import verify
from app.services.versions import reimport_document
from tests.helpers.cli import cli_json, run_cli

V1 = (
    "Overseas workers from North Korea\n\n"
    "Managers confiscated the workers' passports on arrival in Vladivostok. "
    "Each worker signed a three-year contract with the dispatch agency. "
    "Most of the wages were deposited into accounts controlled by the state. "
    "The money later funded the weapons programme, officials said.\n"
)
V2 = (
    "Overseas workers from North Korea (updated)\n\n"
    "A new opening paragraph was added by the editors after publication.\n\n"
    "Managers confiscated the workers' passports on arrival in Vladivostok. "
    "Each worker signed a three-year contract with the state dispatch agency. "
    "The money later funded the weapons programme, officials said.\n"
)


@pytest.fixture
def dossier(any_dossier: Dossier) -> Dossier:
    """The tests that take ``dossier`` run on both engines (SQLite folder, PostgreSQL)."""
    return any_dossier


def _tag(dossier: Dossier, spec: str) -> str:
    with dossier.read() as session:
        return codebook.resolve_tag(session, spec).id


def _setup(dossier: Dossier, tmp_path: Path) -> tuple[str, dict[str, str], Path]:
    v1 = tmp_path / "article-v1.txt"
    v1.write_text(V1, encoding="utf-8")
    v2 = tmp_path / "article-v2.txt"
    v2.write_text(V2, encoding="utf-8")
    doc = imports.import_file(dossier, v1).document
    assert doc is not None
    made = {}
    for key, quote, tag in [
        ("passports", "Managers confiscated the workers' passports on arrival",
         "Retention of identity documents"),
        ("contract", "signed a three-year contract with the dispatch agency",
         "Contract length and renewal"),
        ("wages", "Most of the wages were deposited into accounts controlled by the state",
         "Wage deposits to state-controlled accounts"),
        ("weapons", "The money later funded the weapons programme", "Use of proceeds"),
    ]:
        start, end = annotations.find_quote(V1, quote)
        made[key] = annotations.create_annotation(dossier, doc.id, start, end,
                                                  [_tag(dossier, tag)], note=key).id
    return doc.id, made, v2


def test_reimport_keeps_old_version_and_flags_changes(dossier: Dossier, tmp_path: Path) -> None:
    old_id, made, v2 = _setup(dossier, tmp_path)
    report = reimport_document(dossier, old_id[:8], str(v2))
    by_id = {r.annotation_id: r for r in report.annotations}
    assert report.counts() == {"exact": 2, "fuzzy": 1, "orphaned": 1}
    assert by_id[made["passports"]].result.status == "exact"
    assert by_id[made["weapons"]].result.status == "exact"
    assert by_id[made["contract"]].result.status == "fuzzy"
    assert by_id[made["wages"]].result.status == "orphaned"

    new = report.document
    assert new.version == 2 and new.previous_id == old_id and new.is_current
    assert [d.id for d in documents.list_documents(dossier)] == [new.id]
    assert {d.id for d in documents.list_documents(dossier, all_versions=True)} == {old_id, new.id}
    assert dossier.originals.has(report.previous.sha256) and dossier.originals.has(new.sha256)

    text = documents.document_text(dossier, new.id)
    exact = annotations.get_annotation(dossier, made["passports"])
    assert exact.document_id == new.id and text[exact.start:exact.end] == exact.quote
    assert exact.quote == "Managers confiscated the workers' passports on arrival"
    fuzzy = annotations.get_annotation(dossier, made["contract"])
    assert fuzzy.anchor == "fuzzy"
    assert fuzzy.quote == text[fuzzy.start:fuzzy.end]
    assert "state dispatch agency" in fuzzy.quote
    orphan = annotations.get_annotation(dossier, made["wages"])
    assert orphan.anchor == "orphaned"
    assert orphan.quote.startswith("Most of the wages")
    assert [t.path for t in orphan.tags] == [
        "Funding flows/Wage deposits to state-controlled accounts"]
    assert orphan.note == "wages"
    assert {a.id for a in annotations.list_annotations(dossier, anchor="orphaned")} == {orphan.id}
    assert verify(dossier).ok


def test_reimport_of_same_bytes_or_old_version_is_refused(dossier: Dossier, tmp_path: Path) -> None:
    old_id, _, v2 = _setup(dossier, tmp_path)
    with pytest.raises(BadInput, match="same bytes"):
        reimport_document(dossier, old_id, str(tmp_path / "article-v1.txt"))
    reimport_document(dossier, old_id, str(v2))
    with pytest.raises(BadInput, match="old version"):
        reimport_document(dossier, old_id, str(v2))


@pytest.mark.slow
def test_reimport_cli_prints_counts_and_json(dossier_path: Path, tmp_path: Path) -> None:
    d = Dossier.open(dossier_path, user="alice")
    old_id, made, v2 = _setup(d, tmp_path)
    d.close()
    out = cli_json(dossier_path, "reimport", old_id[:8], str(v2))
    assert out["counts"] == {"exact": 2, "fuzzy": 1, "orphaned": 1}
    assert out["previous"] == old_id and out["version"] == 2
    rows = {a["id"]: a for a in out["annotations"]}
    assert rows[made["wages"]]["new"] is None
    assert rows[made["passports"]]["old"]["quote"] == rows[made["passports"]]["new"]["quote"]
    assert V2[rows[made["passports"]]["new"]["start"]:rows[made["passports"]]["new"]["end"]] \
        == rows[made["passports"]]["new"]["quote"]
    fuzzy = cli_json(dossier_path, "annotations", "--anchor", "fuzzy")
    assert [a["id"] for a in fuzzy] == [made["contract"]]
    assert run_cli(dossier_path, "verify").returncode == 0
