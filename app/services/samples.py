"""The sample dossier: two fictional documents shipped in ``resources/samples`` to practise on."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

import platformdirs

from app.services import imports
from app.services.imports import ImportResult

if TYPE_CHECKING:
    from app.dossier import Dossier

#: The samples, in the order they are imported (the last one is opened first).
SAMPLE_FILES = ("harbour-inspection-report.pdf", "harbour-workers-article.md")


def sample_dossier_path() -> Path:
    """Where the sample dossier lives: beside the default dossier, in the user data folder."""
    return Path(platformdirs.user_data_dir("Dossier", appauthor=False)) / "Sample dossier"


def import_samples(dossier: Dossier) -> list[ImportResult]:
    """Import the samples (documents already there are reported as present, not copied)."""
    folder = resources.files("resources.samples")
    return [imports.import_bytes(dossier, folder.joinpath(name).read_bytes(), name,
                                 source=f"Dossier sample: {name}",
                                 custody={"sample": "fictional document shipped with Dossier"})
            for name in SAMPLE_FILES]
