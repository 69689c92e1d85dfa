"""Format detection looks at what a file contains, never at its name."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from app.importers.base import ImportRefused
from app.importers.detect import detect_format
from tests.helpers.corpus import corpus_dir, requires_corpus

CORPUS = corpus_dir() or Path("/nonexistent")


def _files(folder: str, pattern: str) -> list[Path]:
    return sorted((CORPUS / folder).glob(pattern)) if corpus_dir() else []


@requires_corpus
@pytest.mark.parametrize("path", _files("pdf", "*.pdf"), ids=lambda p: p.name)
def test_corpus_pdfs_are_pdf(path: Path) -> None:
    assert detect_format(path.read_bytes(), path.name) == "pdf"


@requires_corpus
@pytest.mark.parametrize(
    "path",
    [p for p in _files("bad", "*.pdf") if p.name not in {"empty.pdf", "html-named.pdf"}],
    ids=lambda p: p.name,
)
def test_broken_or_encrypted_pdfs_are_still_pdf(path: Path) -> None:
    # Refusing them is the PDF importer's job; detection only says what they are.
    assert detect_format(path.read_bytes(), path.name) == "pdf"


@requires_corpus
@pytest.mark.parametrize("path", _files("html", "*.html"), ids=lambda p: p.name)
def test_corpus_pages_are_html(path: Path) -> None:
    assert detect_format(path.read_bytes(), path.name) == "html"


@requires_corpus
def test_html_named_pdf_is_html_by_content() -> None:
    path = CORPUS / "bad" / "html-named.pdf"
    assert detect_format(path.read_bytes(), path.name) == "html"


@requires_corpus
def test_news_text_file_is_text() -> None:
    path = CORPUS / "text" / "the-week-north-korea-overseas-workers.txt"
    assert detect_format(path.read_bytes(), path.name) == "text"


@requires_corpus
def test_empty_file_is_refused_with_its_name() -> None:
    with pytest.raises(ImportRefused, match=r"^empty\.pdf is empty \(0 bytes\)"):
        detect_format((CORPUS / "bad" / "empty.pdf").read_bytes(), "empty.pdf")


def test_empty_bytes_without_a_name() -> None:
    with pytest.raises(ImportRefused, match=r"is empty \(0 bytes\)"):
        detect_format(b"")


@pytest.mark.parametrize("name", ["report.pdf", "report.txt", "report.html", "report", ""])
def test_the_name_does_not_matter(name: str) -> None:
    assert detect_format(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", name) == "pdf"
    assert detect_format(b"<!DOCTYPE html><html><body>x</body></html>", name) == "html"
    assert detect_format(b"Minutes of the meeting\n\nPresent: all.\n", name) == "text"


def test_pdf_header_after_junk_within_1024_bytes() -> None:
    assert detect_format(b"\r\n" * 100 + b"%PDF-1.4\n...", "x.pdf") == "pdf"
    far = b"Notes on file formats.\n" * 60 + b"%PDF-1.4"
    assert len(far) > 1024
    assert detect_format(far, "notes.txt") == "text"


@pytest.mark.parametrize(
    "start",
    [
        b"<!DOCTYPE html>\n<html>",
        b"<!doctype HTML><html lang='en'>",
        b"<HTML>\n<HEAD><TITLE>Old page</TITLE></HEAD>",
        b"\xef\xbb\xbf<!DOCTYPE html>",
        b"\n\n   \t<html>",
        b"<!-- saved from url=(0042)https://example.org/ -->\n<!-- another -->\n<html>",
        b'<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0'
        b' Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">',
        b"<head><meta charset=utf-8>",
        b"<body>\n<p>Fragment</p>",
        b"<article><h1>Story</h1>",
        b'<meta http-equiv="Content-Type" content="text/html; charset=windows-1252">',
    ],
)
def test_html_starts(start: bytes) -> None:
    assert detect_format(start + b"\n<p>Text of the page.</p></body></html>", "page") == "html"


def test_utf16_html_with_bom() -> None:
    data = "\ufeff<!DOCTYPE html><html><body><p>Grüße</p></body></html>".encode("utf-16")
    assert detect_format(data, "page.htm") == "html"


@pytest.mark.parametrize(
    "data",
    [
        b"The <html> element is the root of a page.\n",
        b"<htmlish> is not a tag we know\n",
        b"Plain notes.\n<html> appears only later in this file.\n",
        b"<!-- a comment, then prose -->\nJust text.\n",
    ],
)
def test_text_that_mentions_tags_is_text(data: bytes) -> None:
    assert detect_format(data, "notes.txt") == "text"


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("Grüße aus München — “Zitat” für 5 €.\n" * 4, "cp1252"),
        ("北朝鮮の海外労働者は強制労働に従事していると報告されている。\n" * 3, "shift_jis"),
        ("朝鲜海外劳工在中国和俄罗斯从事强迫劳动，公司隐瞒了合同。\n" * 3, "gb18030"),
        ("Notes with a byte-order mark.\n", "utf-16"),
        ("Notes with a byte-order mark.\n", "utf-8-sig"),
    ],
)
def test_legacy_and_bom_encoded_text_is_text(text: str, encoding: str) -> None:
    assert detect_format(text.encode(encoding), "notes.txt") == "text"


def _zip(names: list[str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, "<xml/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"GIF89a\x01\x00\x01\x00\x80\x00\x00" + bytes(20), "is a GIF image"),
        (b"GIF87a\x01\x00\x01\x00" + bytes(20), "is a GIF image"),
        (_zip(["[Content_Types].xml", "word/document.xml"]), "is a Word .docx document"),
        (_zip(["[Content_Types].xml", "xl/workbook.xml"]), "is an Excel .xlsx workbook"),
        (_zip(["data/a.csv"]), "is a ZIP archive"),
        (b"\x1f\x8b\x08\x00" + bytes(30), "is a gzip-compressed file"),
        (b"{\\rtf1\\ansi Hello}", "is an RTF document"),
    ],
)
def test_known_binaries_are_named(data: bytes, expected: str) -> None:
    with pytest.raises(ImportRefused) as caught:
        detect_format(data, "upload.pdf")
    message = str(caught.value)
    assert message.startswith("upload.pdf: not a supported file (it ")
    assert expected in message
    assert "Dossier imports PDF, HTML and text files and images" in message


@pytest.mark.parametrize("data", [
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(40),
    b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(40),
    b"II*\x00" + bytes(40),
    b"RIFF\x00\x00\x00\x00WEBPVP8 " + bytes(40),
])
def test_images_are_detected_as_images(data: bytes) -> None:
    assert detect_format(data, "scan.bin") == "image"


def test_unknown_binary_is_refused() -> None:
    data = bytes(range(256)) * 8
    with pytest.raises(ImportRefused, match=r"^blob\.bin: not a supported file \(binary data"):
        detect_format(data, "blob.bin")


def test_text_with_control_bytes_is_not_text() -> None:
    with pytest.raises(ImportRefused, match="not a supported file"):
        detect_format(b"looks like text\x00\x01\x02\x03 but is not" * 10, "x.txt")
