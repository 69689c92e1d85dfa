"""No worker survives its parent: killing ``dossier import`` mid-extraction (SIGKILL, so no clean-up
code runs) takes every extraction process with it within seconds, even workers busy with pages
that take seconds each (unprotected, they would finish their chunk of pages first); ``verify``
passes afterwards."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.helpers import hostile
from tests.helpers.cli import REPO, run_cli

PROC = Path("/proc")


def _children() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    return children


def _grandchildren(pid: int) -> set[int]:
    """Processes forked by the children of ``pid`` (the forkserver's workers)."""
    children = _children()
    return {g for c in children.get(pid, []) for g in children.get(c, [])}


def _descendants(pid: int) -> set[int]:
    children = _children()
    found: set[int] = set()
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        state = (PROC / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _wait_until(condition: object, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        time.sleep(0.05)
    return bool(condition())  # type: ignore[operator]


def _kill_import_midway(dossier_path: Path, file: Path, wanted: int) -> None:
    """Start ``dossier import FILE``, wait until the forkserver has forked ``wanted`` workers,
    SIGKILL the import (no clean-up code runs) and check that every worker went with it and
    that ``verify`` passes afterwards."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "app", "--dossier", str(dossier_path), "--user", "alice",
         "import", str(file)],
        cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env=dict(os.environ, PYTHONIOENCODING="utf-8"))
    try:
        assert _wait_until(lambda: len(_grandchildren(proc.pid)) >= wanted, 120), \
            "the import never started its workers"
        workers = _descendants(proc.pid)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        assert _wait_until(lambda: not any(_alive(p) for p in workers), 5), \
            f"workers outlived their parent: {[p for p in workers if _alive(p)]}"
    finally:
        if proc.poll() is None:
            proc.kill()
    verify = run_cli(dossier_path, "verify")
    assert verify.returncode == 0, verify.stderr


@pytest.mark.skipif(not PROC.is_dir(), reason="needs /proc to see the process tree")
def test_killing_an_import_kills_its_workers(dossier_path: Path, tmp_path: Path) -> None:
    pdf = tmp_path / "long.pdf"
    pdf.write_bytes(hostile.heavy_pages_pdf(pages=40))
    # the extraction worker that opened the PDF and the page workers, all busy or waiting
    _kill_import_midway(dossier_path, pdf, 1 + min(2, os.cpu_count() or 1))


@pytest.mark.skipif(not PROC.is_dir(), reason="needs /proc to see the process tree")
def test_killing_an_html_import_kills_its_extraction_worker(
    dossier_path: Path, tmp_path: Path
) -> None:
    """The extraction worker reads an HTML file itself (it is handed the path, not the bytes):
    busy with a page that takes it many seconds, it still dies with the import."""
    page = tmp_path / "long.html"
    page.write_bytes(hostile.many_paragraphs_html(1_000_000))
    _kill_import_midway(dossier_path, page, 1)


@pytest.mark.slow
@pytest.mark.skipif(not PROC.is_dir(), reason="needs /proc to see the process tree")
@pytest.mark.skipif(shutil.which("tesseract") is None, reason="needs Tesseract (make setup)")
def test_killing_an_image_import_kills_its_ocr_workers(dossier_path: Path, tmp_path: Path) -> None:
    """A multi-page scan saved as TIFF is recognised page by page in worker processes: they
    die with the import too."""
    from tests.helpers.scans import digital_pdf, rasterise

    page = rasterise(digital_pdf(tmp_path / "page.pdf"), dpi=300)[0]
    tiff = tmp_path / "scan.tiff"
    page.save(tiff, "TIFF", save_all=True, append_images=[page] * 11, dpi=(300, 300))
    # the OCR workers, forked by the forkserver
    _kill_import_midway(dossier_path, tiff, min(2, os.cpu_count() or 1))


@pytest.mark.slow
@pytest.mark.skipif(not PROC.is_dir(), reason="needs /proc to see the process tree")
@pytest.mark.skipif(shutil.which("tesseract") is None, reason="needs Tesseract (make setup)")
def test_killing_a_photo_import_kills_its_worker(dossier_path: Path, tmp_path: Path) -> None:
    """A single photograph is decoded and recognised in a capped worker process too (it was
    read in Dossier's own process): the worker dies with the import."""
    from tests.helpers.scans import digital_pdf, rasterise

    page = rasterise(digital_pdf(tmp_path / "page.pdf"), dpi=300)[0]
    photo = tmp_path / "photo.png"
    page.save(photo, dpi=(300, 300))
    _kill_import_midway(dossier_path, photo, 1)
