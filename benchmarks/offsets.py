"""How fast code-point offsets convert to Qt's UTF-16 positions in a million-character text.

Figure: building the :class:`ui.offsets.Utf16Map` of a 1,000,000-character text full of emoji and
doing ~10,000 round trips (target < 1 s; the unit test only checks the round trips are right).
Baseline: encoding the same text to UTF-16 once (what any conversion must at least look at).

Usage: python benchmarks/offsets.py [REPEATS]
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ui.offsets import Utf16Map  # noqa: E402

TEXT = ("Workers were sent abroad 😀 and paid in 中文 عربي. " * 21000)[:1_000_000]


def convert() -> float:
    started = time.perf_counter()
    offsets = Utf16Map(TEXT)
    for codepoint in range(0, len(TEXT), 97):
        assert offsets.to_codepoint(offsets.to_utf16(codepoint)) == codepoint
    return time.perf_counter() - started


def encode() -> float:
    started = time.perf_counter()
    TEXT.encode("utf-16-le")
    return time.perf_counter() - started


def main() -> None:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    ours = statistics.median(convert() for _ in range(repeats))
    base = statistics.median(encode() for _ in range(repeats))
    print(f"1M characters, map + 10,000 round trips: {ours * 1000:7.1f} ms   (target < 1000 ms; "
          f"UTF-16 encoding alone: {base * 1000:.1f} ms, ratio {ours / base:.1f}x)")


if __name__ == "__main__":
    main()
