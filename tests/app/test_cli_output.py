"""``--json`` output: exactly the standard library's indented JSON, written in large blocks."""

from __future__ import annotations

import contextlib
import io
import json
from typing import Any

import pytest

from app.cli import output


class _Counting(io.StringIO):
    writes = 0

    def write(self, s: str) -> int:
        self.writes += 1
        return super().write(s)


def _emitted(value: Any) -> tuple[str, int]:
    out = _Counting()
    with contextlib.redirect_stdout(out):
        output.emit_json(value)
    return out.getvalue(), out.writes


ROW = {"id": "a1", "quote": 'say "no" \\ Łódź\n🙂', "tags": ["A/b", "C"], "tag_ids": [],
       "score": 0.5, "region": {"page": 1, "box": [0.1, 0.2]}, "none": None, "ok": True}


@pytest.mark.parametrize("value", [
    [], {}, "text", 3, None, [ROW], [ROW] * (output.WRITE_ITEMS - 1), [ROW] * output.WRITE_ITEMS,
    [ROW] * (output.WRITE_ITEMS + 1), [[1, [2, []]], {}, []] * 700, ROW,
])
def test_the_text_is_the_standard_indented_json(value: Any) -> None:
    text, _ = _emitted(value)
    assert text == json.dumps(value, ensure_ascii=False, indent=2) + "\n"


def test_a_long_listing_is_written_in_a_few_large_writes() -> None:
    _, writes = _emitted([ROW] * (5 * output.WRITE_ITEMS))
    assert writes <= 6
