"""The long fuzz run: full-size hostile files and many mutated corpus files, with time and the
peak memory of the whole process tree (Dossier and its extraction workers) per input.

Every input must end imported, imported with warnings, or refused with one line naming it; the
peak resident memory of any import must stay under 1.5 GB; ``verify`` must pass at the end.
(The CI run is tests/app/test_fuzz_imports.py: small versions, under a minute.)

Usage: python benchmarks/fuzz_imports.py [MUTATIONS_PER_FILE] [SEED]
"""

from __future__ import annotations

import os
import random
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.dossier import Dossier  # noqa: E402
from app.services.integrity import verify  # noqa: E402
from tests.helpers import hostile  # noqa: E402
from tests.helpers.corpus import corpus_dir  # noqa: E402
from tests.helpers.fuzz import import_one, mutate  # noqa: E402

LIMIT = 1.5e9
PROC = Path("/proc")


def tree_rss(root: int) -> int:
    """Resident bytes of ``root`` and all its descendants (Linux /proc)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            statm = (entry / "statm").read_text()
        except OSError:
            continue
        pid = int(entry.name)
        children.setdefault(int(stat.rsplit(")", 1)[1].split()[1]), []).append(pid)
        rss[pid] = int(statm.split()[1]) * os.sysconf("SC_PAGE_SIZE")
    total, todo, seen = 0, [root], set()
    while todo:
        pid = todo.pop()
        if pid in seen:
            continue
        seen.add(pid)
        total += rss.get(pid, 0)
        todo.extend(children.get(pid, []))
    return total


class PeakSampler:
    """Samples the process tree's resident memory every 50 ms while active."""

    def __init__(self) -> None:
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.05):
            self.peak = max(self.peak, tree_rss(os.getpid()))

    def __enter__(self) -> PeakSampler:
        self.peak = tree_rss(os.getpid())
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def inputs(mutations: int, seed: int) -> list[tuple[str, Callable[[], bytes]]]:
    out: list[tuple[str, Callable[[], bytes]]] = [
        ("fanout-9x10.pdf", hostile.form_fanout_pdf),
        ("flate-bomb-1GiB.pdf", lambda: hostile.flate_bomb_pdf(1024)),
        ("huge-string-10MiB.pdf", lambda: hostile.huge_string_pdf(10)),
        ("pages-20000.pdf", lambda: hostile.many_pages_pdf(20_000)),
        ("paragraphs-1M.html", lambda: hostile.many_paragraphs_html(1_000_000)),
        ("newlines-10MiB.txt", lambda: hostile.newlines_text(10)),
        ("nuls.txt", lambda: b"Text with one NUL\x00 byte.\n" + b"Plain text.\n" * 400),
        ("all-nuls.txt", lambda: b"\x00" * 65536),
    ]
    folder = corpus_dir()
    if folder is None:
        print("corpus not found: hostile files only")
        return out
    rng = random.Random(seed)
    files = [*sorted((folder / "pdf").glob("*.pdf")), *sorted((folder / "html").glob("*.html")),
             *sorted((folder / "text").glob("*"))]
    for path in files:
        data = path.read_bytes()
        for i in range(mutations):
            mutated = mutate(data, rng, edits=rng.randrange(1, 12))
            out.append((f"m{i}-{path.name}", lambda d=mutated: d))  # type: ignore[misc]
    return out


def main() -> None:
    mutations = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 20261130
    worst = 0
    counts: dict[str, int] = {}
    with tempfile.TemporaryDirectory(prefix="dossier-bench-fuzz-") as tmp:
        dossier = Dossier.open(Path(tmp) / "dossier", user="fuzz")
        for name, make in inputs(mutations, seed):
            data = make()
            with PeakSampler() as sampler:
                began = time.perf_counter()
                outcome = import_one(dossier, data, name)
                took = time.perf_counter() - began
            worst = max(worst, sampler.peak)
            counts[outcome.status] = counts.get(outcome.status, 0) + 1
            flag = "" if sampler.peak < LIMIT else "  OVER 1.5 GB"
            print(f"{name:48} {outcome.status:9} {took:7.1f} s  peak {sampler.peak / 1e6:6.0f} MB"
                  f"{flag}  {outcome.message[:90]}", flush=True)
        report = verify(dossier)
        dossier.close()
    print(f"outcomes: {counts}; worst peak {worst / 1e6:.0f} MB "
          f"({'under' if worst < LIMIT else 'OVER'} 1.5 GB); verify "
          f"{'ok' if report.ok else 'FAILED: ' + report.problems[0]}")


if __name__ == "__main__":
    main()
