"""Seeded fuzzing of document imports (the short CI run; ``benchmarks/fuzz_imports.py`` is the long
one with the full-size hostile files and peak-memory figures).

Mutated corpus PDFs, HTML pages and texts, and hand-made hostile files (forms drawing forms, a
flate bomb, a huge string, many pages, many paragraphs, NUL bytes, a device and a pipe) each end
imported, imported with warnings, or refused with one line naming the file; ``verify`` passes
afterwards.
"""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest

from app.dossier import Dossier
from app.errors import BadInput
from app.services import imports
from app.services.integrity import verify
from tests.helpers import hostile
from tests.helpers.corpus import corpus_dir
from tests.helpers.fuzz import import_one, mutate

SEED = 20261130
PDFS = ["pdflatex-4-pages.pdf", "google-doc-document.pdf", "scotus-transcript-p1.pdf",
        "habibi.pdf", "annotations.pdf"]


def _corpus() -> Path:
    folder = corpus_dir()
    if folder is None:
        pytest.skip("../shared/corpus not found beside the checkout")
    return folder


def test_mutated_corpus_files_end_well(dossier: Dossier) -> None:
    folder = _corpus()
    rng = random.Random(SEED)
    inputs: list[tuple[str, bytes]] = []
    for name in PDFS:
        data = (folder / "pdf" / name).read_bytes()
        inputs += [(f"m{i}-{name}", mutate(data, rng, edits=rng.randrange(1, 8)))
                   for i in range(2)]
    for path in sorted((folder / "html").glob("*.html"))[:4]:
        inputs.append((f"m-{path.name}", mutate(path.read_bytes(), rng, edits=6)))
    for path in sorted((folder / "text").glob("*"))[:2]:
        inputs.append((f"m-{path.name}", mutate(path.read_bytes(), rng, edits=6)))
    outcomes = [import_one(dossier, data, name) for name, data in inputs]
    assert {o.status for o in outcomes} <= {"imported", "present", "warned", "refused"}
    assert any(o.status != "refused" for o in outcomes)
    report = verify(dossier)
    assert report.ok, report.problems


@pytest.mark.parametrize("name, make, expect", [
    ("fanout.pdf", lambda: hostile.form_fanout_pdf(levels=9, fanout=10), "refused"),
    ("bomb.pdf", lambda: hostile.flate_bomb_pdf(megabytes=64), None),
    ("huge-string.pdf", lambda: hostile.huge_string_pdf(megabytes=10), "refused"),
    ("many-pages.pdf", lambda: hostile.many_pages_pdf(pages=300), "imported"),
    ("many-paragraphs.html", lambda: hostile.many_paragraphs_html(paragraphs=30_000), "warned"),
    ("newlines.txt", lambda: hostile.newlines_text(megabytes=2), "imported"),
    ("nuls.txt", lambda: b"Text with a stray NUL\x00 byte.\n" + b"Plain text.\n" * 400,
     "warned"),
    ("all-nuls.txt", lambda: b"\x00" * 4096, "refused"),
])
def test_hostile_files_end_well(dossier: Dossier, name: str, make: object,
                                expect: str | None) -> None:
    outcome = import_one(dossier, make(), name)  # type: ignore[operator]
    if expect is not None:
        assert outcome.status == expect, outcome
    assert verify(dossier).ok


def test_devices_and_pipes_are_refused_unopened(dossier: Dossier, tmp_path: Path) -> None:
    if not Path("/dev/zero").exists() or not hasattr(os, "mkfifo"):
        pytest.skip("no /dev/zero or FIFOs on this system")
    fifo = tmp_path / "pipe.pdf"
    os.mkfifo(fifo)
    for path, what in ((Path("/dev/zero"), "a device"), (fifo, "a pipe")):
        with pytest.raises(BadInput, match=f"is {what}, not a file"):
            imports.import_file(dossier, path)
