"""Hand-made hostile inputs for the fuzz tests and the hardening benchmark.

Each builder returns the bytes of a small file that once made Dossier use unbounded time or
memory: forms drawing forms, a flate bomb, a huge string, thousands of pages, a million
paragraphs. Sizes are parameters so CI can run small versions and ``benchmarks/`` the full ones.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence


def pdf_file(objects: Sequence[bytes], root: int = 1) -> bytes:
    """A PDF whose object ``i + 1`` is ``objects[i]``, with a correct cross-reference table."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets: list[int] = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += (b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n"
            % (len(objects) + 1, root, xref))
    return bytes(out)


def _stream(data: bytes, extra: bytes = b"", *, flate: bool = False) -> bytes:
    if flate:
        data = zlib.compress(data, 9)
        extra += b" /Filter /FlateDecode"
    return b"<< /Length %d%s >>\nstream\n" % (len(data), extra) + data + b"\nendstream"


_FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"


def _single_page(content: bytes, resources: bytes = b"/Font << /F1 4 0 R >>") -> list[bytes]:
    return [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << %s >> "
        b"/Contents 5 0 R >>" % resources,
        _FONT,
        content,
    ]


def text_pdf(text: str = "A small honest page of text.") -> bytes:
    """One page with one line of text."""
    return pdf_file(_single_page(_stream(b"BT /F1 12 Tf 72 720 Td (%s) Tj ET"
                                         % text.encode("latin-1"))))


def form_fanout_pdf(levels: int = 9, fanout: int = 10) -> bytes:
    """A page drawing a form that draws the next form ``fanout`` times, ``levels`` deep."""
    objects = _single_page(_stream(b"BT /F1 12 Tf 72 720 Td (Fan-out) Tj ET /X1 Do"),
                           b"/Font << /F1 4 0 R >> /XObject << /X1 6 0 R >>")
    for level in range(1, levels + 1):
        number = 5 + level
        if level < levels:
            body = b" ".join(b"/X Do" for _ in range(fanout))
            res = b"/XObject << /X %d 0 R >> /Font << /F1 4 0 R >>" % (number + 1)
        else:
            body = b"BT /F1 1 Tf 0 0 Td (leaf) Tj ET"
            res = b"/Font << /F1 4 0 R >>"
        objects.append(_stream(body, b" /Type /XObject /Subtype /Form /BBox [0 0 10 10] "
                                     b"/Resources << %s >>" % res))
    return pdf_file(objects)


def flate_bomb_pdf(megabytes: int = 200) -> bytes:
    """A page whose content stream inflates to ``megabytes`` MiB of spaces."""
    comp = zlib.compressobj(9)
    chunk = b" " * (1 << 20)
    data = bytearray(comp.compress(b"BT /F1 12 Tf 72 720 Td (Bomb) Tj ET\n"))
    for _ in range(megabytes):
        data += comp.compress(chunk)
    data += comp.flush()
    stream = b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(data) + bytes(data) + \
        b"\nendstream"
    return pdf_file(_single_page(stream))


def huge_string_pdf(megabytes: int = 10) -> bytes:
    """A page showing one string of ``megabytes`` MiB, stored compressed (the file stays small)."""
    content = b"BT /F1 12 Tf 72 720 Td (" + b"W" * (megabytes << 20) + b") Tj ET"
    return pdf_file(_single_page(_stream(content, flate=True)))


def many_pages_pdf(pages: int = 20_000) -> bytes:
    """``pages`` pages sharing one small content stream."""
    kids = b" ".join(b"%d 0 R" % (6 + i) for i in range(pages))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, pages),
        b"<< /Font << /F1 4 0 R >> >>",
        _FONT,
        _stream(b"BT /F1 12 Tf 72 720 Td (One of many pages.) Tj ET"),
    ]
    objects += [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources 3 0 R "
                b"/Contents 5 0 R >>"] * pages
    return pdf_file(objects)


def many_paragraphs_html(paragraphs: int = 1_000_000) -> bytes:
    """An article of ``paragraphs`` short paragraphs (about 12 bytes each)."""
    body = "".join(f"<p>Line {i}.</p>" for i in range(paragraphs))
    return (f"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Many</title></head>"
            f"<body><article><h1>Many paragraphs</h1>{body}</article></body></html>"
            ).encode()


def newlines_text(megabytes: int = 10) -> bytes:
    """A text file of nothing but newlines, after one line of text."""
    return b"Only newlines follow.\n" + b"\n" * (megabytes << 20)


def heavy_pages_pdf(pages: int = 40, levels: int = 5, fanout: int = 7, run: int = 120) -> bytes:
    """``pages`` pages, each drawing a tree of forms whose leaves show ``run`` characters: seconds
    of work per page, within every budget (for tests that need busy workers)."""
    kids = b" ".join(b"%d 0 R" % (6 + levels + i) for i in range(pages))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, pages),
        b"<< /Font << /F1 4 0 R >> /XObject << /X1 6 0 R >> >>",
        _FONT,
        _stream(b"BT /F1 12 Tf 72 720 Td (Heavy page) Tj ET /X1 Do"),
    ]
    for level in range(1, levels + 1):
        number = 5 + level
        if level < levels:
            body = b" ".join(b"/X Do" for _ in range(fanout))
            res = b"/XObject << /X %d 0 R >> /Font << /F1 4 0 R >>" % (number + 1)
        else:
            body = b"BT /F1 1 Tf 0 0 Td (" + b"x" * run + b") Tj ET"
            res = b"/Font << /F1 4 0 R >>"
        objects.append(_stream(body, b" /Type /XObject /Subtype /Form /BBox [0 0 10 10] "
                                     b"/Resources << %s >>" % res))
    objects += [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources 3 0 R "
                b"/Contents 5 0 R >>"] * pages
    return pdf_file(objects)


def pixel_bomb_png(width: int = 19_000, height: int = 10_000) -> bytes:
    """A white RGB PNG of ``width`` x ``height`` pixels (190 million: under Pillow's bomb limit,
    over 1 GiB once decoded and turned upright) in well under a megabyte."""
    import struct

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))

    row = b"\x00" + b"\xff" * (3 * width)
    packer = zlib.compressobj(9)
    idat = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat)
            + chunk(b"IEND", b""))
