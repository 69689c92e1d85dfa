"""Exporting 50,000 annotations to W3C JSON-LD and to CSV. Targets: under 5 s and under 2 s.

Each figure is a whole ``dossier export`` as the command line runs it (read the selection, write
the file atomically, hash it, record the audit event), without process start-up: the best wall
time of three runs, with its CPU time (other processes on a busy machine inflate wall time).

The 50,000 annotations (one to three tags, notes, grades and a review each) are bulk-inserted
with SQL over ten documents; that setup is not timed. In the same run two baselines show what
bare serialisation of as many records costs on this machine: ``json.dumps`` of minimal dicts
(id, quote, offsets, one tag path) and ``csv.writer`` of the same rows, each to a file. The
exports write far more per annotation (selectors, context, tags, grades, reviews), hence the
ratio.

Usage: python benchmarks/export.py [N_ANNOTATIONS] [RUNS]
"""

from __future__ import annotations

import csv
import json
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert  # noqa: E402

from app.dossier import Dossier  # noqa: E402
from app.exchange import export  # noqa: E402
from app.services import codebook  # noqa: E402
from db.models import Annotation, AnnotationTag, Review  # noqa: E402
from tests.helpers.documents import add_text_document  # noqa: E402

TARGETS = {"jsonld": 5.0, "csv": 2.0}
WORDS = ["passport", "contract", "wages", "account", "state", "worker", "manager", "overseas",
         "dispatch", "agency", "salary", "deposit", "loyalty", "fund", "weapons", "site",
         "construction", "quota", "Pyongyang", "Vladivostok", "Dandong", "labour", "export"]
STATUSES = ["draft", "submitted", "approved", "rejected", "changes_requested"]


def build(folder: Path, count: int) -> Dossier:
    """A dossier with ``count`` annotations spread over ten documents."""
    dossier = Dossier.open(folder, user="bench")
    docs = []
    for n in range(10):
        body = " ".join(WORDS[(i * 7 + n) % len(WORDS)] for i in range(30_000))
        docs.append((add_text_document(dossier, body, f"Benchmark report {n}"), body))
    with dossier.read() as session:
        tag_ids = [t.id for t in codebook.list_tags(session) if t.is_codable]
    with dossier.write() as session:
        user_id = dossier.user_id(session)
        rows, links, reviews = [], [], []
        for i in range(count):
            doc, body = docs[i % len(docs)]
            start = (i * 97) % (len(body) - 300)
            end = start + 60 + i % 120
            ann_id = str(uuid.uuid4())
            stamp = f"2026-{1 + i % 12:02d}-{1 + i % 28:02d}T10:{i % 60:02d}:00.000000Z"
            rows.append(dict(
                id=ann_id, document_id=doc.id, start=start, end=end, quote=body[start:end],
                prefix=body[max(0, start - 32):start], suffix=body[end:end + 32],
                note=f"Note {i}: corroborated by a second source" if i % 3 else "",
                attribution="UN Panel of Experts" if i % 2 else "", reliability="ABCDEF"[i % 6],
                credibility=1 + i % 6, status=STATUSES[i % 5], anchor="exact",
                anchor_score=1.0, author_id=user_id, created=stamp, modified=stamp))
            for k in range(1 + i % 3):
                links.append(dict(annotation_id=ann_id, tag_id=tag_ids[(i + 5 * k) % len(tag_ids)]))
            reviews.append(dict(id=str(uuid.uuid4()), annotation_id=ann_id, reviewer_id=user_id,
                                decision="approved", reason="quote checked", created=stamp))
        session.execute(insert(Annotation), rows)
        session.execute(insert(AnnotationTag), links)
        session.execute(insert(Review), reviews)
    return dossier


def baseline_json(count: int, out: Path) -> float:
    """json.dumps of ``count`` minimal annotation dicts, written to a file."""
    items = [{"id": str(uuid.uuid4()), "quote": "wages deposited into state accounts " * 2,
              "start": i, "end": i + 70, "tags": ["Funding flows/Transfers to the state"]}
             for i in range(count)]
    began = time.perf_counter()
    with out.open("w", encoding="utf-8") as fh:
        fh.write(json.dumps({"items": items}, ensure_ascii=False))
    return time.perf_counter() - began


def baseline_csv(count: int, out: Path) -> float:
    """csv.writer of ``count`` rows of the same minimal fields, written to a file."""
    rows = [[str(uuid.uuid4()), "wages deposited into state accounts " * 2, i, i + 70,
             "Funding flows/Transfers to the state"] for i in range(count)]
    began = time.perf_counter()
    with out.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return time.perf_counter() - began


def timed_export(dossier: Dossier, fmt: str, folder: Path, runs: int) -> tuple[float, float, int]:
    """Best wall time and its CPU time over ``runs`` exports; and the file size."""
    best = (float("inf"), 0.0)
    size = 0
    for run in range(runs):
        out = folder / f"export-{run}.{fmt}"
        wall, cpu = time.perf_counter(), time.process_time()
        result = export(dossier, fmt, out)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        assert result.annotations == EXPECTED[0], result.annotations
        best = min(best, (wall, cpu))
        size = result.size
        out.unlink()
    return best[0], best[1], size


EXPECTED = [0]


def main() -> int:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 50_000
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    EXPECTED[0] = count
    with tempfile.TemporaryDirectory(prefix="dossier-bench-export-") as tmp:
        folder = Path(tmp)
        began = time.perf_counter()
        dossier = build(folder / "dossier", count)
        print(f"setup: {count:,} annotations in {time.perf_counter() - began:.1f} s (not timed); "
              f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
        ok = True
        baselines = {"jsonld": baseline_json(count, folder / "base.json"),
                     "csv": baseline_csv(count, folder / "base.csv")}
        for fmt, target in TARGETS.items():
            wall, cpu, size = timed_export(dossier, fmt, folder, runs)
            base = baselines[fmt]
            met = wall < target
            ok = ok and met
            print(f"{fmt:6s}: {wall:5.2f} s wall (best of {runs}; {cpu:.2f} s CPU) for {count:,} "
                  f"annotations, {size / 1e6:.1f} MB; baseline {base:.2f} s, ratio "
                  f"{wall / base:.1f}x; target {target:.0f} s {'met' if met else 'MISSED'}")
        dossier.close()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
