"""Encoding is decided per document and damage is reported: one invalid byte in a UTF-8 page keeps
every other character (no fallback to a single-byte code page), a few stray control bytes import
with a warning, and the message names the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.errors import BadInput
from app.importers.html import extract_html
from app.importers.text import extract_text_file
from tests.helpers.corpus import corpus_dir

ARTICLE = ("<!DOCTYPE html><html><head><meta charset='utf-8'><title>Höhen</title></head><body>"
           "<!-- a comment -->"
           "<article><h1>Die Höhen der Alpen</h1>"
           + "".join(f"<p>Absatz {i}: Grüße aus den Höhen, über Täler und Flüsse.</p>"
                     for i in range(12))
           + "</article></body></html>")


def _flip_in_comment(data: bytes) -> bytes:
    at = data.index(b"a comment")
    return data[:at] + b"\xff" + data[at + 1:]


@pytest.mark.parametrize("declared", [True, False])
def test_one_invalid_byte_keeps_a_utf8_page_utf8(declared: bool) -> None:
    html = ARTICLE if declared else ARTICLE.replace("<meta charset='utf-8'>", "")
    doc = extract_html(_flip_in_comment(html.encode("utf-8")), name="alpen.html")
    assert "Grüße aus den Höhen, über Täler und Flüsse." in doc.text
    assert "Ã" not in doc.text
    assert doc.metadata["encoding"] == "utf-8"
    assert doc.metadata["invalid_bytes_replaced"] == 1
    assert any("alpen.html: 1 invalid UTF-8 byte sequence" in w for w in doc.warnings)


def test_a_flipped_byte_in_a_corpus_page_keeps_every_other_character() -> None:
    folder = corpus_dir()
    if folder is None:
        pytest.skip("../shared/corpus not found beside the checkout")
    data = (folder / "html" / "spiegel.de.albtraum.html").read_bytes()
    clean = extract_html(data, name="albtraum.html")
    at = data.index("ö".encode()) - 200  # somewhere before the first umlaut, in markup or text
    while data[at] >= 0x80:
        at += 1
    damaged = extract_html(data[:at] + bytes([data[at] | 0x80]) + data[at + 1:],
                           name="albtraum.html")
    assert damaged.metadata["encoding"] == clean.metadata["encoding"]
    differing = sum(1 for a, b in zip(clean.text, damaged.text, strict=False) if a != b)
    assert differing <= 1 and abs(len(clean.text) - len(damaged.text)) <= 1


def test_a_latin1_page_is_still_detected_as_latin1() -> None:
    html = ARTICLE.replace("<meta charset='utf-8'>", "")
    doc = extract_html(html.encode("cp1252"), name="alpen.html")
    assert "Grüße aus den Höhen" in doc.text
    assert "invalid_bytes_replaced" not in doc.metadata


def test_text_with_one_invalid_byte_and_a_few_nuls(tmp_path: Path) -> None:
    text = "Die Höhen der Alpen.\n\n" + "Grüße über Täler und Flüsse. " * 200
    data = bytearray(text.encode("utf-8"))
    data[1] = 0xFF  # the "i" of "Die"
    data[40:41] = b"\x00"
    doc = extract_text_file(bytes(data), "alpen.txt")
    assert doc.text.count("\ufffd") == 2
    assert "Grüße über Täler und Flüsse." in doc.text
    assert len(doc.warnings) == 2 and all(w.startswith("alpen.txt: ") for w in doc.warnings)


def test_binary_is_still_refused_naming_the_file() -> None:
    with pytest.raises(BadInput, match="^blob.txt: not a supported file"):
        extract_text_file(bytes(range(32)) * 200, "blob.txt")
