"""The ``dossier`` command: the command line of the core with the desktop application plugged in.

This package sits above both layers (``ui -> app -> db``), so it may name each of them in plain
import statements: the core hands the ``gui`` command a runner and never reaches up to the GUI.
"""

from __future__ import annotations

from collections.abc import Sequence

TYPE_CHECKING = False  # typing is not loaded at run time (see app.cli.main)
if TYPE_CHECKING:
    from pathlib import Path


def run_desktop(folder: Path | None, user: str | None) -> int:
    """Lock and open the dossier in ``folder`` (None: the one used last) in the main window; run
    until it closes."""
    from ui.application import run_folder  # Qt is loaded only when a window opens

    return run_folder(folder, user)


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``dossier`` with ``argv``; ``dossier`` alone or ``dossier gui`` opens the window."""
    from app.cli.main import main as command_line

    return command_line(argv, gui=run_desktop)
