"""The ``dossier`` command line end to end, in subprocesses, as a user runs it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers.cli import cli_json, raw_sql, run_cli

pytestmark = pytest.mark.slow  # runs the command line in new processes


@pytest.fixture
def dossier_path(any_dossier_path: Path | str) -> Path | str:
    """Every test runs on a dossier folder and on a team dossier (PostgreSQL)."""
    return any_dossier_path

MIXED = ("The manager 😠 kept their passports (护照被没收了). "
         "قال العمال إن جوازات سفرهم صودرت. Wages went to Office 39 👩🏽‍⚖️.\n")


def _import(dossier: Path | str, tmp_path: Path, text: str = MIXED, name: str = "mixed.txt") -> str:
    src = tmp_path / name
    src.write_text(text, encoding="utf-8")
    proc = run_cli(dossier, "import", str(src), check=True)
    doc_id, title = proc.stdout.rstrip("\n").split("\t")
    assert len(doc_id) == 36 and title
    return doc_id


def test_import_annotate_and_list_return_the_exact_quote(
    dossier_path: Path | str, tmp_path: Path
) -> None:
    doc_id = _import(dossier_path, tmp_path)
    quotes = ["kept their passports (护照被没收了)", "جوازات سفرهم صودرت", "Office 39 👩🏽‍⚖️"]
    ids = []
    for quote, tag in zip(quotes, ["abuses/retention of IDENTITY documents", "Deception",
                                   "Funding flows/Wage deposits to state-controlled accounts"],
                          strict=True):
        proc = run_cli(dossier_path, "annotate", doc_id[:6], "--quote", quote, "--tag", tag,
                       "--note", "seen in report", "--attribution", "NK Watch", check=True)
        ids.append(proc.stdout.strip())
    rows = cli_json(dossier_path, "annotations", "--doc", doc_id[:8])
    assert [r["id"] for r in rows] == ids
    for row, quote in zip(rows, quotes, strict=True):
        assert row["quote"] == quote
        assert MIXED[row["start"]:row["end"]] == quote
        assert {"id", "document", "start", "end", "quote", "prefix", "suffix", "tags", "note",
                "attribution", "status", "anchor", "author", "created", "modified"} <= set(row)
        assert row["author"] == "alice" and row["anchor"] == "exact" and row["status"] == "draft"
        assert row["created"].endswith("Z")
    assert rows[0]["tags"] == ["Abuses/Retention of identity documents"]
    by_tag = cli_json(dossier_path, "annotations", "--tag", "Funding flows")
    assert [r["id"] for r in by_tag] == [ids[2]]
    text = run_cli(dossier_path, "text", doc_id[:8], check=True).stdout
    assert text == MIXED


def test_documents_json_and_same_bytes_twice(dossier_path: Path | str, tmp_path: Path) -> None:
    doc_id = _import(dossier_path, tmp_path)
    again = run_cli(dossier_path, "import", str(tmp_path / "mixed.txt"), check=True)
    assert again.stdout.split("\t")[0] == doc_id
    docs = cli_json(dossier_path, "documents")
    assert len(docs) == 1
    d = docs[0]
    assert {"id", "title", "kind", "pages", "sha256", "source"} <= set(d)
    assert d["kind"] == "text" and d["pages"] == 0 and len(d["sha256"]) == 64
    assert d["source"].endswith("mixed.txt")


def test_bad_usage_and_bad_input_exit_2_with_one_line(dossier_path: Path | str,
                                                      tmp_path: Path) -> None:
    doc_id = _import(dossier_path, tmp_path)
    cases = [
        ("annotate", doc_id, "--quote", "kept", "--tag", "No such tag"),
        ("annotate", doc_id, "--quote", "not in the text", "--tag", "Deception"),
        ("annotate", "ffffffff", "--quote", "kept", "--tag", "Deception"),
        ("annotate", doc_id, "--start", "5", "--end", "9999", "--tag", "Deception"),
        ("text", "nope"),
        ("import", str(tmp_path / "missing.pdf")),
    ]
    for args in cases:
        proc = run_cli(dossier_path, *args)
        assert proc.returncode == 2, (args, proc.stderr)
        assert proc.stderr.count("\n") == 1 and proc.stderr.startswith("dossier: "), proc.stderr
        assert "Traceback" not in proc.stderr
    assert cli_json(dossier_path, "annotations") == []
    assert run_cli(dossier_path, "annotate", doc_id).returncode == 2  # --tag missing: usage


def test_ambiguous_tag_is_refused(dossier_path: Path | str, tmp_path: Path) -> None:
    from app.dossier import Dossier
    from app.services.codebook import create_tag

    d = Dossier.open(dossier_path, user="alice")
    create_tag(d, "Deception", parent="Context")
    d.close()
    doc_id = _import(dossier_path, tmp_path)
    proc = run_cli(dossier_path, "annotate", doc_id, "--quote", "kept", "--tag", "deception")
    assert proc.returncode == 2 and "ambiguous" in proc.stderr


def test_tags_search_and_verify(dossier_path: Path | str, tmp_path: Path) -> None:
    doc_id = _import(dossier_path, tmp_path)
    run_cli(dossier_path, "annotate", doc_id, "--quote", "Wages went", "--tag", "Use of proceeds",
            "--note", "Office 39 funds weapons", check=True)
    tree = run_cli(dossier_path, "tags", check=True).stdout.splitlines()
    assert tree[0].startswith("Abuses") and any(line.startswith("  Deception") for line in tree)
    tags = cli_json(dossier_path, "tags")
    assert next(t for t in tags if t["name"] == "Use of proceeds")["count"] == 1
    hits = cli_json(dossier_path, "search", "weapons")
    assert [h["kind"] for h in hits] == ["note"]
    hits = cli_json(dossier_path, "search", "passports")
    assert {h["kind"] for h in hits} == {"document"}
    ok = run_cli(dossier_path, "verify")
    assert ok.returncode == 0 and ok.stdout.splitlines()[-1].startswith("head ")
    report = cli_json(dossier_path, "verify")
    assert report["ok"] is True and len(report["head"]) == 64


def test_verify_names_the_first_broken_item(dossier_path: Path | str,
                                            tmp_path: Path) -> None:
    doc_id = _import(dossier_path, tmp_path)
    run_cli(dossier_path, "annotate", doc_id, "--quote", "kept", "--tag", "Deception", check=True)
    with raw_sql(dossier_path) as conn:
        seq = conn.execute(
            "SELECT seq FROM audit_events WHERE action = 'annotation.create'").fetchone()[0]
        conn.execute("UPDATE audit_events SET payload = replace(payload, 'kept', 'gave') "
                     "WHERE seq = ?", (seq,))
    proc = run_cli(dossier_path, "verify")
    assert proc.returncode == 1
    assert f"audit event {seq} " in proc.stderr.splitlines()[0]
    report = json.loads(run_cli(dossier_path, "verify", "--json").stdout)
    assert report["ok"] is False


def test_import_ocr_options(dossier_path: Path | str, tmp_path: Path) -> None:
    import shutil

    from tests.helpers.scans import digital_pdf, rasterise, scanned_pdf

    scan = scanned_pdf(tmp_path / "scan.pdf", rasterise(digital_pdf(tmp_path / "d.pdf"), 200),
                       200)
    refused = run_cli(dossier_path, "import", "--ocr", "never", str(scan))
    assert refused.returncode == 2
    assert "has no extractable text (it is a scanned image); OCR it first" in refused.stderr
    if shutil.which("tesseract") is None:
        return
    wrong = run_cli(dossier_path, "import", "--lang", "xyz", str(scan))
    assert wrong.returncode != 0 and "OCR language xyz is not installed" in wrong.stderr
    assert "Traceback" not in wrong.stderr
    done = run_cli(dossier_path, "import", "--ocr", "auto", "--lang", "eng", str(scan),
                   check=True)
    doc_id = done.stdout.split("\t")[0]
    text = run_cli(dossier_path, "text", doc_id, check=True).stdout
    assert "2,450,000" in text
