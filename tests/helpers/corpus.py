"""The shared test corpus, read in place from ``../shared/corpus`` beside the checkout."""

from __future__ import annotations

from pathlib import Path

import pytest

_REPO = Path(__file__).resolve().parents[2]


def corpus_dir() -> Path | None:
    """``<repo root>/../shared/corpus`` if it exists, else ``None``."""
    path = (_REPO.parent / "shared" / "corpus").resolve()
    return path if path.is_dir() else None


#: Skip a test when the corpus is not beside the checkout.
requires_corpus = pytest.mark.skipif(
    corpus_dir() is None, reason="../shared/corpus not found beside the checkout"
)
