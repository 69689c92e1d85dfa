"""The long fuzz run: full-size hostile files, many mutated corpus files and many mutated
annotation sets, with time and the peak memory of the whole process tree (Dossier and its
extraction workers) per input.

Every document must end imported, imported with warnings, or refused with one line naming it;
every set imported or refused with one line naming it and nothing written; the peak resident
memory of any import must stay under 1.5 GB; ``verify`` must pass at the end. The sets are a
JSON-LD set, an evidence bundle and a REFI-QDA project exported from a dossier of 300 tagged,
graded and reviewed annotations (JSON-LD mutated by structure and by bytes, the ZIPs by bytes).
(The CI runs are tests/app/test_fuzz_imports.py and test_fuzz_sets.py: small, under a minute.)

Usage: python benchmarks/fuzz_imports.py [MUTATIONS_PER_FILE] [SEED] [SET_MUTATIONS]
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
from tests.helpers.fuzz import Outcome, import_one, mutate  # noqa: E402
from tests.helpers.fuzz_sets import (  # noqa: E402
    SET_TEXT,
    import_set_one,
    mutated_sets,
    source_sets,
)

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


def run(name: str, attempt: Callable[[], Outcome], counts: dict[str, int]) -> int:
    with PeakSampler() as sampler:
        began = time.perf_counter()
        outcome = attempt()
        took = time.perf_counter() - began
    counts[outcome.status] = counts.get(outcome.status, 0) + 1
    flag = "" if sampler.peak < LIMIT else "  OVER 1.5 GB"
    print(f"{name:48} {outcome.status:9} {took:7.1f} s  peak {sampler.peak / 1e6:6.0f} MB"
          f"{flag}  {outcome.message[:90]}", flush=True)
    return sampler.peak


def main() -> None:
    from tests.helpers.documents import add_text_document

    mutations = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 20261130
    set_mutations = int(sys.argv[3]) if len(sys.argv) > 3 else 20
    worst = 0
    counts: dict[str, int] = {}
    set_counts: dict[str, int] = {}
    began = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="dossier-bench-fuzz-") as tmp:
        root = Path(tmp)
        dossier = Dossier.open(root / "dossier", user="fuzz")
        for name, make in inputs(mutations, seed):
            data = make()
            worst = max(worst, run(name, lambda d=data, n=name:  # type: ignore[misc]
                                   import_one(dossier, d, n), counts))
        add_text_document(dossier, SET_TEXT, "Set source")  # what the JSON-LD sets point at
        scratch = root / "sets"
        scratch.mkdir()
        sets = source_sets(root, 300)
        for name, data in [*sets.items(),
                           *mutated_sets(sets, random.Random(seed), set_mutations)]:
            worst = max(worst, run(name, lambda d=data, n=name:  # type: ignore[misc]
                                   import_set_one(dossier, scratch, d, n), set_counts))
        report = verify(dossier)
        dossier.close()
    print(f"documents: {sum(counts.values())} inputs, outcomes {counts}; sets: "
          f"{sum(set_counts.values())} inputs, outcomes {set_counts}; worst peak "
          f"{worst / 1e6:.0f} MB ({'under' if worst < LIMIT else 'OVER'} 1.5 GB); "
          f"{time.perf_counter() - began:.0f} s in all; verify "
          f"{'ok' if report.ok else 'FAILED: ' + report.problems[0]}")


if __name__ == "__main__":
    main()
