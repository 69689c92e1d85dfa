"""``dossier export``, ``import-set`` and ``verify-bundle`` as a user runs them."""

from __future__ import annotations

import hashlib
import json
import shutil
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import select

from app.dossier import Dossier
from db.models import AuditEvent
from tests.app.test_exchange_jsonld import seed
from tests.helpers.cli import run_cli

pytestmark = pytest.mark.slow  # runs the command line in new processes


@pytest.fixture
def dossier_path(any_dossier_path: Path | str) -> Path | str:
    """Every test runs on a dossier folder and on a team dossier (PostgreSQL)."""
    return any_dossier_path


def seeded(dossier_path: Path | str) -> dict[str, object]:
    d = Dossier.open(dossier_path, user="alice")
    try:
        return seed(d)
    finally:
        d.close()


def test_export_then_import_set_twice_then_verify(dossier_path: Path | str, template_dossier: Path,
                                                  tmp_path: Path) -> None:
    seeded(dossier_path)
    out = tmp_path / "approved.jsonld"
    proc = run_cli(dossier_path, "export", "--format", "jsonld", "--out", str(out),
                   "--status", "approved", check=True)
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("exported 1 annotation(s) on 1 document(s) as jsonld")
    assert lines[1] == f"sha256 {hashlib.sha256(out.read_bytes()).hexdigest()}"
    assert lines[2].startswith("chain head ")
    d = Dossier.open(dossier_path, user="alice")
    with d.read() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "export")).one()
    d.close()
    assert event.object_id == lines[1].split()[1]
    assert json.loads(event.payload)["filter"]["statuses"] == ["approved"]
    assert run_cli(dossier_path, "verify").returncode == 0

    other = tmp_path / "other"
    shutil.copytree(template_dossier, other)
    bundle = tmp_path / "evidence.zip"
    run_cli(dossier_path, "export", "--format", "bundle", "--out", str(bundle), check=True)
    first = json.loads(run_cli(other, "import-set", str(bundle), "--json", user="bob",
                               check=True).stdout)
    assert (first["added"], first["identical"], len(first["documents_imported"])) == (3, 0, 1)
    again = run_cli(other, "import-set", str(bundle), user="bob", check=True).stdout
    assert "added 0, identical 3 (skipped), conflicts 0" in again

    ok = run_cli(tmp_path / "nowhere", "verify-bundle", str(bundle))
    assert ok.returncode == 0 and ok.stdout.startswith("ok: ")
    assert f"manifest sha256 {_manifest_sha(bundle)}" in ok.stdout
    assert not (tmp_path / "nowhere").exists()  # verify-bundle needs no dossier


def _manifest_sha(bundle: Path) -> str:
    with zipfile.ZipFile(bundle) as zf:
        return hashlib.sha256(zf.read("manifest.json")).hexdigest()


def test_verify_bundle_fails_on_tampering_and_refuses_hostile_archives(
        dossier_path: Path | str, tmp_path: Path) -> None:
    seeded(dossier_path)
    bundle = tmp_path / "evidence.zip"
    run_cli(dossier_path, "export", "--format", "bundle", "--out", str(bundle), check=True)
    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(bundle) as src, zipfile.ZipFile(tampered, "w") as dst:
        for name in src.namelist():
            data = src.read(name)
            dst.writestr(name, data.replace(b"approved", b"rejected")
                         if name == "annotations.jsonld" else data)
    bad = run_cli(dossier_path, "verify-bundle", str(tampered))
    assert bad.returncode == 1 and bad.stdout == ""
    assert bad.stderr.startswith("dossier: verify-bundle failed: annotations.jsonld was altered")
    evil = tmp_path / "evil.zip"
    with zipfile.ZipFile(evil, "w") as zf:
        zf.writestr("manifest.json", "{}")
        zf.writestr("../../outside.txt", "x")
    hostile = run_cli(dossier_path, "verify-bundle", str(evil))
    assert hostile.returncode == 2 and "climbs out of the archive" in hostile.stderr
    assert len(hostile.stderr.strip().splitlines()) == 1 and "Traceback" not in hostile.stderr
    refused = run_cli(dossier_path, "import-set", str(evil))
    assert refused.returncode == 2 and "Traceback" not in refused.stderr


def test_export_usage_errors_are_one_line(dossier_path: Path | str, tmp_path: Path) -> None:
    seeded(dossier_path)
    taken = tmp_path / "taken.csv"
    taken.write_text("mine", encoding="utf-8")
    exists = run_cli(dossier_path, "export", "--format", "csv", "--out", str(taken))
    assert exists.returncode == 2 and "already exists" in exists.stderr
    assert taken.read_text(encoding="utf-8") == "mine"
    no_doc = run_cli(dossier_path, "export", "--format", "annotated-pdf", "--out",
                     str(tmp_path / "a.pdf"))
    assert no_doc.returncode == 2 and "needs exactly one document: add --doc" in no_doc.stderr
    bad_date = run_cli(dossier_path, "export", "--format", "csv", "--out",
                       str(tmp_path / "x.csv"), "--from", "last week")
    assert bad_date.returncode == 2 and "--from 'last week' is not a date" in bad_date.stderr
    assert not list(tmp_path.glob("*.part")) and not (tmp_path / "x.csv").exists()
