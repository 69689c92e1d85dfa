"""Exports filtered by review status, and the report's decisions, reasons and corroboration."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

from app.dossier import Dossier
from app.exchange import export
from app.exchange.filters import build_filter, select_for_export
from app.exchange.report.render import report_html
from app.services import annotations, claims, codebook, roles, workflow
from tests.helpers.documents import add_text_document
from tests.helpers.review import acting_as

WIRE = ("Workers at the garment factory said their passports were confiscated on arrival and "
        "kept in the manager's office for the whole of their three-year contracts.")
COURT = ("A court fined a recruitment agency for charging migrant workers illegal fees and "
         "ordered it to repay the money within ninety days or lose its licence.")


def _plain(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def test_status_filter_and_report_show_decisions_reasons_and_sources(dossier: Dossier) -> None:
    roles.add_user(dossier, "rita", "reviewer")
    rita = acting_as(dossier, "rita")
    with dossier.read() as session:
        tag = codebook.resolve_tag(session, "Retention of identity documents").id
    wire = add_text_document(dossier, WIRE, "Agency wire")
    reprint = add_text_document(dossier, "Reprinted: " + WIRE, "Daily reprint")
    court = add_text_document(dossier, COURT, "Court ruling")
    start = WIRE.index("passports were confiscated")
    approved = annotations.create_annotation(dossier, wire.id, start, start + 26, [tag]).id
    copy = annotations.create_annotation(dossier, reprint.id, 11 + start, 11 + start + 26,
                                         [tag]).id
    pending = annotations.create_annotation(dossier, court.id, 0, 7, [tag]).id
    workflow.submit(dossier, [approved, pending])
    workflow.decide(rita, [approved], "request_changes", "add the grade")
    annotations.update_annotation(dossier, approved, reliability="B", credibility=2)
    workflow.submit(dossier, [approved])
    workflow.decide(rita, [approved], "approve")
    claims.add_claim(dossier, "Passports were confiscated", [approved, copy])
    claims.add_claim(dossier, "Agencies charged illegal fees", [approved, pending])

    only_approved = select_for_export(dossier, build_filter(dossier, statuses=["approved"]))
    assert [a.id for a in only_approved.annotations] == [approved]
    assert [a.id for a in select_for_export(
        dossier, build_filter(dossier, statuses=["submitted"])).annotations] == [pending]
    text = _plain(report_html(only_approved))
    assert "Review: approved — approved by rita" in text
    assert "Earlier decisions: changes requested by rita" in text and "(“add the grade”)" in text
    # the wire story and its reprint are one source: flagged; with the court ruling, two
    assert ("Supports claim “Passports were confiscated”: 1 independent source(s) single source"
            in text)
    assert "Supports claim “Agencies charged illegal fees”: 2 independent source(s)" in text
    assert "Claims and corroboration" in text and "word 5-gram" in text
    assert text.count("single source") == 2  # the entry and the claims table


def test_jsonld_export_carries_claims_with_source_counts(dossier: Dossier, tmp_path: Path
                                                         ) -> None:
    doc = add_text_document(dossier, WIRE, "Agency wire")
    ann = annotations.create_annotation(dossier, doc.id, 0, 7).id
    claim = claims.add_claim(dossier, "Passports were confiscated", [ann])
    out = tmp_path / "set.jsonld"
    export(dossier, "jsonld", out)
    [item] = json.loads(out.read_text(encoding="utf-8"))["first"]["items"]
    assert item["dossier:claims"] == [{
        "id": f"urn:uuid:{claim.id}", "dossier:statement": "Passports were confiscated",
        "dossier:role": "support", "dossier:independentSources": 1,
        "dossier:singleSource": True}]
