"""Evidence bundles: what they hold, verification (and tampering), import into an empty dossier."""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from app import audit
from app.dossier import Dossier
from app.errors import BadInput
from app.exchange import export
from app.exchange.bundle.read import verify_bundle
from app.exchange.filters import build_filter
from app.services import annotations as A
from app.services.documents import list_documents
from app.services.sets.merge import import_set
from tests.app.test_exchange_jsonld import counts, fields, seed
from tests.helpers.corpus import corpus_dir, requires_corpus
from tests.helpers.second import another_dossier


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def rewrite(path: Path, out: Path, contents: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in contents.items():
            zf.writestr(name, data)
    return out


def with_manifest_updated(contents: dict[str, bytes], name: str) -> dict[str, bytes]:
    """What a careful forger does: fix the manifest's hash for the file they changed."""
    manifest = json.loads(contents["manifest.json"])
    for entry in manifest["files"]:
        if entry["path"] == name:
            entry["sha256"] = hashlib.sha256(contents[name]).hexdigest()
            entry["size"] = len(contents[name])
    return {**contents, "manifest.json": json.dumps(manifest).encode()}


@pytest.fixture
def dossier(any_dossier: Dossier) -> Dossier:
    """Round trips run between two dossier folders and between two team dossiers."""
    return any_dossier


@pytest.fixture
def other(request: pytest.FixtureRequest, engine_name: str, tmp_path: Path) -> Iterator[Dossier]:
    """A second, empty dossier (user bob) on the same engine."""
    with another_dossier(request, engine_name, tmp_path / "other") as d:
        yield d


@pytest.fixture
def bundle(dossier: Dossier, tmp_path: Path) -> tuple[Path, dict[str, object]]:
    s = seed(dossier)
    path = tmp_path / "evidence.zip"
    export(dossier, "bundle", path)
    return path, s


def test_bundle_holds_originals_annotations_report_codebook_and_audit_excerpt(
        dossier: Dossier, bundle: tuple[Path, dict[str, object]]) -> None:
    path, s = bundle
    files = members(path)
    manifest = json.loads(files["manifest.json"])
    assert manifest["format"] == "dossier-evidence-bundle" and manifest["exported_by"] == "alice"
    listed = {f["path"]: f for f in manifest["files"]}
    assert set(listed) == set(files) - {"manifest.json"}
    for name, entry in listed.items():
        assert hashlib.sha256(files[name]).hexdigest() == entry["sha256"]
        assert len(files[name]) == entry["size"]
    for doc in list_documents(dossier):
        assert files[f"originals/{doc.sha256}"] == dossier.originals.read(doc.sha256)
    assert json.loads(files["annotations.jsonld"])["total"] == 5
    assert {"report.html", "codebook.json", "audit.jsonl", "README.txt"} <= set(files)
    with dossier.read() as session:
        head_seq, head_hash = audit.head(session)
    assert manifest["chain_head"]["seq"] <= head_seq  # the export itself came after
    events = [json.loads(line) for line in files["audit.jsonl"].decode().splitlines()]
    created = {e["object_id"] for e in events if e["action"] == "annotation.create"}
    assert created == {a.id for a in s["anns"]}  # type: ignore[attr-defined]
    assert {e["action"] for e in events} >= {"document.import", "tag.create", "annotation.review"}
    assert [e["seq"] for e in events] == list(range(1, manifest["chain_head"]["seq"] + 1))
    full = [e for e in events if not e.get("withheld")]
    for e in full:
        assert audit.event_hash(e["prev_hash"], e["seq"], e["at"], e["actor"], e["action"],
                                e["object_type"], e["object_id"], e["payload"],
                                e.get("state")) == e["hash"]
    report = verify_bundle(path)
    assert report.ok and report.files_checked == len(listed)
    assert report.events_checked == len(full) and report.links_checked == len(events)
    assert report.manifest_sha256 == hashlib.sha256(files["manifest.json"]).hexdigest()
    del head_hash


def test_tampering_is_found(bundle: tuple[Path, dict[str, object]], tmp_path: Path) -> None:
    path, _ = bundle
    files = members(path)
    original = next(n for n in files if n.startswith("originals/"))

    def problems(contents: dict[str, bytes], name: str) -> list[str]:
        return verify_bundle(rewrite(path, tmp_path / f"{name}.zip", contents)).problems

    assert any(f"{original} was altered" in p for p in problems(
        {**files, original: files[original] + b" "}, "altered"))
    assert any("stowaway.txt is in the bundle but not in the manifest" in p for p in problems(
        {**files, "stowaway.txt": b"x"}, "extra"))
    assert any("codebook.json is listed in the manifest but missing" in p for p in problems(
        {k: v for k, v in files.items() if k != "codebook.json"}, "missing"))
    lines = files["audit.jsonl"].decode().splitlines()
    seqs = [json.loads(line)["seq"] for line in lines]
    i = next(k for k in range(len(seqs) - 1)
             if not json.loads(lines[k]).get("withheld") and json.loads(lines[k]).get(
                 "object_type") == "tag")

    def forge(event: dict[str, object]) -> dict[str, bytes]:
        text = "\n".join([*lines[:i], audit.canonical_json(event), *lines[i + 1:]]) + "\n"
        return with_manifest_updated({**files, "audit.jsonl": text.encode()}, "audit.jsonl")

    event = json.loads(lines[i])
    event["actor"] = "mallory"
    assert problems(forge(event), "event") == [
        f"audit event {event['seq']} ({event['action']} of tag {event['object_id']}) was "
        "altered: its hash does not recompute"]
    event["hash"] = audit.event_hash(event["prev_hash"], event["seq"], event["at"],
                                     event["actor"], event["action"], event["object_type"],
                                     event["object_id"], event["payload"], event.get("state"))
    assert problems(forge(event), "relinked") == [
        f"audit event {seqs[i + 1]} ({json.loads(lines[i + 1])['action']}) does not link to "
        f"event {seqs[i]}: it names a different previous hash"]


def test_bundle_imports_into_a_dossier_that_has_nothing(
        dossier: Dossier, other: Dossier, tmp_path: Path) -> None:
    s = seed(dossier)
    path = tmp_path / "article.zip"
    export(dossier, "bundle", path, build_filter(dossier, documents=[s["doc"].id]))
    summary = import_set(other, path)
    assert summary.documents_imported == ["Article A"] and len(summary.added) == 3
    (doc,) = list_documents(other)
    assert (doc.sha256, doc.title) == (s["doc"].sha256, "Article A")
    assert other.originals.read(doc.sha256) == dossier.originals.read(doc.sha256)
    before = {a.id: fields(a) for a in s["anns"][:3]}
    assert {a.id: fields(a) for a in A.list_annotations(other)} == before
    first = counts(other)
    again = import_set(other, path)
    assert again.identical == 3 and not again.documents_imported
    assert counts(other) == first


def test_unreadable_original_is_reported_missing(dossier: Dossier, other: Dossier,
                                                 bundle: tuple[Path, dict[str, object]]) -> None:
    path, s = bundle
    summary = import_set(other, path)  # the seed's 'PDF' is fake, so it cannot be extracted
    (missing,) = summary.documents_missing
    assert missing["sha256"] == s["pdf"].sha256  # type: ignore[attr-defined]
    assert missing["annotations"] == 2 and "cannot be imported" in missing["reason"]
    assert len(summary.added) == 3


def test_tampered_bundle_is_refused_and_nothing_is_written(
        other: Dossier, bundle: tuple[Path, dict[str, object]], tmp_path: Path) -> None:
    path, _ = bundle
    files = members(path)
    data = json.loads(files["annotations.jsonld"])
    data["first"]["items"][0]["dossier:status"] = "approved"
    bad = rewrite(path, tmp_path / "bad.zip",
                  {**files, "annotations.jsonld": json.dumps(data).encode()})
    before = counts(other)
    with pytest.raises(BadInput, match="the bundle does not verify .annotations.jsonld was "
                                       "altered"):
        import_set(other, bad)
    assert counts(other) == before and not list_documents(other)


@requires_corpus
def test_real_pdf_travels_in_a_bundle_with_its_pages(dossier: Dossier, other: Dossier,
                                                    tmp_path: Path) -> None:
    from app.services.documents import document_text
    from app.services.imports import import_file

    pdf = corpus_dir() / "pdf" / "pdflatex-4-pages.pdf"  # type: ignore[operator]
    doc = import_file(dossier, pdf).document
    assert doc is not None
    text = document_text(dossier, doc.id)
    start = text.index("\n\n") + 2 + 10  # a passage on page 2
    ann = A.create_annotation(dossier, doc.id, start, start + 25, [], note="page two")
    path = tmp_path / "pdf.zip"
    export(dossier, "bundle", path)
    summary = import_set(other, path)
    assert summary.documents_imported and len(summary.added) == 1
    (got,) = A.list_annotations(other)
    assert fields(got) == fields(ann) and got.page_start == 2
