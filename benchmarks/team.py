"""A team at work: eight writers at once on PostgreSQL beside the same load on SQLite, and search.

1. **Load.** WRITERS processes (default 8) each create ANNOTATIONS annotations (200) and make
   DECISIONS review decisions (50) at the same time in one dossier, through the services
   (``tests/helpers/team_load.py``, the writer the concurrency test runs). Reported: annotations
   per second over the whole load, p50/p95 latency of one ``create_annotation`` call as the
   writer saw it, p95 of one review decision, wall time and the writers' CPU time. Target: p95
   annotate under 20 ms on PostgreSQL.
2. **Search.** ``benchmarks/search_engines.compare`` (engineer pgsearch's): 2,000 documents
   built as ``benchmarks/search.py`` builds them, on both engines, its 20 queries through the
   search service; median/p95 and CPU per query. Target: p95 under 100 ms on PostgreSQL.

PostgreSQL runs twice. The headline figure (``PG team``) is a real team dossier: the database
is set up with ``dossier team init`` (by a login that may create roles, which becomes its
administrator), each writer has an annotator login and a reviewer login of its own
(``dossier team add``; names end with a suffix of the database's, roles being server-wide), and
each writer process connects as them: the server's privileges, row-level security and review
triggers all run. ``PG plain`` (leave it out with ``--skip-plain``) is the same load on a
database without ``team init``, its writers self-declared users of the server's superuser: the
difference is the cost of the server's rules. After each load every reported id is looked up
and the audit chain verified.

Both engines run in the same run, SQLite first, and the PostgreSQL/SQLite ratios are printed: the
SQLite figure is the baseline. PostgreSQL is ``DOSSIER_TEST_PG`` if set, else a throwaway
*durable* cluster (fsync on, as a real server) started from the installed server programs and
removed afterwards. The machine is shared while this runs: read the figures with their baseline.

3. **CPU per call.** One writer alone (``--alone`` annotations, a quarter as many decisions),
   before the loads: this process's CPU and the server's CPU per annotate and per decision, so
   the cost is readable on a busy machine. The load averages are printed beside the figures.

Usage: python benchmarks/team.py [--writers 8] [--annotations 200] [--decisions 50]
                                 [--documents 2000] [--repeats 3] [--skip-search] [--sqlite-only]
                                 [--alone 400] [--skip-plain]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from benchmarks.search_engines import server_cpu_s  # noqa: E402
from tests.helpers.team_load import TeamLoad, prepare, prepare_team  # noqa: E402

ANNOTATE_TARGET_MS = 20.0
TEAM = "PG team"  # team init, each writer its own login, the server's rules on
PLAIN = "PG plain"  # a plain database, self-declared users, no server rules
ORDER = (TEAM, PLAIN, "SQLite")


def _loadavg() -> str:
    """The 1/5/15-minute load averages (the machine is shared)."""
    return " ".join(f"{v:.2f}" for v in os.getloadavg())


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (``share`` 0-1); NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


@dataclass
class Load:
    """Figures of one engine's load."""

    annotations: int
    reviews: int
    errors: int
    wall_s: float
    cpu_s: float
    annotate_ms: list[float]
    review_ms: list[float]
    first: float = 0.0
    last: float = 0.0
    server_cpu_s: float | None = None
    missing: int = 0  # reported ids (annotations and reviews) not stored afterwards
    chain: str | None = None  # the audit chain's first problem, None when it verifies
    loop_cpu_s: float = 0.0  # the writers' CPU in their work alone (each measures its own)

    @property
    def rate(self) -> float:
        """Annotations per second from the first commit to the last (process start-up apart)."""
        span = self.last - self.first
        return self.annotations / span if span > 0 else 0.0


def _postmaster(server: object | None) -> int | None:
    """The process id of a throwaway server this run started (None for any other)."""
    root = getattr(server, "data_root", None)
    pid_file = Path(root) / "data" / "postmaster.pid" if root else None
    return int(pid_file.read_text().split()[0]) if pid_file and pid_file.is_file() else None


def _reaped_cpu_s() -> float:
    """CPU seconds of this process's reaped children so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _running_cpu_s(procs: list[subprocess.Popen[str]]) -> float:
    """CPU seconds the running writer processes have used so far (from /proc)."""
    total = 0
    for proc in procs:
        fields = Path(f"/proc/{proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def _writer(location: str, document_id: str, index: int, count: int, decisions: int,
            team: TeamLoad | None) -> subprocess.Popen[str]:
    """One writer process: self-declared ``writer-INDEX``, or (``team``) its own logins."""
    env = dict(os.environ)
    args = [sys.executable, "-m", "tests.helpers.team_load", location, document_id, str(index),
            str(count), str(decisions), "--wait-go"]
    if team is not None:
        args[3] = team.writer_url(index)
        args.append("--login")
        env["DOSSIER_LOAD_REVIEWER_URL"] = team.reviewer_url(index)
    return subprocess.Popen(args, cwd=REPO, env=env, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def run_load(location: str, writers: int, count: int, decisions: int,
             postmaster: int | None = None, team: TeamLoad | None = None) -> Load:
    """Prepare the users and a document (or take ``team``'s, made with ``team init``), then
    run the writers at once."""
    document_id = team.document_id if team else prepare(location, writers, admin="admin")
    reaped_before = _reaped_cpu_s()
    procs = [_writer(location, document_id, i, count, decisions, team) for i in range(writers)]
    # every writer has started and opened its dossiers before any begins (start-up is not load)
    for proc in procs:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if line.strip() != "ready":
            print(f"  writer did not start: {line.strip()}", file=sys.stderr)
    startup_cpu = _running_cpu_s(procs)
    server_before = server_cpu_s(postmaster)
    started = time.perf_counter()
    for proc in procs:  # all at once
        assert proc.stdin is not None
        proc.stdin.write("go\n")
        proc.stdin.flush()
    outputs = [p.communicate() for p in procs]
    wall = time.perf_counter() - started
    annotate: list[float] = []
    review: list[float] = []
    stamps: list[float] = []
    ann_ids: list[str] = []
    review_ids: list[str] = []
    errors = 0
    loop_cpu = 0.0
    for proc, (out, err) in zip(procs, outputs, strict=True):
        for line in out.splitlines():
            kind, _, rest = line.partition(" ")
            if kind == "ann":
                ann_ids.append(rest.split()[0])
                annotate.append(float(rest.split()[1]))
                stamps.append(float(rest.split()[2]))
            elif kind == "review":
                review_ids.append(rest.split()[0])
                review.append(float(rest.split()[1]))
            elif kind == "cpu":
                loop_cpu += float(rest)
            elif kind == "error":
                errors += 1
                print(f"  writer error: {rest}", file=sys.stderr)
        if proc.returncode != 0 and not errors:
            errors += 1
            print(f"  writer failed: {err.strip()[-400:]}", file=sys.stderr)
    cpu = _reaped_cpu_s() - reaped_before - startup_cpu  # the load's CPU, start-up apart
    server_after = server_cpu_s(postmaster)
    missing, chain = _stored(team.team.url() if team else location, team is None,
                             ann_ids, review_ids)
    return Load(len(annotate), len(review), errors, wall, cpu, annotate, review,
                min(stamps, default=0.0), max(stamps, default=0.0),
                None if server_before is None or server_after is None
                else server_after - server_before, missing, chain, loop_cpu_s=loop_cpu)


def _stored(location: str, declared: bool, ann_ids: list[str],
            review_ids: list[str]) -> tuple[int, str | None]:
    """How many reported ids are not stored, and the audit chain's first problem (None: it
    verifies), read afterwards as the administrator."""
    from sqlalchemy import select

    from app import audit
    from app.dossier import Dossier
    from db.models import Annotation, Review

    dossier = Dossier.open(location, user="admin" if declared else None, create=False)
    try:
        with dossier.read() as session:
            stored = set(session.scalars(select(Annotation.id)))
            reviews = set(session.scalars(select(Review.id)))
            problem = audit.verify_chain(session)[0]
    finally:
        dossier.close()
    missing = len(set(ann_ids) - stored) + len(set(review_ids) - reviews)
    return missing, None if problem is None else str(problem)


@dataclass
class CallCpu:
    """CPU time of one call, one writer alone (independent of how busy the machine is)."""

    annotate_client_ms: float
    annotate_server_ms: float | None
    decision_client_ms: float
    decision_server_ms: float | None
    annotate_wall_ms: float


def _cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def cpu_per_call(location: str, count: int, postmaster: int | None = None,
                 team: TeamLoad | None = None) -> CallCpu:
    """One writer alone, in this process: ``count`` annotations, then ``count // 4`` review
    decisions (a submit and an approval each); client CPU (this process) and server CPU (the
    server's processes, for a server this run started) per call. With ``team`` (a dossier made
    with ``team init``) the writer and its reviewer are their own logins."""
    from app.dossier import Dossier
    from app.services import annotations, workflow
    from tests.helpers.team_load import TEXT

    if team is not None:
        document_id = team.document_id
        writer = Dossier.open(team.writer_url(0), create=False)
        reviewer = Dossier.open(team.reviewer_url(0), create=False)
    else:
        document_id = prepare(location, 1, admin="admin")
        writer = Dossier.open(location, user="writer-0", create=False)
        reviewer = Dossier.open(location, user="reviewer-0", create=False)
    try:
        warm = annotations.create_annotation(writer, document_id, 0, 40, note="warm-up")
        workflow.submit(writer, [warm.id])
        workflow.decide(reviewer, [warm.id], "approve")
        made: list[str] = []
        server0, cpu0, wall0 = server_cpu_s(postmaster), _cpu_s(), time.perf_counter()
        for k in range(count):
            start = (k * 131) % (len(TEXT) - 60)
            made.append(annotations.create_annotation(writer, document_id, start, start + 40,
                                                      note=f"alone {k}").id)
        wall1, cpu1, server1 = time.perf_counter(), _cpu_s(), server_cpu_s(postmaster)
        decisions = made[:max(1, count // 4)]
        for ann_id in decisions:
            workflow.submit(writer, [ann_id])
            workflow.decide(reviewer, [ann_id], "approve")
        cpu2, server2 = _cpu_s(), server_cpu_s(postmaster)
    finally:
        writer.close()
        reviewer.close()

    def per(a: float | None, b: float | None, n: int) -> float | None:
        return None if a is None or b is None else (b - a) / n * 1000

    return CallCpu((cpu1 - cpu0) / count * 1000, per(server0, server1, count),
                   (cpu2 - cpu1) / len(decisions) * 1000, per(server1, server2, len(decisions)),
                   (wall1 - wall0) / count * 1000)


def _cpu_row(label: str, c: CallCpu) -> str:
    def ms(v: float | None) -> str:
        return "-" if v is None else f"{v:.2f}"

    return (f"{label:<12}{c.annotate_client_ms:>12.2f}{ms(c.annotate_server_ms):>12}"
            f"{c.annotate_wall_ms:>11.2f}{c.decision_client_ms:>13.2f}"
            f"{ms(c.decision_server_ms):>13}")


def _pg(stack: list[object]) -> tuple[object, str] | None:
    """A PostgreSQL server (durable) and a new database's URL; None (with why) if none."""
    from tests.helpers import pg

    try:
        server = pg.server_from_env() or pg.start_throwaway(durable=True)
    except pg.PgUnavailable as exc:
        print(f"PostgreSQL: not available ({exc})")
        return None
    stack.append(server)
    return server, server.url(server.create_database())


def _row(label: str, load: Load) -> str:
    return (f"{label:<12}{load.rate:>10.0f}{percentile(load.annotate_ms, .5):>9.1f}"
            f"{percentile(load.annotate_ms, .95):>9.1f}{percentile(load.review_ms, .95):>11.1f}"
            f"{load.wall_s:>9.1f}{load.cpu_s:>10.1f}{load.loop_cpu_s:>10.1f}"
            f"{'-' if load.server_cpu_s is None else f'{load.server_cpu_s:.1f}':>11}"
            f"{load.errors:>8}")


def main() -> int:
    """Run both loads and both searches; print figures, ratios and targets."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--annotations", type=int, default=200)
    parser.add_argument("--decisions", type=int, default=50)
    parser.add_argument("--documents", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--skip-search", action="store_true")
    parser.add_argument("--sqlite-only", action="store_true")
    parser.add_argument("--alone", type=int, default=400,
                        help="annotations of the one-writer CPU measurement")
    parser.add_argument("--skip-plain", action="store_true",
                        help="leave out the plain PostgreSQL run (no team init)")
    args = parser.parse_args()
    servers: list[object] = []
    made_teams: list[TeamLoad] = []
    print(f"team load: {args.writers} writers x {args.annotations} annotations + "
          f"{args.decisions} review decisions, at once; {os.cpu_count()} CPUs, shared machine "
          "(figures are noisy; read them against the SQLite baseline of the same run)")
    print(f"load average at start: {_loadavg()}")
    try:
        with tempfile.TemporaryDirectory(prefix="dossier-team-bench-") as tmp:
            loads: dict[str, Load] = {}
            cpus: dict[str, CallCpu] = {}
            cpus["SQLite"] = cpu_per_call(str(Path(tmp) / "alone"), args.alone)
            loads["SQLite"] = run_load(str(Path(tmp) / "load"), args.writers, args.annotations,
                                       args.decisions)
            pg_load = None if args.sqlite_only else _pg(servers)
            if pg_load is not None:
                server = pg_load[0]
                postmaster = _postmaster(server)
                # the real case first: team init, each writer its own login, server rules on
                teams = [prepare_team(server, server.create_database(), 1),  # type: ignore
                         prepare_team(server, server.create_database(),  # type: ignore
                                      args.writers)]
                made_teams.extend(teams)
                cpus[TEAM] = cpu_per_call("", args.alone, postmaster, teams[0])
                loads[TEAM] = run_load("", args.writers, args.annotations, args.decisions,
                                       postmaster, teams[1])
                if not args.skip_plain:
                    alone_url = server.url(server.create_database())  # type: ignore
                    cpus[PLAIN] = cpu_per_call(alone_url, args.alone, postmaster)
                    loads[PLAIN] = run_load(pg_load[1], args.writers, args.annotations,
                                            args.decisions, postmaster)
            print(f"{TEAM}: team dossier: team init, each writer its own login, server rules "
                  f"on (the headline PostgreSQL figure); {PLAIN}: the same load on a plain "
                  "PostgreSQL database, self-declared users, no server rules (their cost is "
                  "the difference); SQLite: the same-run baseline")
            print(f"CPU per call, one writer alone ({args.alone} annotations, "
                  f"{max(1, args.alone // 4)} decisions; load-independent):")
            print(f"{'':<12}{'annotate':>12}{'server':>12}{'wall':>11}{'decision':>13}"
                  f"{'server':>13}")
            for label in ORDER:
                if label in cpus:
                    print(_cpu_row(label, cpus[label]))
            print("(ms; annotate/decision: this process's CPU per call; server: the PostgreSQL "
                  "server's CPU per call; a decision is a submit and an approval)")
            print(f"{'':<12}{'ann/s':>10}{'p50 ms':>9}{'p95 ms':>9}{'review p95':>11}"
                  f"{'wall s':>9}{'CPU s':>10}{'loop CPU':>10}{'server CPU':>11}{'errors':>8}")
            for label in ORDER:
                if label in loads:
                    print(_row(label, loads[label]))
            for label in ORDER:
                if label in loads:
                    load = loads[label]
                    print(f"{label}: {load.annotations} annotation and {load.reviews} review "
                          f"ids reported, {load.missing} of them not stored; audit chain "
                          f"{'verifies' if load.chain is None else 'BROKEN: ' + load.chain}")
            sql = loads["SQLite"]
            for label in (TEAM, PLAIN):
                if label not in loads:
                    continue
                pgl = loads[label]
                p95 = percentile(pgl.annotate_ms, .95)
                print(f"ratio {label}/SQLite: rate {pgl.rate / sql.rate:.2f}x, p95 annotate "
                      f"{p95 / percentile(sql.annotate_ms, .95):.2f}x")
            if TEAM in loads and PLAIN in loads:
                team_l, plain_l = loads[TEAM], loads[PLAIN]

                def ratio(a: list[float], b: list[float]) -> float:
                    return percentile(a, .95) / percentile(b, .95)

                print(f"cost of the server rules ({TEAM}/{PLAIN}): rate "
                      f"{team_l.rate / plain_l.rate:.2f}x, p95 annotate "
                      f"{ratio(team_l.annotate_ms, plain_l.annotate_ms):.2f}x, review p95 "
                      f"{ratio(team_l.review_ms, plain_l.review_ms):.2f}x")
            if TEAM in loads:
                p95 = percentile(loads[TEAM].annotate_ms, .95)
                print(f"target p95 annotate < {ANNOTATE_TARGET_MS:.0f} ms on a team dossier: "
                      f"{p95:.1f} ms, {'met' if p95 < ANNOTATE_TARGET_MS else 'NOT met'}")
            print("(CPU s: the writer processes' user+system time during the load, their start-up "
                  "apart; loop CPU: the same measured by each writer around its work only; "
                  "server CPU: the PostgreSQL server's processes, for a server this run "
                  "started; the writers start together once all have opened their dossiers)")
            print(f"load average at end of the loads: {_loadavg()}")
            if args.skip_search:
                return 0
            from benchmarks.search_engines import TARGET_P95_MS, compare

            server = pg_load[0] if pg_load is not None else None
            if server is None:
                print("search: PostgreSQL not available; skipped")
                return 0
            figures = compare(args.documents, args.repeats, server)
            print(f"search through the service (engineer pgsearch's benchmarks/search_engines), "
                  f"20 queries x {args.repeats}, same documents:")
            for figure in figures:
                print("  " + figure.line())
            by_engine = {f.engine: f for f in figures}
            p95 = by_engine["postgresql"].p95_ms
            print(f"  ratio PostgreSQL/SQLite p95: {p95 / by_engine['sqlite'].p95_ms:.2f}x; "
                  f"target p95 < {TARGET_P95_MS:.0f} ms on PostgreSQL: {p95:.1f} ms, "
                  f"{'met' if p95 < TARGET_P95_MS else 'NOT met'}")
    finally:
        for made in made_teams:
            made.team.drop()
        for server in servers:
            server.stop()  # type: ignore[attr-defined]
    return 0


if __name__ == "__main__":
    sys.exit(main())
