"""Character boxes lie on the page and over their glyphs, as PDFium renders the displayed page.

For passages read off the rendered pages, every non-space character's stored box must lie inside
the page and cover ink (dark pixels) in the bitmap that pypdfium2 renders - which honours /Rotate,
so rotated pages are checked in their displayed orientation.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from PIL import Image

from app.importers.base import ExtractedDocument, ExtractedPage
from tests.helpers.corpus import corpus_dir, requires_corpus

pytestmark = [requires_corpus, pytest.mark.corpus]

PDFS = (corpus_dir() or Path("/nonexistent")) / "pdf"
SCALE = 3.0
INK = 200  # grey level (0 black .. 255 white) below which a pixel is ink

#: (file, page index, passages read off that rendered page)
SAMPLES: list[tuple[str, int, list[str]]] = [
    ("multicolumn.pdf", 0, ["Two-Column Document with Lorem Ipsum", "Abstract",
                            "pellentesque ante. Phasellus adipiscing semper elit."]),
    ("pdflatex-4-pages.pdf", 0, ["Hello, here is some text without a meaning.",
                                 "Kjift – not at all!", "difference"]),
    ("federal-register-2020-17221.pdf", 1, ["Hatta International Airport in Jakarta",
                                            "and the Ethiopian Civil Aviation"]),
    ("2023-06-20-PV.pdf", 0, ["COMITÉ DE DÉMOLITION", "Mme Ariane Bélanger"]),
    ("issue-71-duplicate-chars.pdf", 0, ["北京师范大学珠海分校", "教育经历"]),
    ("habibi.pdf", 0, ["habibi حَبيبي"]),
    ("google-doc-document.pdf", 0, ["Beautiful is better than ugly.", "Vatican City"]),
    # rotated pages: /Rotate 90 (content drawn sideways), and 90, 180, 270, 0
    ("nics-background-checks-2015-11-rotated.pdf", 0, ["NICS Firearm Background Checks",
                                                       "Alabama", "November - 2015"]),
    ("senate-expenditures.pdf", 0, ["CITIBANK - TRAVEL CBA CARD", "DHAW20190001"]),
    ("habibi-rotated.pdf", 0, ["habibi حَبيبي"]),
    ("habibi-rotated.pdf", 1, ["habibi حَبيبي"]),
    ("habibi-rotated.pdf", 2, ["habibi حَبيبي"]),
    ("habibi-rotated.pdf", 3, ["habibi حَبيبي"]),
]



def render(name: str, index: int) -> Image.Image:
    page = pdfium.PdfDocument(PDFS / name)[index]
    return page.render(scale=SCALE, draw_annots=False, grayscale=True).to_pil().convert("L")


def has_ink(img: Image.Image, box: tuple[float, float, float, float]) -> bool:
    x0, top, x1, bottom = (round(v * SCALE) for v in box)
    region = img.crop(
        (max(0, x0), max(0, top), min(img.width, x1 + 1), min(img.height, bottom + 1))
    )
    lo = region.getextrema()[0]  # (min, max) of a greyscale image
    assert isinstance(lo, int | float)
    return lo < INK


@pytest.mark.parametrize(("name", "index", "passages"), SAMPLES)
def test_boxes_lie_over_the_rendered_glyphs(
    name: str, index: int, passages: list[str], doc: Callable[[str], ExtractedDocument]
) -> None:
    page: ExtractedPage = doc(name).pages[index]
    img = render(name, index)
    # the stored page size is the displayed page's (after /Rotate)
    assert abs(img.width / SCALE - page.width) < 1 and abs(img.height / SCALE - page.height) < 1
    for passage in passages:
        start = page.text.index(passage)
        for k in range(start, start + len(passage)):
            x0, top, x1, bottom = box = page.box(k)
            assert -1 <= x0 <= x1 <= page.width + 1, (passage, k)
            assert -1 <= top <= bottom <= page.height + 1, (passage, k)
            if page.synthetic[k] or page.text[k].isspace():
                continue
            assert 0 < x1 - x0 < 60 and 0 < bottom - top < 60, (passage, page.text[k], box)
            assert has_ink(img, box), f"{name} p{index}: no ink under {page.text[k]!r} at {box}"


def test_boxes_are_not_just_anywhere(doc: Callable[[str], ExtractedDocument]) -> None:
    """The ink test can fail: the same boxes moved off the text land on blank paper."""
    page = doc("multicolumn.pdf").pages[0]
    img = render("multicolumn.pdf", 0)
    start = page.text.index("Two-Column Document")
    moved = 0
    for k in range(start, start + len("Two-Column")):
        x0, top, x1, bottom = page.box(k)
        shift = 3 * (bottom - top)  # well above the title: the empty top margin
        if not has_ink(img, (x0, top - shift, x1, bottom - shift)):
            moved += 1
    assert moved == len("Two-Column")


def test_rotated_pages_report_their_rotation(doc: Callable[[str], ExtractedDocument]) -> None:
    assert doc("nics-background-checks-2015-11-rotated.pdf").pages[0].rotation == 90
    assert [p.rotation for p in doc("habibi-rotated.pdf").pages] == [90, 180, 270, 0]
    nics = doc("nics-background-checks-2015-11-rotated.pdf").pages[0]
    assert nics.height > nics.width  # displayed upright (portrait), text running downwards


def test_synthetic_characters_sit_at_the_end_of_the_glyph_before(
    doc: Callable[[str], ExtractedDocument],
) -> None:
    page = doc("pdflatex-4-pages.pdf").pages[0]
    k = page.text.index("Hello, here") + len("Hello,")
    assert page.text[k] == " " and page.synthetic[k] == 1
    x0, top, x1, bottom = page.box(k)
    prev = page.box(k - 1)
    assert x0 == x1 == prev[2]
    assert (top, bottom) == (prev[1], prev[3])
