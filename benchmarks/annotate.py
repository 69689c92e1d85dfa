"""Cost of creating one annotation (with tags, search index and audit event) in a dossier that
already holds 100,000 annotations. Target: median under 5 ms.

The 100,000 existing annotations are bulk-inserted with SQL (setup is not timed). In the same run
a baseline measures a bare INSERT of one annotation row in its own transaction on the same
database, so the figure can be read against what SQLite itself costs on this machine.

Usage: python benchmarks/annotate.py [N_EXISTING] [N_TIMED]
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert, text  # noqa: E402

from app.dossier import Dossier  # noqa: E402
from app.services import annotations, codebook  # noqa: E402
from db.models import Annotation, AnnotationTag  # noqa: E402
from tests.helpers.documents import add_text_document  # noqa: E402

WORDS = [
    "passport", "contract", "wages", "account", "state", "worker", "manager", "overseas",
    "dispatch", "agency", "salary", "deposit", "loyalty", "fund", "weapons", "site",
    "construction", "quota",
]


def build(folder: Path, existing: int) -> tuple[Dossier, str, list[str], str]:
    dossier = Dossier.open(folder, user="bench")
    body = " ".join(WORDS[(i * 7) % len(WORDS)] for i in range(200_000))
    doc = add_text_document(dossier, body, "Benchmark text")
    with dossier.read() as session:
        tag_ids = [t.id for t in codebook.list_tags(session) if t.is_codable]
    with dossier.write() as session:
        user_id = dossier.user_id(session)
        rows, links = [], []
        for i in range(existing):
            start = (i * 97) % (len(body) - 200)
            ann_id = str(uuid.uuid4())
            rows.append(dict(id=ann_id, document_id=doc.id, start=start, end=start + 80,
                             quote=body[start:start + 80], prefix="", suffix="", note="",
                             attribution="", status="draft", anchor="exact", anchor_score=1.0,
                             author_id=user_id, created="2026-01-01T00:00:00Z",
                             modified="2026-01-01T00:00:00Z"))
            links.append(dict(annotation_id=ann_id, tag_id=tag_ids[i % len(tag_ids)]))
        session.execute(insert(Annotation), rows)
        session.execute(insert(AnnotationTag), links)
        session.execute(text(
            "INSERT INTO search_refs (kind, ref, document_id) SELECT 'quote', id, document_id "
            "FROM annotations"))
        session.execute(text(
            "INSERT INTO search_index (rowid, body) SELECT r.rowid, a.quote FROM search_refs r "
            "JOIN annotations a ON a.id = r.ref"))
    return dossier, doc.id, tag_ids, body


def main() -> int:
    existing = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    timed = int(sys.argv[2]) if len(sys.argv) > 2 else 500
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        dossier, doc_id, tag_ids, body = build(Path(tmp) / "d", existing)
        print(f"setup: {existing} annotations in {time.perf_counter() - t0:.1f} s")
        samples = []
        for i in range(timed):
            start = (i * 131) % (len(body) - 200)
            t = time.perf_counter()
            annotations.create_annotation(dossier, doc_id, start, start + 60,
                                          [tag_ids[i % len(tag_ids)]], note=f"note {i}")
            samples.append(time.perf_counter() - t)
        baseline = []
        for i in range(timed):
            t = time.perf_counter()
            with dossier.engine.begin() as conn:
                conn.execute(insert(Annotation), dict(
                    id=str(uuid.uuid4()), document_id=doc_id, start=i, end=i + 10, quote="x",
                    prefix="", suffix="", note="", attribution="", status="draft",
                    anchor="exact", anchor_score=1.0, author_id=1,
                    created="2026-01-01T00:00:00Z", modified="2026-01-01T00:00:00Z"))
            baseline.append(time.perf_counter() - t)
        dossier.close()
    med = statistics.median(samples) * 1000
    p95 = sorted(samples)[int(0.95 * len(samples))] * 1000
    base = statistics.median(baseline) * 1000
    print(f"create_annotation (tags + search index + audit), {timed} calls on {existing} "
          f"existing: median {med:.2f} ms, p95 {p95:.2f} ms")
    print(f"baseline bare INSERT in its own transaction: median {base:.2f} ms")
    print(f"ratio service/baseline: {med / base:.1f}x")
    print(f"target median < 5 ms: {'met' if med < 5 else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
