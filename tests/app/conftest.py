"""Fixtures shared by the core tests."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from app.importers.base import ExtractedDocument
from app.importers.pdf import extract_pdf
from tests.helpers.corpus import corpus_dir


@pytest.fixture(scope="session")
def doc() -> Callable[[str], ExtractedDocument]:
    """Extract each corpus PDF (by file name) once, in this process, for the whole session."""
    cache: dict[str, ExtractedDocument] = {}

    def get(name: str) -> ExtractedDocument:
        if name not in cache:
            folder = corpus_dir()
            if folder is None:
                pytest.skip("../shared/corpus not found beside the checkout")
            cache[name] = extract_pdf(folder / "pdf" / name, workers=1)
        return cache[name]

    return get
