"""PDF evidence reports at full size: 3,000 annotations, and one annotation with a 10 MB note.

Both dossiers are built through the services (create_annotation, audited). Each report is a whole
``dossier export --format report-pdf`` (render with WeasyPrint, write, read back and check), then
read back once more here with PDFium: every annotation's id and the document index with each
SHA-256 must be there, and for the long note its first and last lines. The same-run baseline is
the HTML report of the same selection (the template alone). Figures are wall and CPU seconds and
the process's peak memory; they are noisy on a busy machine.

Usage: python benchmarks/report.py [N_ANNOTATIONS] [NOTE_MB]
"""

from __future__ import annotations

import os
import re
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pypdfium2  # noqa: E402

from app.dossier import Dossier  # noqa: E402
from app.exchange import export  # noqa: E402
from app.exchange.filters import select_for_export  # noqa: E402
from app.services import annotations, codebook  # noqa: E402
from tests.helpers.documents import add_text_document  # noqa: E402

WORDS = ["passport", "contract", "wages", "account", "state", "worker", "manager", "overseas",
         "dispatch", "agency", "salary", "deposit", "loyalty", "fund", "weapons", "site"]


def _flat_text(path: Path) -> tuple[int, str]:
    pdf = pypdfium2.PdfDocument(str(path))
    parts = []
    for page in pdf:
        textpage = page.get_textpage()
        parts.append(re.sub(r"Evidence report|page \d+ of \d+", "", textpage.get_text_range()))
        textpage.close()
        page.close()
    count = len(pdf)
    pdf.close()
    return count, re.sub(r"\s+", "", "".join(parts))


def build(folder: Path, count: int, note_bytes: int) -> Dossier:
    dossier = Dossier.open(folder, user="bench")
    body = " ".join(WORDS[(i * 7) % len(WORDS)] for i in range(60_000))
    doc = add_text_document(dossier, body, "Benchmark report")
    with dossier.read() as session:
        tags = [t.id for t in codebook.list_tags(session) if t.is_codable]
    line = "payments went through the front company in Vladivostok, line {:07d}\n"
    long_note = "".join(line.format(i) for i in range(note_bytes // len(line.format(0))))
    for i in range(count):
        start = (i * 131) % (len(body) - 400)
        note = long_note if note_bytes else (f"Note {i}: second source" if i % 2 else "")
        annotations.create_annotation(dossier, doc.id, start, start + 80 + i % 200,
                                      [tags[i % len(tags)], tags[(i * 5 + 1) % len(tags)]],
                                      note=note, reliability="ABCDEF"[i % 6],
                                      credibility=1 + i % 6)
    return dossier


def measure(name: str, folder: Path, count: int, note_bytes: int) -> bool:
    began = time.perf_counter()
    dossier = build(folder / name, count, note_bytes)
    print(f"{name}: setup {time.perf_counter() - began:.0f} s (not timed)")
    html_out, pdf_out = folder / f"{name}.html", folder / f"{name}.pdf"
    wall, cpu = time.perf_counter(), time.process_time()
    export(dossier, "report-html", html_out)
    base = time.perf_counter() - wall, time.process_time() - cpu
    wall, cpu = time.perf_counter(), time.process_time()
    result = export(dossier, "report-pdf", pdf_out)
    took = time.perf_counter() - wall, time.process_time() - cpu
    pages, flat = _flat_text(pdf_out)
    selection = select_for_export(dossier)
    index_at = flat.find("Documentindex")
    missing = [a.id for a in selection.annotations if f"id{a.id[:8]}" not in flat[:index_at]]
    hashes = all(d.sha256 in flat[index_at:] for d in selection.documents)
    ok = index_at >= 0 and not missing and hashes
    if note_bytes:
        first, last = "line0000000", re.sub(r"\s+", "", selection.annotations[0].note)[-40:]
        ok = ok and first in flat and last in flat
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{name}: PDF {took[0]:.1f} s wall ({took[1]:.1f} s CPU), {pages} pages, "
          f"{result.size / 1e6:.1f} MB; baseline HTML report {base[0]:.1f} s wall "
          f"({base[1]:.1f} s CPU), ratio {took[0] / max(base[0], 1e-6):.0f}x; "
          f"{len(selection.annotations)} annotations, missing {len(missing)}, document index "
          f"{'present' if index_at >= 0 and hashes else 'MISSING'}; peak memory so far "
          f"{peak:.0f} MB; {'complete' if ok else 'INCOMPLETE'}")
    dossier.close()
    return ok


def main() -> int:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 3000
    note_mb = float(sys.argv[2]) if len(sys.argv) > 2 else 10
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory(prefix="dossier-bench-report-") as tmp:
        ok = measure("many", Path(tmp), count, 0)
        ok = measure("long-note", Path(tmp), 1, int(note_mb * 1_000_000)) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
