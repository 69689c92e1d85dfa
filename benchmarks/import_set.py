"""How long ``import-set`` of a large annotation set holds the dossier's write lock.

A dossier with one document and N annotations (bulk-inserted, not timed) is exported as JSON-LD;
a second dossier holding the same document imports that set. Printed: the whole import, and the
time spent inside write transactions (the write lock: every other writer waits meanwhile).
Target for N = 200,000: lock held under 10 s. The reading, checking and planning of the set run
before the lock is taken.

Usage: python benchmarks/import_set.py [N_ANNOTATIONS]
"""

from __future__ import annotations

import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from app.dossier import Dossier  # noqa: E402
from app.exchange import export  # noqa: E402
from app.services import codebook  # noqa: E402
from app.services.integrity import verify  # noqa: E402
from app.services.sets.merge import import_set  # noqa: E402
from db.models import Annotation, AnnotationTag  # noqa: E402
from tests.helpers.documents import add_text_document  # noqa: E402

WORDS = ["passport", "contract", "wages", "account", "state", "worker", "manager", "overseas",
         "dispatch", "agency", "salary", "deposit"]


def text_of() -> str:
    return " ".join(WORDS[(i * 7) % len(WORDS)] + str(i % 97) for i in range(60_000))


def build(folder: Path, count: int) -> None:
    dossier = Dossier.open(folder, user="sender")
    body = text_of()
    doc = add_text_document(dossier, body, "Benchmark text")
    with dossier.read() as session:
        tag_ids = [t.id for t in codebook.list_tags(session) if t.is_codable]
    with dossier.write() as session:
        user_id = dossier.user_id(session)
        for first in range(0, count, 20_000):
            rows, links = [], []
            for i in range(first, min(count, first + 20_000)):
                start = (i * 97) % (len(body) - 200)
                ann_id = str(uuid.uuid4())
                rows.append(dict(id=ann_id, document_id=doc.id, start=start, end=start + 40,
                                 quote=body[start:start + 40], prefix=body[start - 32:start],
                                 suffix=body[start + 40:start + 72], note=f"note {i}",
                                 attribution="", status="approved", anchor="exact",
                                 anchor_score=1.0, author_id=user_id,
                                 created="2026-01-01T00:00:00.000000Z",
                                 modified="2026-01-01T00:00:00.000000Z"))
                links.append(dict(annotation_id=ann_id, tag_id=tag_ids[i % len(tag_ids)]))
            session.execute(insert(Annotation), rows)
            session.execute(insert(AnnotationTag), links)
    dossier.close()


class LockTimer:
    """Wraps a dossier's write transactions and adds up how long each held the lock."""

    def __init__(self, dossier: Dossier) -> None:
        self.total = 0.0
        self.longest = 0.0
        inner = dossier.write

        @contextmanager
        def timed() -> Iterator[Session]:
            start = time.perf_counter()
            try:
                with inner() as session:
                    yield session
            finally:
                took = time.perf_counter() - start
                self.total += took
                self.longest = max(self.longest, took)

        dossier.write = timed  # type: ignore[method-assign]


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    with tempfile.TemporaryDirectory(prefix="dossier-bench-set-") as tmp:
        root = Path(tmp)
        t = time.perf_counter()
        build(root / "sender", count)
        sender = Dossier.open(root / "sender", user="sender")
        out = root / "set.jsonld"
        export(sender, "jsonld", out)
        sender.close()
        print(f"setup: {count:,} annotations exported as JSON-LD "
              f"({out.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - t:.1f} s")
        receiver = Dossier.open(root / "receiver", user="receiver")
        add_text_document(receiver, text_of(), "Benchmark text")
        timer = LockTimer(receiver)
        t = time.perf_counter()
        summary = import_set(receiver, out)
        whole = time.perf_counter() - t
        print(f"import-set: {len(summary.added):,} added in {whole:.1f} s; write lock held "
              f"{timer.total:.1f} s in all, longest transaction {timer.longest:.1f} s "
              f"(target < 10 s) {'OK' if timer.longest < 10 else 'OVER TARGET'}")
        t = time.perf_counter()
        report = verify(receiver)
        print(f"verify after import: {'ok' if report.ok else report.problems[0]} "
              f"({report.events_checked:,} events, {time.perf_counter() - t:.1f} s)")
        receiver.close()


if __name__ == "__main__":
    main()
