"""What the server's review rules cost a writer: annotate and review on a team dossier (``team
init``: privileges, row-level security, the annotation, audit-chain and head triggers) beside
the same work on a plain PostgreSQL dossier of the same server (the same-run baseline).

N annotations are created, submitted and approved through the services, one transaction each, by
one annotator and one reviewer, in two halves (plain, team, team, plain: the machine's load
drifts); p50/p95 of each step in milliseconds, wall and CPU of this (client) process. A
throwaway durable cluster (``DOSSIER_TEST_PG`` to use another). Figures are noisy on a shared
machine.

Usage: python benchmarks/team_rules.py [N]
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.dossier import Dossier  # noqa: E402
from app.services import annotations, workflow  # noqa: E402
from tests.helpers import pg  # noqa: E402
from tests.helpers.documents import add_text_document  # noqa: E402
from tests.helpers.review import ensure_user  # noqa: E402
from tests.helpers.team import make_team  # noqa: E402

TEXT = "Managers kept the workers' passports and paid the wages into a state account. " * 40


def _timed(fn: object, *args: object) -> float:
    start = time.perf_counter()
    fn(*args)  # type: ignore[operator]
    return (time.perf_counter() - start) * 1000


def _run(author: Dossier, reviewer: Dossier, n: int) -> dict[str, list[float]]:
    doc = add_text_document(author, TEXT).id
    out: dict[str, list[float]] = {"annotate": [], "submit": [], "approve": []}
    for i in range(n):
        start = time.perf_counter()
        ann = annotations.create_annotation(author, doc, i, i + 20, note=f"n{i}")
        out["annotate"].append((time.perf_counter() - start) * 1000)
        out["submit"].append(_timed(workflow.submit, author, [ann.id]))
        out["approve"].append(_timed(workflow.decide, reviewer, [ann.id], "approve"))
    return out


def _line(name: str, times: dict[str, list[float]]) -> str:
    parts = []
    for step, values in times.items():
        ordered = sorted(values)
        p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
        parts.append(f"{step} p50 {statistics.median(values):.1f} p95 {p95:.1f}")
    return f"{name:<22} " + " | ".join(parts) + " (ms)"


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    server = pg.server_from_env() or pg.start_throwaway(durable=True)
    try:
        plain_db = server.create_database()
        plain = Dossier.open(server.url(plain_db), user="alice")
        plain_reviewer = ensure_user(plain, "rita", "reviewer")
        team = make_team(server, server.create_database())
        author_name = team.add("ann", "annotator")
        reviewer_name = team.add("rev", "reviewer")
        author = Dossier.open(team.url(author_name))
        reviewer = Dossier.open(team.url(reviewer_name))
        results = {}
        runs = [("plain PostgreSQL", (plain, plain_reviewer)),
                ("team dossier (rules)", (author, reviewer))]
        for name, pair in runs + runs[::-1]:  # both orders: the machine's load drifts
            wall, cpu = time.perf_counter(), time.process_time()
            results[name] = _run(*pair, n // 2)
            print(_line(name, results[name]) + f"  wall {time.perf_counter() - wall:.1f} s, "
                  f"CPU {time.process_time() - cpu:.1f} s")
        for dossier in (plain, author, reviewer):
            dossier.close()
        team.drop()
    finally:
        server.stop()
    print(f"{n} annotations each, on a shared machine: compare the two lines, not the figures")


if __name__ == "__main__":
    main()
