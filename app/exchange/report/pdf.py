"""The evidence report as PDF: the HTML report's own template laid out by WeasyPrint.

WeasyPrint paginates HTML/CSS (A4, page numbers in the margin) over thousands of pages and
breaks long notes across pages. Nothing is fetched while laying out: the report has no images
or style sheets of its own, and links in it are only written, never followed. After writing,
:func:`app.exchange.report.check.check_report_pdf` reads the file back and refuses it unless it
holds every entry and the whole document index.
"""

from __future__ import annotations

import io
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from app.errors import DossierError
from app.exchange.report.check import check_report_pdf
from app.exchange.report.evidence import ReportExtras, report_extras
from app.exchange.report.model import build_report
from app.exchange.report.render import report_html
from app.progress import checkpoint

if TYPE_CHECKING:
    from app.dossier import Dossier
    from app.exchange.filters import Selection


def _no_fetch(url: str, *_args: Any, **_kwargs: Any) -> NoReturn:
    raise DossierError(f"the evidence report refers to {url}; reports load nothing from outside")


def _fetcher() -> Any:
    """What WeasyPrint may load: only the report's own embedded images (``data:`` URLs of
    region crops); any other URL stops the rendering."""
    try:
        from weasyprint.urls import URLFetcher
    except ImportError:  # a WeasyPrint without fetcher classes: nothing at all is loaded
        return _no_fetch
    return URLFetcher(allowed_protocols=("data",), fail_on_errors=True)


def _render(selection: Selection, title: str, target: Path | io.BytesIO,
            money_html: str = "", extras: ReportExtras | None = None) -> None:
    from weasyprint import HTML  # loads Pango: only when a PDF is asked for

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    page = report_html(selection, title, money_html, extras)
    checkpoint()  # Cancel is honoured between the long steps: layout, writing, checking
    document = HTML(string=page, url_fetcher=_fetcher()).render()
    checkpoint()
    document.write_pdf(target)
    checkpoint()


def report_pdf(selection: Selection, title: str = "Evidence report") -> bytes:
    """The evidence report as PDF bytes (A4, page numbers at the foot of each page)."""
    buffer = io.BytesIO()
    _render(selection, title, buffer)
    return buffer.getvalue()


def write_report_pdf(dossier: Dossier, selection: Selection, out: Path | str) -> list[str]:
    """Export writer for ``report-pdf``: the PDF at ``out``, checked complete before success."""
    from app.exchange.report.render import money_html

    out = Path(out)
    _render(selection, "Evidence report", out, money_html(dossier, selection),
            report_extras(dossier, selection))
    check_report_pdf(out, build_report(selection))
    return []
