"""The core (app/, db/) never imports Qt widgets or the ui package, not even by string; the GUI
is started by an entry point above both layers."""

from __future__ import annotations

import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
_FORBIDDEN = re.compile(r"^\s*(from|import)\s+(PySide6\.QtWidgets|ui(\.|\s|$))", re.MULTILINE)
#: ``importlib.import_module("ui.x")``, ``__import__('PySide6.QtWidgets')``, ``import_module(
#: "ui")``: importing by a literal name is still importing.
_BY_STRING = re.compile(
    r"""(import_module|__import__)\(\s*[rbuf]?["'](PySide6\.QtWidgets|ui)(\.[\w.]*)?["']""")


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


def test_core_sources_do_not_import_widgets_or_ui_by_string() -> None:
    offenders = [
        str(path.relative_to(REPO))
        for package in ("app", "db")
        for path in (REPO / package).rglob("*.py")
        if _BY_STRING.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_imports_by_string_are_recognised() -> None:
    for source in ('importlib.import_module("ui.application")', "__import__('ui')",
                   'import_module( "PySide6.QtWidgets")', "importlib.import_module('ui.x.y')"):
        assert _BY_STRING.search(source), source
    for source in ('import_module("uikit")', 'import_module("app.cli.gui")',
                   'import_module(f"app.cli.{name}")'):
        assert not _BY_STRING.search(source), source


def test_the_desktop_entry_point_sits_above_both_layers() -> None:
    from launch import main, run_desktop

    assert callable(main) and callable(run_desktop)
    scripts = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    assert 'dossier = "launch:main"' in scripts


@pytest.mark.slow
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
