"""A process killed (SIGKILL) in the middle of a burst of ``annotate`` calls loses nothing it
reported as created, and leaves a sound database and a verifiable chain."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers.cli import REPO, run_cli

pytestmark = pytest.mark.slow  # runs the command line in new processes

TEXT = " ".join(f"Worker {i} said the manager kept passport number {i}." for i in range(400))

BURST = """
import sys
from app.cli.main import main
dossier, doc = sys.argv[1], sys.argv[2]
i = 0
while True:
    i += 1
    main(["--dossier", dossier, "--user", "alice", "annotate", doc,
          "--quote", f"passport number {i % 400}.", "--tag", "Retention of identity documents",
          "--note", f"burst {i}"])
"""


def test_sigkill_during_burst_loses_nothing_reported(dossier_path: Path, tmp_path: Path) -> None:
    src = tmp_path / "workers.txt"
    src.write_text(TEXT, encoding="utf-8")
    doc_id = run_cli(dossier_path, "import", str(src), check=True).stdout.split("\t")[0]
    reported: list[str] = []
    for lines in (6, 11, 17):  # kill after this many reported annotations
        proc = subprocess.Popen(
            [sys.executable, "-c", BURST, str(dossier_path), doc_id], cwd=REPO,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        assert proc.stdout is not None
        seen = [proc.stdout.readline().strip() for _ in range(lines)]  # the burst under way
        assert all(seen), proc.stderr.read() if proc.stderr else ""
        os.kill(proc.pid, signal.SIGKILL)  # in the middle of the next annotation
        out, _ = proc.communicate(timeout=30)
        assert proc.returncode == -signal.SIGKILL
        reported += [*seen, *[line for line in out.splitlines() if line.strip()]]
    assert len(reported) > 20

    conn = sqlite3.connect(dossier_path / "dossier.sqlite")
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    stored = {r[0] for r in conn.execute("SELECT id FROM annotations")}
    conn.close()
    missing = [ann_id for ann_id in reported if ann_id not in stored]
    assert missing == []
    verify = run_cli(dossier_path, "verify")
    assert verify.returncode == 0, verify.stderr
