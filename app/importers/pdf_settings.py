"""The parameters of PDF text extraction (part of the extractor's identity)."""

from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass(frozen=True)
class PdfSettings:
    """The parameters of PDF text extraction; the same file and settings give the same text.

    Distances are in units of the font size (``*_ratio``) or in points.
    """

    #: A gap between two glyphs wider than this x font size is a word space.
    x_tolerance_ratio: float = 0.15
    #: If set, an absolute word-space gap in points instead (pdfplumber's ``x_tolerance``).
    x_tolerance: float | None = None
    #: Glyph runs whose vertical centres differ by at most this x font size share a line.
    y_tolerance_ratio: float = 0.4
    #: Glyphs with the same text, font and size within this many points are one glyph.
    dedupe_tolerance: float = 1.0
    #: A vertical gap of at least this x font size through a whole region can separate columns.
    column_gap_ratio: float = 0.5
    #: A column is at least this x font size wide (narrower parts are table cells or labels).
    min_column_width_ratio: float = 8.0
    #: Join the lines of a paragraph with one space (else every line ends with a newline).
    join_paragraph_lines: bool = True

    def describe(self) -> str:
        """``name=value`` pairs of every field, in declaration order."""
        return " ".join(f"{f.name}={getattr(self, f.name)!r}" for f in fields(self))
