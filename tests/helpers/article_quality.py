"""Article-body quality against passage ground truth (the corpus's ``expected.json`` format).

Each page lists passages its article text must contain (``with``) and boilerplate it must not
(``without``). A found ``with`` passage is a true positive, a missing one a false negative; a found
``without`` passage is a false positive. Matching is on white-space-normalised text, as in the
evaluation the ground truth comes from, so line breaks and blank lines do not count.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

#: The body F1 the article importer must reach (issue 14).
TARGET_F1 = 0.97

_SPACE = re.compile(r"\s+")


def norm(text: str) -> str:
    """White space collapsed to single spaces, ends stripped."""
    return _SPACE.sub(" ", text).strip()


@dataclass(frozen=True)
class Page:
    """One saved page and its ground truth."""

    name: str
    path: Path
    url: str | None
    with_: tuple[str, ...]
    without: tuple[str, ...]
    group: str = ""  # the evaluation set's sub-folder


@dataclass
class Score:
    """Counts over passages, and the pages where a passage went wrong."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    misses: list[tuple[str, str]] = field(default_factory=list)  # (page, missing passage)
    leaks: list[tuple[str, str]] = field(default_factory=list)  # (page, boilerplate found)

    def add(self, page: Page, text: str | None) -> None:
        found = norm(text or "")
        for passage in page.with_:
            if norm(passage) in found:
                self.tp += 1
            else:
                self.fn += 1
                self.misses.append((page.name, passage))
        for passage in page.without:
            if norm(passage) in found:
                self.fp += 1
                self.leaks.append((page.name, passage))
            else:
                self.tn += 1

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        denominator = 2 * self.tp + self.fp + self.fn
        return 2 * self.tp / denominator if denominator else 0.0

    def line(self, label: str) -> str:
        return (f"{label:<34} precision {self.precision:.3f}  recall {self.recall:.3f}  "
                f"F1 {self.f1:.3f}  (tp {self.tp}, fp {self.fp}, fn {self.fn}, tn {self.tn})")


def corpus_pages(folder: Path) -> list[Page]:
    """The corpus's ``html/`` folder: ``expected.json`` maps file name to url, with, without."""
    expected = json.loads((folder / "expected.json").read_text(encoding="utf-8"))
    return [
        Page(name, folder / name, entry.get("url"), tuple(entry["with"]), tuple(entry["without"]))
        for name, entry in sorted(expected.items())
    ]


def evaluation_pages(folder: Path) -> list[Page]:
    """A folder laid out like trafilatura's evaluation set: ``evaldata.json`` maps url to file,
    with and without; the files sit in ``cache/`` or ``eval/``. Missing files are skipped."""
    data = json.loads((folder / "evaldata.json").read_text(encoding="utf-8"))
    pages = []
    for url, entry in sorted(data.items()):
        for sub in ("cache", "eval"):
            path = folder / sub / entry["file"]
            if path.is_file():
                pages.append(Page(entry["file"], path, url, tuple(entry["with"]),
                                  tuple(entry["without"]), sub))
                break
    return pages


def score(pages: Iterable[Page], extract: Callable[[Page], str | None]) -> Score:
    """Score ``extract`` (page to article text, ``None`` when it found none) over ``pages``."""
    result = Score()
    for page in pages:
        result.add(page, extract(page))
    return result
