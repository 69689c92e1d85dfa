"""How long ``import-set`` of a large annotation set holds the dossier's write lock.

A dossier with one document and N annotations (bulk-inserted) is exported as JSON-LD; a second
dossier holding the same document imports that set. Printed: the whole import (wall and CPU
time), the time spent inside write transactions (from ``BEGIN IMMEDIATE`` to the end of the
commit), and the longest time another writer -- a second process trying to take the write lock
every 20 ms -- was kept waiting. Target for N = 200,000: lock held under 10 s. The reading,
checking, planning and preparing of the set run before the lock is taken. Same-run baseline:
the sender's plain bulk insert of the same N annotations and tag links (no search entries, no
audit events) in one transaction.

Usage: python benchmarks/import_set.py [N_ANNOTATIONS]
"""

from __future__ import annotations

import multiprocessing
import resource
import sqlite3
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


def build(folder: Path, count: int) -> float:
    """Make the sender's dossier; return the seconds its one bulk-insert transaction took."""
    dossier = Dossier.open(folder, user="sender")
    body = text_of()
    doc = add_text_document(dossier, body, "Benchmark text")
    with dossier.read() as session:
        tag_ids = [t.id for t in codebook.list_tags(session) if t.is_codable]
    with dossier.write() as session:
        user_id = dossier.user_id(session)
    began = time.perf_counter()
    with dossier.write() as session:
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
    took = time.perf_counter() - began
    dossier.close()
    return took


def probe(database: str, stop: multiprocessing.synchronize.Event,
          result: multiprocessing.queues.Queue[float]) -> None:
    """Another writer: take and release the write lock every 20 ms; report the longest wait."""
    conn = sqlite3.connect(database, isolation_level=None, timeout=0)
    longest, last = 0.0, time.perf_counter()
    while not stop.wait(0.02):
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("ROLLBACK")
        except sqlite3.OperationalError:  # locked: keep trying
            continue
        now = time.perf_counter()
        longest, last = max(longest, now - last), now
    result.put(max(longest, time.perf_counter() - last))


class LockTimer:
    """Wraps a dossier's write transactions and adds up how long each held the lock."""

    def __init__(self, dossier: Dossier) -> None:
        self.total = 0.0
        self.longest = 0.0
        self.longest_cpu = 0.0
        inner = dossier.write

        @contextmanager
        def timed() -> Iterator[Session]:
            start, cpu = time.perf_counter(), time.process_time()
            try:
                with inner() as session:
                    yield session
            finally:
                took = time.perf_counter() - start
                self.total += took
                if took > self.longest:
                    self.longest, self.longest_cpu = took, time.process_time() - cpu

        dossier.write = timed  # type: ignore[method-assign]


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    with tempfile.TemporaryDirectory(prefix="dossier-bench-set-") as tmp:
        root = Path(tmp)
        t = time.perf_counter()
        baseline = build(root / "sender", count)
        sender = Dossier.open(root / "sender", user="sender")
        out = root / "set.jsonld"
        export(sender, "jsonld", out)
        sender.close()
        print(f"setup: {count:,} annotations exported as JSON-LD "
              f"({out.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - t:.1f} s")
        receiver = Dossier.open(root / "receiver", user="receiver")
        add_text_document(receiver, text_of(), "Benchmark text")
        timer = LockTimer(receiver)
        stop, waits = multiprocessing.Event(), multiprocessing.Queue()
        prober = multiprocessing.Process(
            target=probe, args=(str(root / "receiver" / "dossier.sqlite"), stop, waits))
        prober.start()
        t, cpu = time.perf_counter(), time.process_time()
        summary = import_set(receiver, out)
        whole, cpu = time.perf_counter() - t, time.process_time() - cpu
        stop.set()
        blocked = waits.get()
        prober.join()
        print(f"baseline (same run): plain bulk insert of {count:,} annotations and tag links "
              f"in one transaction: {baseline:.1f} s")
        print(f"import-set: {len(summary.added):,} added in {whole:.1f} s ({cpu:.1f} s CPU); "
              f"write transactions {timer.total:.1f} s in all, longest {timer.longest:.1f} s "
              f"({timer.longest_cpu:.1f} s CPU); "
              f"another writer waited at most {blocked:.1f} s (target < 10 s) "
              f"{'OK' if max(blocked, timer.longest) < 10 else 'OVER TARGET'}")
        t = time.perf_counter()
        report = verify(receiver)
        print(f"verify after import: {'ok' if report.ok else report.problems[0]} "
              f"({report.events_checked:,} events, {time.perf_counter() - t:.1f} s)")
        receiver.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident memory of this process (setup included): {peak:,.0f} MB")


if __name__ == "__main__":
    main()
