"""Tabular PDFs made for the tests: ledgers, payment tables, letter-spaced dates (reportlab).

Each generator returns what it printed, so a test can check that every amount, date and
identifier comes out whole, exact and in its row.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from pathlib import Path

#: Amounts, dates and identifiers: digits with separators inside.
NUMBER = re.compile(r"\d(?:[\d,./:-]*\d)?")


def numbers(text: str) -> Counter[str]:
    return Counter(NUMBER.findall(text))


def number_f1(got: Counter[str], want: Counter[str]) -> float:
    common = sum((got & want).values())
    if not common:
        return 0.0 if want or got else 1.0
    p, r = common / sum(got.values()), common / sum(want.values())
    return 2 * p * r / (p + r)


def _amount(rng: random.Random) -> str:
    return f"{rng.randint(1, 9_999_999) / 100:,.2f}"


def ledger(path: Path, rows: int = 24, seed: int = 7) -> list[list[str]]:
    """A bank-ledger page: date, payee, reference, debit, balance; amounts right-aligned, 8 pt,
    tight rows. Returns the printed rows (cells in column order)."""
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.pdfgen import canvas

    rng = random.Random(seed)
    payees = ["Meridian Holdings Ltd", "Harbour Works", "Delta Logistics", "Ministry of Works",
              "Kappa Trading FZE", "Northgate Consulting", "Orion Shipping"]
    c = canvas.Canvas(str(path), pagesize=letter)
    size = 8.0
    top = letter[1] - 72
    printed: list[list[str]] = []
    header = ["Date", "Payee", "Reference", "Debit", "Balance"]
    xs = [54.0, 112.0, 250.0, 420.0, 540.0]  # left edges; the last two columns right-aligned
    right = {3: 480.0, 4: 560.0}
    for r in range(rows + 1):
        if r == 0:
            cells = header
        else:
            cells = [f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/2016",
                     rng.choice(payees), f"TX-{rng.randint(100000, 999999)}",
                     _amount(rng), _amount(rng)]
            printed.append(cells)
        y = top - r * (size * 1.25)
        c.setFont("Helvetica-Bold" if r == 0 else "Helvetica", size)
        for k, cell in enumerate(cells):
            if k in right:
                c.drawString(right[k] - stringWidth(cell, "Helvetica", size), y, cell)
            else:
                c.drawString(xs[k], y, cell)
    c.showPage()
    c.save()
    return printed


def crowded_cells(path: Path) -> list[str]:
    """Two cells whose numbers overlap horizontally on nearly the same line (a wrapped amount
    set with very tight leading): each must come out whole, never interleaved."""
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=letter)
    size = 9.0
    y = letter[1] - 100
    c.setFont("Helvetica", size)
    c.drawString(72, y, "Account")
    c.drawString(150, y, "144,")
    c.drawString(150, y - 3.4, "26406576")  # the next line, only 3.4 pt lower
    c.drawString(300, y, "Total 7,215.00")
    c.showPage()
    c.save()
    return ["144,", "26406576", "7,215.00"]


def letter_spaced(path: Path) -> list[str]:
    """Dates, amounts and identifiers set with wide tracking, or placed glyph by glyph."""
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=letter)
    size = 9.0
    y = letter[1] - 100
    printed = []
    # Tracking (Tc) of 0.22 em: wider than the word-space tolerance, narrower than a space.
    for k, (label, value) in enumerate([("Report date", "03/25/2016"),
                                        ("Amount paid", "$1,234,567.00"),
                                        ("Contract", "AB-2016-0042")]):
        t = c.beginText(72, y - k * 16)
        t.setFont("Helvetica", size)
        t.textOut(label + "  ")
        t.setCharSpace(0.22 * size)
        t.textOut(value)
        t.setCharSpace(0)
        c.drawText(t)
        printed.append(value)
    # Glyph by glyph at a fixed pitch (as some report generators place digits).
    x = 72.0
    c.setFont("Helvetica", size)
    for ch in "04/11/2015":
        c.drawString(x, y - 64, ch)
        x += stringWidth("0", "Helvetica", size) + 0.2 * size
    printed.append("04/11/2015")
    c.showPage()
    c.save()
    return printed


def wrapped_ledger(path: Path, valign: str = "TOP", seed: int = 11) -> list[list[str]]:
    """A payment ledger set as a reportlab table whose payee and purpose cells wrap over two or
    three lines (narrow columns, 8 pt, cell padding as reportlab sets it). ``valign`` is the cells'
    vertical alignment (``TOP``, ``MIDDLE`` or ``BOTTOM``). Returns the printed rows, each cell's
    text with its line breaks as single spaces."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

    rng = random.Random(seed)
    payees = ["Meridian Holdings Ltd of Limassol", "Harbour Works", "Delta Logistics FZE Jebel Ali",
              "Ministry of Works and Public Infrastructure", "Kappa Trading", "Orion Shipping"]
    purposes = ["consulting fees for the second quarter", "port dues",
                "charter of vessel MV Aurora for the Tartus route", "advance",
                "commission on contract AB-2016-0042"]
    style = ParagraphStyle("cell", fontName="Helvetica", fontSize=8, leading=9.6)
    printed: list[list[str]] = [["Date", "Payee", "Purpose", "Reference", "Amount"]]
    for _ in range(14):
        printed.append([f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/2016",
                        rng.choice(payees), rng.choice(purposes),
                        f"TX-{rng.randint(100000, 999999)}", _amount(rng)])
    data = [[Paragraph(cell, style) for cell in row] for row in printed]
    table = Table(data, colWidths=[62, 110, 130, 70, 70])
    table.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), valign),
        ("ALIGN", (4, 0), (4, -1), "RIGHT"),
        ("GRID", (0, 0), (-1, -1), 0.25, (0.5, 0.5, 0.5)),
    ]))
    SimpleDocTemplate(str(path), pagesize=A4).build([table])
    return printed[1:]
