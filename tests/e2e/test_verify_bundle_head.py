"""``verify-bundle --dossier`` checks the bundle's chain head against a dossier: it passes on the
dossier that wrote the bundle and fails once the history before the head was rewritten (every
later hash recomputed) or on another dossier."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.helpers.cli import opened, run_cli
from tests.helpers.tampering import rewrite_history


@pytest.fixture
def dossier_path(any_dossier_path: Path | str) -> Path | str:
    """Every test runs on a dossier folder and on a team dossier (PostgreSQL)."""
    return any_dossier_path

TEXT = "Managers confiscated the workers' passports on arrival. Wages went to the state.\n"


def test_bundle_head_is_checked_against_a_dossier(dossier_path: Path | str,
                                                  template_dossier: Path,
                                                  tmp_path: Path) -> None:
    source = tmp_path / "note.txt"
    source.write_text(TEXT)
    doc_id = run_cli(dossier_path, "import", str(source), check=True).stdout.split()[0]
    run_cli(dossier_path, "annotate", doc_id, "--quote", "passports", "--tag", "Deception",
            check=True)
    bundle = tmp_path / "evidence.zip"
    run_cli(dossier_path, "export", "--format", "bundle", "--out", str(bundle), check=True)
    ok = run_cli(dossier_path, "verify-bundle", str(bundle))
    assert ok.returncode == 0, ok.stderr
    assert "is in the dossier" in ok.stdout

    other = tmp_path / "other"
    shutil.copytree(template_dossier, other)
    elsewhere = run_cli(other, "verify-bundle", str(bundle))
    assert elsewhere.returncode == 1 and "not in the dossier's audit chain" in elsewhere.stderr

    with opened(dossier_path) as dossier:
        rewrite_history(dossier, seq=1)
    assert run_cli(dossier_path, "verify").returncode == 0  # the chain alone recomputes
    rewritten = run_cli(dossier_path, "verify-bundle", str(bundle))
    assert rewritten.returncode == 1
    assert rewritten.stderr.count("\n") == 1 and "history" in rewritten.stderr
