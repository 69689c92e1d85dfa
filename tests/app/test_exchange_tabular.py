"""CSV and XLSX exports: columns, one row per annotation and tag, RFC 4180, formula safety."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import datetime
from pathlib import Path

import pytest

from app.dossier import Dossier
from app.exchange import export
from app.exchange.filters import build_filter, select_for_export
from app.exchange.tabular.write import COLUMNS, HEADER, XLSX_HEADER, iter_rows
from app.services import annotations as A
from tests.app.test_exchange_jsonld import ARTICLE, seed

# Copied as FORMATS.md section 4 writes them.
_FORMATS_TEXT = ("annotation_id, document_id, document_title, source_uri, page, start, end, "
                 "exact, prefix, suffix, tag, tag_path, comment, creator, created, modified, "
                 "review_status, reviewer, text_sha256")
FORMATS_COLUMNS = _FORMATS_TEXT.split(", ")
STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")


def read_csv(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    with io.StringIO(raw.decode("utf-8"), newline="") as fh:
        return list(csv.reader(fh, strict=True))


def test_csv_has_the_documented_columns_and_one_row_per_annotation_and_tag(
        dossier: Dossier, tmp_path: Path) -> None:
    s = seed(dossier)
    path = tmp_path / "set.csv"
    export(dossier, "csv", path)
    rows = read_csv(path)
    assert rows[0][:len(FORMATS_COLUMNS)] == FORMATS_COLUMNS == list(COLUMNS)
    assert rows[0][len(COLUMNS):] == ["tag_id", "attribution", "reliability", "credibility"]
    body = [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]
    a1, a2, a3, a4, a5 = s["anns"]
    per_annotation = {a.id: [r for r in body if r["annotation_id"] == a.id] for a in s["anns"]}
    assert [len(per_annotation[a.id]) for a in s["anns"]] == [2, 1, 1, 1, 1]
    assert {r["tag_path"] for r in per_annotation[a1.id]} == {
        "Abuses/Retention of identity documents", "Contracts/Employer or worksite"}
    assert {r["tag_id"] for r in per_annotation[a1.id]} == {
        s["tags"]["Abuses/Retention of identity documents"],
        s["tags"]["Contracts/Employer or worksite"]}
    untagged = per_annotation[a3.id][0]
    assert untagged["tag"] == untagged["tag_path"] == untagged["tag_id"] == ""
    first = per_annotation[a1.id][0]
    assert first["exact"] == ARTICLE[int(first["start"]):int(first["end"])] == a1.quote
    assert first["comment"] == a1.note  # a newline inside a quoted field survives
    assert (first["creator"], first["review_status"], first["reviewer"]) == ("alice",
                                                                           "approved", "bob")
    assert (first["reliability"], first["credibility"]) == ("B", "2")
    assert first["text_sha256"] == s["doc"].text_sha256
    assert first["source_uri"] == f"urn:uuid:{s['doc'].id}"
    assert per_annotation[a4.id][0]["page"] == "2" and first["page"] == ""
    for row in body:
        assert STAMP.match(row["created"]) and STAMP.match(row["modified"])
    assert per_annotation[a3.id][0]["exact"] == a3.quote  # CJK, quotes, commas, emoji intact
    assert b"\r\n" in path.read_bytes()


def test_cells_that_spreadsheets_would_run_are_neutralised(dossier: Dossier,
                                                          tmp_path: Path) -> None:
    s = seed(dossier)
    export(dossier, "csv", tmp_path / "set.csv")
    rows = read_csv(tmp_path / "set.csv")
    comments = {r[0]: r[HEADER.index("comment")] for r in rows[1:]}
    a2, a4, a5 = s["anns"][1], s["anns"][3], s["anns"][4]
    assert comments[a2.id] == "'=HYPERLINK(\"http://evil\")"
    assert comments[a4.id] == "'+ page two" and comments[a5.id] == "'@spans pages"
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@")), cell
    export(dossier, "jsonld", tmp_path / "set.jsonld")  # JSON-LD keeps the text as it is
    assert "=HYPERLINK" in json.dumps(json.loads((tmp_path / "set.jsonld").read_text()))
    assert '"value":"=HYPERLINK' in (tmp_path / "set.jsonld").read_text(encoding="utf-8")


def test_hand_built_csv_equals_what_the_csv_module_reads_back(dossier: Dossier,
                                                             tmp_path: Path) -> None:
    seed(dossier)
    export(dossier, "csv", tmp_path / "set.csv")
    expected = [[str(c) for c in row] for row in iter_rows(select_for_export(dossier))]
    assert read_csv(tmp_path / "set.csv")[1:] == expected


def test_filters_apply_to_csv(dossier: Dossier, tmp_path: Path) -> None:
    s = seed(dossier)
    export(dossier, "csv", tmp_path / "approved.csv",
           build_filter(dossier, statuses=["approved"]))
    rows = read_csv(tmp_path / "approved.csv")[1:]
    assert {r[0] for r in rows} == {s["anns"][0].id} and len(rows) == 2


def test_xlsx_holds_the_same_rows_as_text_not_formulas(dossier: Dossier,
                                                       tmp_path: Path) -> None:
    from openpyxl import load_workbook

    seed(dossier)
    path = tmp_path / "set.xlsx"
    export(dossier, "xlsx", path)
    book = load_workbook(path, read_only=True)
    assert book.sheetnames == ["Annotations", "Export"]
    sheet = book["Annotations"]
    rows = [[("" if c.value is None else c.value) for c in r] for r in sheet.iter_rows()]
    assert rows[0] == list(XLSX_HEADER)
    assert "created (UTC)" in rows[0] and "modified (UTC)" in rows[0]
    dates = {HEADER.index("created"), HEADER.index("modified")}
    expected = [[_as_date(v) if i in dates else v for i, v in enumerate(r)]
                for r in iter_rows(select_for_export(dossier), neutralised=False)]
    assert rows[1:] == expected
    types = {c.data_type for r in sheet.iter_rows(min_row=2) for c in r if c.value is not None}
    assert "f" not in types
    about = {r[0].value: r[1].value for r in book["Export"].iter_rows()}
    assert about["annotations"] == 5 and about["exported by"] == "alice"


def _as_date(stamp: str) -> datetime:
    moment = datetime.fromisoformat(stamp.replace("Z", "+00:00")).replace(tzinfo=None)
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def test_xlsx_dates_are_dates_and_text_is_the_annotations_text_exactly(
        dossier: Dossier, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    s = seed(dossier)
    A.update_annotation(dossier, s["anns"][0].id, note="'-mehrjährige Haft")
    risky = A.update_annotation(dossier, s["anns"][2].id, note="-mehrjährige Haft")
    path = tmp_path / "set.xlsx"
    export(dossier, "xlsx", path)
    sheet = load_workbook(path)["Annotations"]
    header = [c.value for c in sheet[1]]
    by_id: dict[str, dict[str, object]] = {}
    for row in sheet.iter_rows(min_row=2):
        cells = dict(zip(header, row, strict=True))
        by_id.setdefault(str(cells["annotation_id"].value), {k: c for k, c in cells.items()})
    for ann in A.list_annotations(dossier):
        cells = by_id[ann.id]
        created = cells["created (UTC)"]
        assert isinstance(created.value, datetime) and created.is_date  # type: ignore[attr-defined]
        assert created.value == _as_date(ann.created)  # type: ignore[attr-defined]
        for column, value in (("exact", ann.quote), ("comment", ann.note),
                              ("prefix", ann.prefix), ("suffix", ann.suffix)):
            cell = cells[column]
            got = cell.value if cell.value is not None else ""  # type: ignore[attr-defined]
            assert got == value
            assert cell.data_type in ("s", "n") and got == value  # type: ignore[attr-defined]
    assert by_id[risky.id]["comment"].value == "-mehrjährige Haft"  # type: ignore[attr-defined]
    assert by_id[s["anns"][1].id]["comment"].value == s["anns"][1].note  # type: ignore[attr-defined]


def test_csv_for_excel_has_a_bom_and_crlf_and_stays_neutralised(dossier: Dossier,
                                                                 tmp_path: Path) -> None:
    seed(dossier)
    plain, excel = tmp_path / "plain.csv", tmp_path / "excel.csv"
    export(dossier, "csv", plain)
    export(dossier, "csv-excel", excel)
    data = excel.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and not plain.read_bytes().startswith(b"\xef")
    assert data[3:] == plain.read_bytes()
    assert data.count(b"\r\n") >= 6
    assert b"'=HYPERLINK" in data


def test_cli_excel_option(dossier_path: Path, tmp_path: Path,
                          capsys: pytest.CaptureFixture[str]) -> None:
    from app.cli.main import main

    d = Dossier.open(dossier_path, user="alice")
    try:
        seed(d)
    finally:
        d.close()
    out = tmp_path / "for-excel.csv"
    common = ["--dossier", str(dossier_path), "--user", "alice"]
    assert main([*common, "export", "--format", "csv", "--excel", "--out", str(out)]) == 0
    assert out.read_bytes().startswith(b"\xef\xbb\xbf" + ",".join(HEADER).encode() + b"\r\n")
    status = main([*common, "export", "--format", "xlsx", "--excel", "--out",
                   str(tmp_path / "x.xlsx")])
    err = capsys.readouterr().err
    assert status != 0 and "--excel applies to --format csv only" in err
    assert "Traceback" not in err and not (tmp_path / "x.xlsx").exists()
