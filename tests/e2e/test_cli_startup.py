"""The command line starts light: ``--help`` and ``--version`` load neither the database layer nor
Qt; the desktop application comes only through the entry point above both layers."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers.cli import REPO, run_cli

HEAVY = ("sqlalchemy", "PySide6", "alembic", "pdfplumber", "trafilatura", "openpyxl")


def _loaded_after(argv: list[str]) -> tuple[str, list[str]]:
    code = (
        "import contextlib, io, json, sys\n"
        "from launch import main\n"
        "out = io.StringIO()\n"
        "with contextlib.redirect_stdout(out):\n"
        "    try:\n"
        f"        main({argv!r})\n"
        "    except SystemExit:\n"
        "        pass\n"
        f"heavy = sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r}))\n"
        "print(json.dumps([out.getvalue(), heavy]))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                          text=True, timeout=120, check=True)
    shown, heavy = json.loads(proc.stdout)
    return shown, heavy


def test_help_and_version_load_neither_the_database_layer_nor_qt() -> None:
    shown, heavy = _loaded_after(["--help"])
    assert "annotations" in shown and "export" in shown and "verify" in shown
    assert heavy == []
    shown, heavy = _loaded_after(["--version"])
    assert shown.startswith("dossier ")
    assert heavy == []
    shown, heavy = _loaded_after(["export", "--help"])
    assert "jsonld" in shown and "--status" in shown
    assert heavy == []


@pytest.mark.slow
def test_the_core_command_line_alone_has_no_window(tmp_path: Path) -> None:
    proc = run_cli(tmp_path / "d", "gui")
    assert proc.returncode == 2
    assert "open it with 'dossier gui'" in proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.slow
def test_json_listings_are_one_valid_document(tmp_path: Path) -> None:
    proc = run_cli(tmp_path / "d", "tags", "--json", check=True)
    tags = json.loads(proc.stdout)
    assert tags and all("path" in t for t in tags)


@pytest.mark.slow
def test_search_reads_an_up_to_date_dossier_without_the_orm(dossier_path: Path) -> None:
    from app.dossier import Dossier
    from tests.helpers.documents import add_text_document

    d = Dossier.open(dossier_path, user="alice")
    doc = add_text_document(d, "Brokers took a remittance fee from every worker.", "Fees")
    d.close()
    shown, heavy = _loaded_after(["--dossier", str(dossier_path), "search", "remittance"])
    assert shown.split("\t")[:3] == ["document", doc.id[:8], "Fees"]
    assert heavy == []
