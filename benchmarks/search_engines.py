"""Search speed on both engines in one run: the same 2,000-document dossier as a folder (SQLite
FTS5) and as a team dossier (PostgreSQL tsvector/GIN), the same queries through the search
service. Target: p95 under 100 ms on PostgreSQL.

The dossiers are built as in ``benchmarks/search.py`` (corpus passages, marker words, one
document in ten annotated). Figures per engine: median and p95 wall time per query, and CPU
time per query, of this process and (for a throwaway server this run started) of the server's
processes, since on PostgreSQL the work happens there.

``compare()`` is the function ``benchmarks/team.py`` calls; run alone:

    python benchmarks/search_engines.py [N_DOCUMENTS] [REPEATS]

The server is the one ``DOSSIER_TEST_PG`` names, else a throwaway cluster (durable, as a real
server would be) started from the installed PostgreSQL programs and removed afterwards.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.dossier import Dossier  # noqa: E402
from app.services import search as search_service  # noqa: E402
from benchmarks.search import FILTERED, QUERIES, build, percentile  # noqa: E402

TARGET_P95_MS = 100.0


@dataclass
class EngineFigures:
    """What one engine did with the same queries."""

    engine: str
    documents: int
    build_s: float
    median_ms: float
    p95_ms: float
    client_cpu_ms: float  # per query, this process
    server_cpu_ms: float | None  # per query, the server's processes (None: not measurable)

    def line(self) -> str:
        """One printable line."""
        server = ("" if self.server_cpu_ms is None
                  else f", server CPU {self.server_cpu_ms:.1f} ms/query")
        return (f"{self.engine:<10} {self.documents} documents (built in {self.build_s:.0f} s): "
                f"median {self.median_ms:.1f} ms, p95 {self.p95_ms:.1f} ms; "
                f"client CPU {self.client_cpu_ms:.1f} ms/query{server}")


def server_cpu_s(postmaster: int | None) -> float | None:
    """CPU seconds of a server so far: the postmaster's own, its reaped backends' (a writer's
    backend ends with its connection) and its live children's."""
    if postmaster is None:
        return None
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(entry.name) == postmaster:
            total += sum(int(v) for v in fields[11:15])  # utime, stime, cutime, cstime
        elif int(fields[1]) == postmaster:
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def _time(dossier: Dossier, repeats: int, postmaster: int | None) -> tuple[list[float], float,
                                                                           float | None]:
    runs: list[tuple[str, dict[str, Any]]] = [(q, {}) for q in QUERIES[:17]] + FILTERED
    for query, filters in runs:  # warm caches and the connection pool once, untimed
        search_service.search(dossier, query, **filters)
    wall: list[float] = []
    cpu_before = time.process_time()
    server_before = server_cpu_s(postmaster)
    for _ in range(repeats):
        for query, filters in runs:
            started = time.perf_counter()
            search_service.search(dossier, query, **filters)
            wall.append((time.perf_counter() - started) * 1000)
    client = (time.process_time() - cpu_before) * 1000 / len(wall)
    server_after = server_cpu_s(postmaster)
    server = (None if server_before is None or server_after is None
              else (server_after - server_before) * 1000 / len(wall))
    return wall, client, server


def measure(location: Path | str, engine: str, count: int, repeats: int,
            postmaster: int | None = None) -> EngineFigures:
    """Build the benchmark dossier at ``location`` (folder or URL) and time the queries."""
    started = time.perf_counter()
    dossier, _words = build(location, count)
    build_s = time.perf_counter() - started
    try:
        wall, client, server = _time(dossier, repeats, postmaster)
    finally:
        dossier.close()
    return EngineFigures(engine, count, build_s, statistics.median(wall),
                         percentile(wall, 0.95), client, server)


def compare(count: int = 2000, repeats: int = 3, server: Any = None) -> list[EngineFigures]:
    """Search figures for SQLite and PostgreSQL on the same documents and queries.

    ``server``: a ``tests.helpers.pg.PgServer`` to use; by default ``DOSSIER_TEST_PG``'s, else
    a throwaway durable cluster started (and removed) here.
    """
    from tests.helpers import pg

    own = None
    if server is None:
        server = pg.server_from_env()
        if server is None:
            server = own = pg.start_throwaway(durable=True)
    postmaster = None
    if server.data_root is not None:
        pid_file = Path(server.data_root) / "data" / "postmaster.pid"
        if pid_file.is_file():
            postmaster = int(pid_file.read_text().split()[0])
    figures: list[EngineFigures] = []
    database = server.create_database()
    try:
        with tempfile.TemporaryDirectory(prefix="dossier-search-engines-") as tmp:
            figures.append(measure(Path(tmp) / "dossier", "sqlite", count, repeats))
        figures.append(measure(server.url(database), "postgresql", count, repeats, postmaster))
    finally:
        server.drop_database(database)
        if own is not None:
            own.stop()
    return figures


def main() -> int:
    """Build both, measure, print."""
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    figures = compare(count, repeats)
    print(f"search through the service, 20 queries x {repeats}, same documents, same run "
          "(shared machine: figures are noisy):")
    for f in figures:
        print("  " + f.line())
    pg_p95 = next(f.p95_ms for f in figures if f.engine == "postgresql")
    verdict = "meets" if pg_p95 < TARGET_P95_MS else "misses"
    print(f"PostgreSQL p95 {pg_p95:.1f} ms: {verdict} the target (< {TARGET_P95_MS:.0f} ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
