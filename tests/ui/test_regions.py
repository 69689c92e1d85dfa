"""Region annotations: Ctrl+drag a rectangle over a figure, tag it, and follow it everywhere -
stored rectangle, outline in the reader, JSON-LD, REFI-QDA, annotated PDF, evidence report."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor
from PySide6.QtTest import QTest

from app.dossier import Dossier
from app.exchange.annotated_pdf.export import write_annotated_pdf
from app.exchange.filters import select_for_export
from app.exchange.jsonld.write import write_jsonld
from app.exchange.refi.write import write_qdpx
from app.exchange.report.pdf import write_report_pdf
from app.exchange.report.render import render_report_html
from app.services import annotations as service
from app.services.imports import import_file
from tests.helpers.main_window import open_window
from tests.helpers.scans import FIGURE, figure_pdf
from tests.helpers.screenshots import save_screenshot
from ui.views.pdf_view import PdfPageView


def test_a_region_drawn_on_a_figure_is_tagged_stored_shown_and_exported(
    dossier: Dossier, qtbot: Any, tmp_path: Path
) -> None:
    result = import_file(dossier, figure_pdf(tmp_path / "report.pdf"))
    assert result.document is not None
    window = open_window(dossier, qtbot, tmp_path)
    window.resize(1200, 900)
    window.open_document(result.document.id)
    view = window.view
    assert isinstance(view, PdfPageView)
    qtbot.waitUntil(lambda: 1 in view.canvas.shown_pages(), timeout=10000)

    # Ctrl+drag from the figure's top-left corner to its bottom-right corner.
    x0, top, x1, bottom = FIGURE
    viewport = view.canvas.viewport()
    start = view.page_point_to_viewport(1, x0, top)
    end = view.page_point_to_viewport(1, x1, bottom)
    ctrl = Qt.KeyboardModifier.ControlModifier
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, ctrl, start)
    for i in range(1, 7):
        QTest.mouseMove(viewport, start + (end - start) * (i / 6))
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, ctrl, end)
    pending = view.selected_region()
    assert pending is not None and pending.page == 1
    save_screenshot(viewport.grab().toImage(), "region-drawn.png", tmp_path)

    # Tag it with the first tag's key, as a passage would be.
    tag = next(t for t in window.tagger.codebook.tags() if t.is_codable and t.shortcut)
    errors: list[str] = []
    window.tagger.failed.connect(errors.append)
    QTest.keyClick(window, tag.shortcut)
    assert not errors, errors
    qtbot.waitUntil(lambda: bool(service.list_annotations(dossier)), timeout=5000)
    (ann,) = service.list_annotations(dossier)
    assert [t.id for t in ann.tags] == [tag.id]
    region = ann.region
    assert region is not None and region.page == 1
    # The stored rectangle is the one dragged, to within a screen pixel.
    tolerance = 1.5 / view.zoom()
    for got, want in zip(region.box, FIGURE, strict=True):
        assert got == pytest.approx(want, abs=tolerance)
    assert ann.quote == ""  # nothing but drawing inside the figure
    assert view.selected_region() is None

    # Shown as an outline in the tag's colour.
    qtbot.waitUntil(lambda: any(a.region for a in view.annotations()), timeout=5000)
    view.canvas.viewport().update()
    image = viewport.grab().toImage()
    save_screenshot(image, "region-tagged.png", tmp_path)
    edge = view.page_point_to_viewport(1, (x0 + x1) / 2, top)
    colour = QColor(tag.colour)
    near = [QColor(image.pixel(edge + QPoint(0, dy))) for dy in range(-2, 3)]
    assert any(abs(c.hue() - colour.hue()) <= 12 and c.saturation() > 60 for c in near), near

    selection = select_for_export(dossier)
    # JSON-LD: the page refined by a Media Fragments rectangle.
    write_jsonld(dossier, selection, tmp_path / "set.jsonld")
    data = json.loads((tmp_path / "set.jsonld").read_text(encoding="utf-8"))
    (item,) = data["items"] if "items" in data else data["first"]["items"]
    (fragment,) = [s for s in item["target"]["selector"] if s["type"] == "FragmentSelector"]
    assert fragment["value"] == "page=1"
    refined = fragment["refinedBy"]
    assert refined["conformsTo"] == "http://www.w3.org/TR/media-frags/"
    assert refined["value"] == region.media_fragment()

    # REFI-QDA: a PDFSelection with the rectangle (points, top-left origin, 0-based page).
    write_qdpx(dossier, selection, tmp_path / "project.qdpx")
    with zipfile.ZipFile(tmp_path / "project.qdpx") as archive:
        project = archive.read("project.qde").decode("utf-8")
    assert '<PDFSelection ' in project and 'page="0"' in project
    assert f'firstX="{round(region.x)}"' in project
    assert f'secondY="{round(region.y + region.h)}"' in project

    # Annotated PDF: a Square annotation over the figure (PDF user space, bottom-left origin).
    from pypdf import PdfReader

    notes = write_annotated_pdf(dossier, selection, tmp_path / "annotated.pdf")
    assert notes == []
    page = PdfReader(tmp_path / "annotated.pdf").pages[0]
    squares = [a.get_object() for a in page["/Annots"]
               if a.get_object()["/Subtype"] == "/Square"]
    assert len(squares) == 1
    rect = [float(v) for v in squares[0]["/Rect"]]
    height = float(page.mediabox.height)
    assert rect == pytest.approx([region.x, height - region.y - region.h,
                                  region.x + region.w, height - region.y], abs=0.01)

    # Evidence report: a cropped image of the region (HTML: inline PNG; PDF: an image drawn).
    html = render_report_html(dossier, selection)
    assert 'src="data:image/png;base64,' in html
    import base64

    from PIL import Image

    png = base64.b64decode(html.split('src="data:image/png;base64,', 1)[1].split('"', 1)[0])
    crop = Image.open(io.BytesIO(png))
    assert crop.size[0] == pytest.approx(region.w * 2, abs=1)
    assert crop.size[1] == pytest.approx(region.h * 2, abs=1)
    rgb = crop.convert("RGB")
    blue = sum(1 for x in range(rgb.width) for y in range(rgb.height)
               if (px := rgb.getpixel((x, y)))[2] > 150 and px[0] < 100)  # type: ignore[index]
    assert blue > 0.1 * crop.size[0] * crop.size[1]  # the bars are in the crop
    write_report_pdf(dossier, selection, tmp_path / "report-out.pdf")
    import pypdfium2 as pdfium

    report = pdfium.PdfDocument(str(tmp_path / "report-out.pdf"))
    images = [o for i in range(len(report)) for o in report[i].get_objects()
              if o.type == pdfium.raw.FPDF_PAGEOBJ_IMAGE]
    assert images
    from app.services.integrity import verify

    assert verify(dossier).ok  # the region is part of the annotation's audited state
