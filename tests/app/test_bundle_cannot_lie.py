"""A bundle that cannot lie: tampering that re-hashes the manifest is still caught and named.

Whoever edits a bundle can always re-hash its manifest; what they cannot redo is the dossier's
audit chain. verify-bundle ties every quote to its audit record and to its original (extracted
again), every original to its import record, and the chain to its head.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app import audit
from app.dossier import Dossier
from app.exchange import export
from app.exchange.bundle.read import verify_bundle
from app.services import annotations as A
from app.services.imports import import_file
from tests.app.test_exchange_bundle import members, rewrite, with_manifest_updated
from tests.helpers.cli import run_cli
from tests.helpers.corpus import corpus_dir
from tests.helpers.documents import add_text_document

#: Each test extracts a corpus PDF and re-extracts it while verifying; one runs the CLI.
pytestmark = pytest.mark.slow

ARTICLE = ("The ministry signed a contract worth EUR 4.2 million with Acme Ltd in March.\n\n"
           "Officials declined to comment on the second payment.")


@pytest.fixture
def made(dossier: Dossier, tmp_path: Path) -> tuple[Path, dict[str, str], str]:
    """A bundle of a text and a corpus PDF with annotations; the ids and the head hash."""
    corpus = corpus_dir()
    if corpus is None:
        pytest.skip("../shared/corpus not found beside the checkout")
    text_doc = add_text_document(dossier, ARTICLE, "Contract story")
    pdf_doc = import_file(dossier, corpus / "pdf" / "2023-06-20-PV.pdf").document
    assert pdf_doc is not None
    ids = {}
    for key, doc_id, quote in (("text", text_doc.id, "a contract worth EUR 4.2 million"),
                               ("pdf", pdf_doc.id, "Gaëtan Gagné")):
        with dossier.read() as session:
            text = dossier.document_text(session, doc_id)
        start, end = A.find_quote(text, quote)
        ids[key] = A.create_annotation(dossier, doc_id, start, end, note=f"on {key}").id
    ids["pdf_sha"] = pdf_doc.sha256
    path = export(dossier, "bundle", tmp_path / "bundle.zip").path
    with dossier.read() as session:
        _, head = audit.head(session)
    return path, ids, head


def problems_of(path: Path, out: Path, contents: dict[str, bytes]) -> list[str]:
    return verify_bundle(rewrite(path, out, contents)).problems


def test_an_untouched_bundle_verifies_with_every_check(
        made: tuple[Path, dict[str, str], str]) -> None:
    path, _, _ = made
    report = verify_bundle(path)
    assert report.ok, report.problems
    assert report.annotations_checked == 2 and report.originals_extracted == 2
    assert report.recomputed_head == report.manifest["chain_head"]


def test_a_falsified_quote_is_caught_and_named(made: tuple[Path, dict[str, str], str],
                                               tmp_path: Path) -> None:
    path, ids, _ = made
    files = members(path)
    data = files["annotations.jsonld"].decode("utf-8")
    assert data.count("a contract worth EUR 4.2 million") >= 1
    forged = data.replace("a contract worth EUR 4.2 million", "a contract worth EUR 0.2 million")
    contents = with_manifest_updated({**files, "annotations.jsonld": forged.encode()},
                                     "annotations.jsonld")
    found = problems_of(path, tmp_path / "quote.zip", contents)
    named = [p for p in found if ids["text"] in p]
    assert any("is not the quote audit event" in p for p in named), found
    assert any("is not the text of originals/" in p for p in named), found


@pytest.mark.parametrize("which", ["text", "pdf"])  # in the middle, and the last event
def test_a_removed_audit_event_is_caught_and_named(made: tuple[Path, dict[str, str], str],
                                                   tmp_path: Path, which: str) -> None:
    path, ids, _ = made
    files = members(path)
    lines = files["audit.jsonl"].decode("utf-8").splitlines()
    gone = next(i for i, line in enumerate(lines) if ids[which] in line)
    seq = json.loads(lines[gone])["seq"]
    text = "\n".join(lines[:gone] + lines[gone + 1:]) + "\n"
    contents = with_manifest_updated({**files, "audit.jsonl": text.encode()}, "audit.jsonl")
    found = problems_of(path, tmp_path / "event.zip", contents)
    assert any(f"audit event {seq} is missing" in p for p in found), found
    assert any(ids[which] in p and "no record" in p for p in found), found


def test_a_swapped_original_is_caught_and_named(made: tuple[Path, dict[str, str], str],
                                                tmp_path: Path) -> None:
    import hashlib

    path, ids, _ = made
    files = members(path)
    old = ids["pdf_sha"]
    other = (corpus_dir() / "pdf" / "pdflatex-4-pages.pdf").read_bytes()  # type: ignore[operator]
    new = hashlib.sha256(other).hexdigest()
    contents = {k: v for k, v in files.items() if k != f"originals/{old}"}
    contents[f"originals/{new}"] = other
    contents["annotations.jsonld"] = files["annotations.jsonld"].replace(
        old.encode(), new.encode())
    manifest = json.loads(contents["manifest.json"])
    for entry in manifest["files"]:
        if entry["path"] == f"originals/{old}":
            entry.update(path=f"originals/{new}", sha256=new, size=len(other))
    contents["manifest.json"] = json.dumps(manifest).encode()
    contents = with_manifest_updated(contents, "annotations.jsonld")
    found = problems_of(path, tmp_path / "swap.zip", contents)
    assert any("the original was swapped" in p and f"originals/{new}" in p for p in found), found
    assert any(ids["pdf"] in p and f"originals/{new}" in p for p in found), found


def test_head_must_be_one_the_verifier_holds(made: tuple[Path, dict[str, str], str],
                                             dossier: Dossier, tmp_path: Path) -> None:
    path, _, _ = made
    manifest_head = verify_bundle(path).manifest["chain_head"]["hash"]
    assert verify_bundle(path, head=manifest_head).ok
    with dossier.read() as session:
        earlier = next(e.hash for e in audit.iter_events(session) if e.seq == 3)
    assert verify_bundle(path, head=earlier).ok  # an older head of the same chain
    foreign = "ab" * 32
    report = verify_bundle(path, head=foreign)
    assert not report.ok and "is not in this bundle's audit chain" in report.problems[0]
    proc = run_cli(dossier.folder, "verify-bundle", str(path), "--head", foreign)
    assert proc.returncode == 1 and "not in this bundle's audit chain" in proc.stderr
    proc = run_cli(dossier.folder, "verify-bundle", str(path), "--head", manifest_head)
    assert proc.returncode == 0 and "the chain head you hold" in proc.stdout, proc.stderr
