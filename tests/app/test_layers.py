"""The core (app/, db/) never imports Qt widgets or the ui package."""

from __future__ import annotations

import pkgutil
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
_FORBIDDEN = re.compile(r"^\s*(from|import)\s+(PySide6\.QtWidgets|ui(\.|\s|$))", re.MULTILINE)


def _core_modules() -> list[str]:
    names = []
    for package in ("app", "db"):
        for info in pkgutil.walk_packages([str(REPO / package)], prefix=f"{package}."):
            if ".migrations" not in info.name and not info.name.endswith("__main__"):
                names.append(info.name)
    return names


def test_core_sources_do_not_import_widgets_or_ui() -> None:
    offenders = [
        str(path.relative_to(REPO))
        for package in ("app", "db")
        for path in (REPO / package).rglob("*.py")
        if _FORBIDDEN.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_importing_every_core_module_loads_no_widgets() -> None:
    modules = _core_modules()
    assert "app.services.annotations" in modules and "db.models" in modules
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "bad = [m for m in sys.modules if m == 'ui' or m.startswith('ui.')"
        " or m.startswith('PySide6.QtWidgets')]\n"
        "print(bad)\n"
        "sys.exit(1 if bad else 0)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
