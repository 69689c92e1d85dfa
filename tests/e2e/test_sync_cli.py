"""``dossier clone`` and ``dossier push`` on the command line: a user's offline round trip."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers.cli import cli_json, run_cli

pytestmark = pytest.mark.slow  # the command line in new processes


@pytest.fixture
def dossier_path(any_dossier_path: Path | str) -> Path | str:
    """Every test runs on a dossier folder and on a team dossier (PostgreSQL)."""
    return any_dossier_path

TAG = "Retention of identity documents"
TEXT = ("Managers confiscated the workers' passports on arrival and kept them in a safe. "
        "Wages were paid into accounts controlled by the site manager.\n")


def _seed(folder: Path | str) -> tuple[str, str]:
    """A document and one annotation in the team's dossier (made in-process: not under test)."""
    from app.dossier import Dossier
    from app.services import annotations, codebook
    from tests.helpers.documents import add_text_document

    dossier = Dossier.open(folder, user="alice")
    try:
        doc = add_text_document(dossier, TEXT, "Site report")
        with dossier.read() as session:
            tag = codebook.resolve_tag(session, TAG).id
        start = TEXT.index("kept them in a safe")
        ann = annotations.create_annotation(dossier, doc.id, start, start + 19, [tag])
        return doc.id, ann.id
    finally:
        dossier.close()


def _edit(folder: Path | str, ann_id: str, note: str) -> None:
    from app.dossier import Dossier
    from app.services import annotations

    dossier = Dossier.open(folder, user="alice")
    try:
        annotations.update_annotation(dossier, ann_id, note=note)
    finally:
        dossier.close()


def test_clone_edit_offline_push(dossier_path: Path | str, tmp_path: Path) -> None:
    team = str(dossier_path)
    doc, first = _seed(dossier_path)
    clone = tmp_path / "plane"
    out = run_cli(dossier_path, "clone", team, str(clone), check=True).stdout
    assert f"into {clone}" in out and "1 documents" in out

    made = run_cli(clone, "annotate", doc[:8], "--quote", "confiscated the workers' passports",
                   "--tag", TAG, "--note", "seen offline", check=True).stdout.strip()
    run_cli(clone, "edit", first[:8], "--note", "in the manager's office", check=True)
    _edit(dossier_path, first, "in the safe room")  # meanwhile, in the team's dossier

    pushed = json.loads(run_cli(dossier_path, "push", str(clone), team, "--json",
                                check=True).stdout)
    assert pushed["added"] == {"annotation": 1}
    assert [c["annotation"] for c in pushed["conflicts"]] == [first]
    listed = {a["id"]: a for a in cli_json(dossier_path, "annotations")}
    assert listed[made]["note"] == "seen offline" and listed[made]["author"] == "alice"
    assert listed[first]["note"] == "in the safe room"
    copy = next(a for a in listed.values() if a.get("conflict_of") == first)
    assert copy["note"] == "in the manager's office"
    assert run_cli(clone, "verify").returncode == 0
    from app.dossier import Dossier
    from app.services import integrity

    dossier = Dossier.open(dossier_path, user="alice")
    try:
        assert integrity.verify(dossier).ok
    finally:
        dossier.close()

    refused = run_cli(dossier_path, "clone", team, str(clone))
    assert refused.returncode == 2 and "already exists" in refused.stderr
    assert "Traceback" not in refused.stderr
