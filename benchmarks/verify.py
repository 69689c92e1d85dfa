"""Cost of ``dossier verify`` on a dossier of ~100,000 audit events, against a plain walk.

The dossier holds one document and N annotations, each created with a real ``annotation.create``
event carrying its row state (bulk-written through :func:`app.audit.append`; setup is not timed).
Printed in the same run:

* baseline — a plain ``sqlite3`` + ``hashlib`` loop that recomputes every event's hash and link;
* chain walk — what ``verify`` does for the chain (:func:`app.audit.walk`): the same plus
  collecting each row's recorded state (target: at most 1.3x the baseline);
* full verify — the chain walk plus hashing every current audited row and comparing it with the
  chain, the originals and the files (``dossier verify``), reported for information.

Usage: python benchmarks/verify.py [N_ANNOTATIONS]
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app import audit  # noqa: E402
from app import state as row_states  # noqa: E402
from app.dossier import DB_FILE, Dossier  # noqa: E402
from app.services.integrity import verify_folder  # noqa: E402
from db.engine import connect_readonly  # noqa: E402
from tests.helpers.documents import add_text_document  # noqa: E402

WORDS = ["passport", "contract", "wages", "account", "state", "worker", "manager", "overseas"]


def build(folder: Path, count: int) -> None:
    dossier = Dossier.open(folder, user="bench")
    body = " ".join(WORDS[(i * 7) % len(WORDS)] for i in range(100_000))
    doc = add_text_document(dossier, body, "Benchmark text")
    with dossier.write() as session:
        user_id = dossier.user_id(session)
    dossier.close()
    conn = sqlite3.connect(folder / DB_FILE, isolation_level=None)
    cur = conn.cursor()
    cur.execute("BEGIN IMMEDIATE")
    for i in range(count):
        start = (i * 97) % (len(body) - 200)
        ann_id = str(uuid.uuid4())
        row = (ann_id, doc.id, start, start + 80, body[start:start + 80], "", "", None, None,
               f"note {i}", "", None, None, "draft", "exact", 1.0, user_id,
               "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z", None)
        cur.execute("INSERT INTO annotations (id, document_id, start, \"end\", quote, prefix, "
                    "suffix, page_start, page_end, note, attribution, reliability, credibility, "
                    "status, anchor, anchor_score, author_id, created, modified, conflict_of) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", row)
        payload = audit.canonical_json({"id": ann_id, "start": start, "end": start + 80,
                                        "note": f"note {i}"})
        audit.append(cur, "bench", "annotation.create", "annotation", ann_id, payload,
                     row_states.state_string(cur, [("annotation", ann_id)]))
    cur.execute("COMMIT")
    conn.close()


def baseline(path: Path) -> int:
    """Recompute every hash and link with nothing but sqlite3, json and hashlib."""
    conn = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)
    prev = "0" * 64
    count = 0
    for seq, at, actor, action, otype, oid, payload, prev_hash, digest, state in conn.execute(
            "SELECT seq, at, actor, action, object_type, object_id, payload, prev_hash, hash, "
            "state FROM audit_events ORDER BY seq"):
        entry = {"seq": seq, "at": at, "actor": actor, "action": action, "object_type": otype,
                 "object_id": oid, "payload": payload}
        if state is not None:
            entry["state"] = state
        text = json.dumps(entry, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        if prev_hash != prev or hashlib.sha256((prev + text).encode()).hexdigest() != digest:
            raise SystemExit(f"baseline: event {seq} does not verify")
        prev = digest
        count += 1
    conn.close()
    return count


def chain_walk(path: Path) -> int:
    conn = connect_readonly(path)
    result = audit.walk(conn.cursor())
    conn.close()
    if result.problem is not None:
        raise SystemExit(f"verify: {result.problem.message}")
    return result.count


def timed(fn: object, runs: int) -> tuple[float, object]:
    times = []
    out = None
    for _ in range(runs):
        t = time.perf_counter()
        out = fn()  # type: ignore[operator]
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    with tempfile.TemporaryDirectory(prefix="dossier-bench-verify-") as tmp:
        folder = Path(tmp) / "dossier"
        t = time.perf_counter()
        build(folder, count)
        print(f"setup: {count:,} annotations with their events in {time.perf_counter() - t:.1f} s")
        db = folder / DB_FILE
        runs = 3
        base, events = timed(lambda: baseline(db), runs)
        walk, _ = timed(lambda: chain_walk(db), runs)
        full, report = timed(lambda: verify_folder(folder, folder / "originals"), runs)
        assert report.ok, report.problems  # type: ignore[attr-defined]
        print(f"events: {events:,} (median of {runs} runs each, same run)")
        print(f"baseline plain sqlite3+hashlib walk: {base:.3f} s")
        print(f"verify chain walk:                   {walk:.3f} s  = {walk / base:.2f}x baseline "
              f"(target <= 1.3x) {'OK' if walk <= 1.3 * base else 'OVER TARGET'}")
        print(f"full verify (chain + every row + originals): {full:.3f} s = "
              f"{full / base:.2f}x baseline, "
              f"{report.rows_checked:,} rows compared")  # type: ignore[attr-defined]


if __name__ == "__main__":
    main()
