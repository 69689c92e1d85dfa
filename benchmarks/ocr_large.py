"""OCR of a large scan within the workers' memory cap: 20 A3 pages at 300 dpi, image only.

A dense A3 page of text is typeset with reportlab, rendered at 300 dpi (3508 x 4961 pixels) and
saved as a 20-page image-only PDF (PIL). Dossier imports it with OCR in its two page workers,
whose address space is capped (:data:`app.importers.bounds.WORKER_MEMORY`); Tesseract runs as a
child of a worker and inherits the cap. Printed: pages recognised, pages that failed (with their
error), wall and CPU time, and the peak resident memory of the whole process tree (Dossier, its
workers and their Tesseract processes), sampled every 50 ms.

Usage: python benchmarks/ocr_large.py [PAGES]
"""

from __future__ import annotations

import os
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

WORDS = ["ledger", "transfer", "contract", "ministry", "payment", "account", "invoice", "harbour",
         "shipment", "director", "holdings", "limited", "commission", "consultant", "signature",
         "registry"]


def a3_page(path: Path) -> Path:
    from reportlab.lib.pagesizes import A3
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=A3)
    c.setFont("Helvetica", 10)
    for row in range(90):
        words = [WORDS[(row * 7 + k * 3) % len(WORDS)] for k in range(14)]
        c.drawString(50, A3[1] - 60 - 13 * row, f"{row + 1:03d} " + " ".join(words))
    c.showPage()
    c.save()
    return path


def tree_rss(root: int) -> tuple[int, dict[str, int]]:
    """Resident bytes of ``root`` and all its descendants, and per command name."""
    children: dict[int, list[int]] = {}
    names: dict[int, str] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as fh:
                fields = fh.read().rsplit(")", 1)
            ppid = int(fields[1].split()[1])
            names[int(entry)] = fields[0].split("(", 1)[1]
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    total = 0
    per: dict[str, int] = {}
    stack = [root]
    while stack:
        pid = stack.pop()
        stack.extend(children.get(pid, []))
        try:
            with open(f"/proc/{pid}/statm", encoding="ascii") as fh:
                rss = int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, ValueError, IndexError):
            continue
        total += rss
        name = names.get(pid, "?")
        per[name] = max(per.get(name, 0), rss)
    return total, per


def main() -> int:
    os.environ["DOSSIER_OCR_CACHE"] = ""
    from app.importers.bounds import WORKER_MEMORY
    from app.importers.ocr import OcrOptions
    from app.importers.pdf import extract_pdf
    from tests.helpers.scans import rasterise, scanned_pdf

    pages = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    with tempfile.TemporaryDirectory(prefix="dossier-ocr-large-") as tmp:
        out = Path(tmp)
        (image,) = rasterise(a3_page(out / "a3.pdf"), 300)
        scan = scanned_pdf(out / "scan.pdf", [image] * pages)
        print(f"{pages} A3 pages at 300 dpi ({image.size[0]} x {image.size[1]} px), image only, "
              f"{scan.stat().st_size / 1e6:.1f} MB; worker cap {WORKER_MEMORY // 1024**2} MiB "
              "(Tesseract inherits it); shared 2-core machine")
        peak_total = [0]
        peak_by_name: dict[str, int] = {}
        done = threading.Event()

        def sample() -> None:
            while not done.is_set():
                total, per = tree_rss(os.getpid())
                peak_total[0] = max(peak_total[0], total)
                for name, rss in per.items():
                    peak_by_name[name] = max(peak_by_name.get(name, 0), rss)
                time.sleep(0.05)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        wall, cpu = time.perf_counter(), time.process_time()
        doc = extract_pdf(scan, workers=2, ocr=OcrOptions("auto", "eng"))
        wall = time.perf_counter() - wall
        cpu = time.process_time() - cpu
        done.set()
        sampler.join()
        recognised = sum(1 for p in doc.pages if p.ocr and p.text.strip())
        failed = [w for w in doc.warnings if "OCR failed" in w or "memory" in w.lower()]
        print(f"recognised {recognised}/{pages} pages in {wall:.1f} s wall "
              f"({pages / wall:.2f} pages/s; main process CPU {cpu:.1f} s)")
        print(f"peak resident memory of the process tree: {peak_total[0] / 1024**2:.0f} MiB")
        for name, rss in sorted(peak_by_name.items(), key=lambda kv: -kv[1]):
            print(f"  largest {name:<18} {rss / 1024**2:6.0f} MiB")
        for warning in failed[:5]:
            print(f"  FAILED: {warning}")
        ok = recognised == pages and not failed
        print("within the cap: " + ("holds" if ok else "FAILS"))
        return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
