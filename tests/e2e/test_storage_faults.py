"""Clear one-line errors for storage faults, through the real command line: a full disk leaves no
temporary file and says the disk is full; a read-only dossier still answers reading commands and
verify, and refuses writing ones saying it is read-only; a held write lock is waited for (a
bounded time) and then named."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.cli import REPO, run_cli

ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
TEXT = "Managers confiscated the workers' passports on arrival. Wages went to the state.\n"


def _mount(*args: str) -> bool:
    return subprocess.run(["mount", *args], capture_output=True).returncode == 0


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 2 MiB tmpfs (needs root to mount; skipped otherwise)."""
    if not ROOT or shutil.which("mount") is None:
        pytest.skip("mounting a small tmpfs to fill needs root; run the suite as root (CI does)")
    mount = tmp_path / "small"
    mount.mkdir()
    if not _mount("-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)):
        pytest.skip("this system does not allow mounting a tmpfs here")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True)


def test_full_disk_import_says_so_and_leaves_no_temporary(small_disk: Path,
                                                          tmp_path: Path) -> None:
    dossier = small_disk / "dossier"
    source = tmp_path / "note.txt"
    source.write_text(TEXT)
    run_cli(dossier, "import", str(source), check=True)
    big = tmp_path / "big.txt"
    big.write_text(("A line of evidence that fills the disk. " * 30 + "\n") * 2500)  # ~3 MB
    proc = run_cli(dossier, "import", str(big))
    assert proc.returncode != 0
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert any("is full" in line and "nothing was written" in line for line in lines), lines
    leftovers = [p for p in (dossier / "originals").rglob("*") if p.name.endswith(".tmp")]
    assert leftovers == []
    documents = run_cli(dossier, "documents", check=True).stdout
    assert "big" not in documents
    assert run_cli(dossier, "verify").returncode == 0


@pytest.fixture
def read_only_dossier(dossier_path: Path, tmp_path: Path) -> Iterator[Path]:
    """A dossier with one document, then made read-only (a read-only bind mount when root)."""
    source = tmp_path / "note.txt"
    source.write_text(TEXT)
    run_cli(dossier_path, "import", str(source), check=True)
    if ROOT:
        view = tmp_path / "readonly"
        view.mkdir()
        if not (_mount("--bind", str(dossier_path), str(view))
                and _mount("-o", "remount,ro,bind", str(view))):
            subprocess.run(["umount", "-l", str(view)], capture_output=True)
            pytest.skip("this system does not allow a read-only bind mount")
        try:
            yield view
        finally:
            subprocess.run(["umount", "-l", str(view)], capture_output=True)
    else:
        for path in [dossier_path, *dossier_path.rglob("*")]:
            path.chmod(path.stat().st_mode & ~0o222)
        try:
            yield dossier_path
        finally:
            for path in [dossier_path, *dossier_path.rglob("*")]:
                path.chmod(path.stat().st_mode | 0o200)


def test_read_only_dossier_reads_and_refuses_writes(read_only_dossier: Path) -> None:
    listed = run_cli(read_only_dossier, "documents")
    assert listed.returncode == 0, listed.stderr
    doc_id = listed.stdout.split()[0]
    assert "passports" in run_cli(read_only_dossier, "text", doc_id, check=True).stdout
    verify = run_cli(read_only_dossier, "verify")
    assert verify.returncode == 0, verify.stderr
    proc = run_cli(read_only_dossier, "annotate", doc_id, "--quote", "passports",
                   "--tag", "Deception")
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "is read-only" in proc.stderr
    assert "internal error" not in proc.stderr


def test_a_held_write_lock_is_waited_for_then_named(dossier_path: Path, tmp_path: Path) -> None:
    source = tmp_path / "note.txt"
    source.write_text(TEXT)
    doc_id = run_cli(dossier_path, "import", str(source), check=True).stdout.split()[0]
    holder = sqlite3.connect(dossier_path / "dossier.sqlite", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        env = dict(os.environ, PYTHONIOENCODING="utf-8", DOSSIER_LOCK_WAIT="1")
        proc = subprocess.run(
            [sys.executable, "-m", "app", "--dossier", str(dossier_path), "--user", "alice",
             "annotate", doc_id, "--quote", "passports", "--tag", "Deception"],
            capture_output=True, text=True, cwd=REPO, env=env, timeout=120)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1, proc.stderr
    assert "is busy" in proc.stderr and f"process {os.getpid()}" in proc.stderr
    again = run_cli(dossier_path, "annotate", doc_id, "--quote", "passports", "--tag", "Deception")
    assert again.returncode == 0
