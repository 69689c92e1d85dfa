"""Running the real ``dossier`` command line in a subprocess, as a user would."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]


def run_cli(dossier: Path | str, *args: str, user: str = "alice", check: bool = False,
            input_text: str | None = None,
            timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run ``python -m app --dossier DOSSIER --user USER ARGS...``; return the completed process."""
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "app", "--dossier", str(dossier), "--user", user, *args],
        capture_output=True, text=True, encoding="utf-8", cwd=REPO, env=env,
        input=input_text, timeout=timeout,
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"dossier {' '.join(args)} exited {proc.returncode}: {proc.stderr}")
    return proc


def cli_json(dossier: Path | str, *args: str, user: str = "alice") -> Any:
    """Run a listing command with ``--json`` and parse its output."""
    proc = run_cli(dossier, *args, "--json", user=user, check=True)
    return json.loads(proc.stdout)
