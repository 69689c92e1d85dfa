"""Scanned pages made for the tests: text typeset with reportlab, rasterised, saved image-only."""

from __future__ import annotations

from pathlib import Path
from typing import Any

#: Lines typeset on the generated page: (x, baseline y from the top, size, text), in points.
LINES = [
    (72.0, 100.0, 16.0, "Payment schedule for the harbour contract"),
    (72.0, 140.0, 13.0, "The ministry transferred 2,450,000 dollars on 14 March 2019."),
    (72.0, 170.0, 13.0, "A second transfer followed through Meridian Holdings Limited."),
    (72.0, 200.0, 13.0, "Invoice 88-4172 was signed by the deputy director in Lagos."),
]


def digital_pdf(path: Path, lines: list[tuple[float, float, float, str]] = LINES) -> Path:
    """A one-page PDF with a text layer (Helvetica), US Letter."""
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=letter)
    height = letter[1]
    for x, y, size, text in lines:
        c.setFont("Helvetica", size)
        c.drawString(x, height - y, text)
    c.showPage()
    c.save()
    return path


def rasterise(pdf: Path, dpi: int = 300) -> list[Any]:
    """Every page of ``pdf`` as a greyscale PIL image at ``dpi``."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(pdf))
    try:
        return [doc[i].render(scale=dpi / 72.0, grayscale=True).to_pil()
                for i in range(len(doc))]
    finally:
        doc.close()


def scanned_pdf(path: Path, images: list[Any], dpi: int = 300) -> Path:
    """An image-only PDF (no text layer) of ``images`` at ``dpi``."""
    first, *rest = images
    first.save(path, "PDF", resolution=float(dpi), save_all=True, append_images=rest)
    return path


def word_box(text: str, x: float, y: float, size: float, word: str) -> tuple[float, ...]:
    """Where ``word`` of a line drawn at (x, baseline y) lies horizontally: (x0, x1)."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    before = text[: text.index(word)]
    x0 = x + stringWidth(before, "Helvetica", size)
    return (x0, x0 + stringWidth(word, "Helvetica", size))


#: The figure's rectangle on the page, in points from the top-left corner.
FIGURE = (100.0, 150.0, 400.0, 330.0)


def figure_pdf(path: Path) -> Path:
    """A report page with a bar chart (drawn, no text inside) and a caption below it."""
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen import canvas

    height = letter[1]
    c = canvas.Canvas(str(path), pagesize=letter)
    c.setFont("Helvetica", 12)
    c.drawString(72, height - 100, "Payments to Meridian Holdings, by year")
    x0, top, x1, bottom = FIGURE
    c.setStrokeColorRGB(0.2, 0.2, 0.2)
    c.rect(x0, height - bottom, x1 - x0, bottom - top)
    for k, bar in enumerate((60, 120, 150)):
        c.setFillColorRGB(0.2, 0.4, 0.7)
        c.rect(x0 + 30 + 90 * k, height - bottom + 10, 50, bar, fill=1, stroke=0)
    c.setFillColorRGB(0, 0, 0)
    c.drawString(72, height - 360, "Figure 1: transfers in 2014, 2015 and 2016.")
    c.save()
    return path
