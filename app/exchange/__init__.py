"""Exchanging annotation sets: exports in many formats, evidence bundles, importing sets.

Every export goes through :func:`export`: it reads a :class:`~app.exchange.filters.Selection`,
hands it to the format's writer, writes the file atomically (a failed export leaves no file),
hashes it and records an ``export`` audit event (chain of custody: who exported what, when).

Writers are looked up by format name in :data:`FORMATS`. A writer is called as
``writer(dossier, selection, out_path)`` and may return a list of notes for the user (for
example "report not included"); anything else it returns is ignored. Writers are named as
``"module:function"`` and imported only when used, so a format whose module is missing is
reported as unavailable instead of breaking the others.
"""

from __future__ import annotations

import contextlib
import importlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.errors import BadInput
from app.progress import CancelCheck, ProgressCallback, checkpoint, reporting

if TYPE_CHECKING:
    from app.dossier import Dossier
    from app.exchange.filters import ExportFilter, Selection

# The registry is read by the command line to offer the formats; what exporting needs (the
# database, the writers) is imported when an export runs.

#: ``writer(dossier, selection, out_path)``; may return a list of notes for the user.
Writer = Callable[["Dossier", "Selection", Path], Any]


@dataclass(frozen=True)
class ExportFormat:
    """One export format: its name on the command line, file suffix and writer."""

    name: str
    label: str
    suffix: str
    writer: str  # "package.module:function"
    needs_document: bool = False  # exactly one document (--doc) must be chosen


FORMATS: dict[str, ExportFormat] = {}


def register_format(fmt: ExportFormat) -> None:
    """Add (or replace) an export format."""
    FORMATS[fmt.name] = fmt


for _fmt in (
    ExportFormat("jsonld", "W3C Web Annotation (JSON-LD)", ".jsonld",
                 "app.exchange.jsonld.write:write_jsonld"),
    ExportFormat("csv", "CSV, one row per annotation and tag", ".csv",
                 "app.exchange.tabular.write:write_csv"),
    ExportFormat("csv-excel", "CSV for Excel (UTF-8 with BOM, CRLF)", ".csv",
                 "app.exchange.tabular.write:write_csv_excel"),
    ExportFormat("xlsx", "Excel workbook, one row per annotation and tag", ".xlsx",
                 "app.exchange.tabular.write:write_xlsx"),
    ExportFormat("qdpx", "REFI-QDA project", ".qdpx", "app.exchange.refi.model:export_qdpx"),
    ExportFormat("qdc", "REFI-QDA codebook", ".qdc", "app.exchange.refi.model:export_qdc"),
    ExportFormat("report-html", "evidence report (HTML)", ".html",
                 "app.exchange.report.render:write_report_html"),
    ExportFormat("report-pdf", "evidence report (PDF)", ".pdf",
                 "app.exchange.report.pdf:write_report_pdf"),
    ExportFormat("annotated-pdf", "the PDF with its highlights", ".pdf",
                 "app.exchange.annotated_pdf.export:write_annotated_pdf", needs_document=True),
    ExportFormat("bundle", "evidence bundle (ZIP with originals and manifest)", ".zip",
                 "app.exchange.bundle.write:write_bundle"),
    ExportFormat("ftm", "FollowTheMoney entities and claims (JSON lines)", ".ftm.json",
                 "app.exchange.ftm.write:write_ftm"),
    ExportFormat("graphml", "money-flow graph (GraphML, for Gephi)", ".graphml",
                 "app.exchange.flows.write:write_graphml"),
    ExportFormat("flows-csv", "payment claims with their evidence (CSV)", ".csv",
                 "app.exchange.flows.write:write_flows_csv"),
):
    register_format(_fmt)


def writer_for(name: str) -> Writer:
    """The writer of a format; BadInput when the format is unknown or not available."""
    fmt = FORMATS.get(name)
    if fmt is None:
        raise BadInput(f"unknown export format {name!r}; choose one of {', '.join(FORMATS)}")
    module_name, _, func_name = fmt.writer.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name != module_name:
            raise
        raise BadInput(f"export format {name} is not available in this version of Dossier") \
            from exc
    writer = getattr(module, func_name, None)
    if writer is None:
        raise BadInput(f"export format {name} is not available in this version of Dossier")
    result: Writer = writer
    return result


@dataclass
class ExportResult:
    """What an export wrote."""

    format: str
    path: Path
    sha256: str
    size: int
    annotations: int
    documents: int
    chain_seq: int
    chain_head: str
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The JSON shape of ``dossier export --json``."""
        return {
            "format": self.format, "path": str(self.path), "sha256": self.sha256,
            "size": self.size, "annotations": self.annotations, "documents": self.documents,
            "chain_head": {"seq": self.chain_seq, "hash": self.chain_head}, "notes": self.notes,
        }


def export(dossier: Dossier, fmt: str, out: Path | str, flt: ExportFilter | None = None, *,
           overwrite: bool = False, progress: ProgressCallback | None = None,
           cancel: CancelCheck | None = None) -> ExportResult:
    """Export the filtered annotations in format ``fmt`` to ``out``; audited.

    ``cancel()`` is polled throughout (see :mod:`app.progress`); a cancelled export raises
    :class:`~app.errors.Cancelled` and leaves no file and no audit event.
    """
    from app.exchange.filters import ExportFilter, select_for_export
    from app.originals import sha256_file

    flt = flt or ExportFilter()
    out = Path(out)
    spec = FORMATS.get(fmt)
    writer = writer_for(fmt)
    if spec is not None and spec.needs_document and len(flt.document_ids) != 1:
        raise BadInput(f"export format {fmt} needs exactly one document: add --doc DOC")
    if out.exists() and (out.is_dir() or not overwrite):
        raise BadInput(f"{out} already exists; choose another name (or pass --overwrite)")
    if not out.parent.is_dir():
        raise BadInput(f"{out.parent} is not a folder; create it first")
    part = out.with_name(f".{out.name}.part")
    with reporting(f"export of {out.name}", progress, cancel):
        checkpoint(0, 3)
        selection = select_for_export(dossier, flt)
        checkpoint(1, 3)
        try:
            returned = writer(dossier, selection, part)
            if not part.is_file():
                raise BadInput(f"export format {fmt} wrote no file")
            checkpoint(2, 3)  # the last moment to stop: nothing is in place yet
            os.replace(part, out)
        finally:
            with contextlib.suppress(FileNotFoundError):
                part.unlink()
    notes = [str(n) for n in returned] if isinstance(returned, list) else []
    result = ExportResult(fmt, out, sha256_file(out), out.stat().st_size,
                          len(selection.annotations), len(selection.documents),
                          selection.chain_seq, selection.chain_head, notes)
    record_export(dossier, result, flt)
    return result


def record_export(dossier: Dossier, result: ExportResult, flt: ExportFilter) -> None:
    """Append the ``export`` audit event: format, file name and hash, counts, filter, head."""
    from app import audit

    with dossier.write() as session:
        dossier.user_id(session)
        audit.record(session, dossier.user_name, "export", "export", result.sha256, {
            "format": result.format, "file": result.path.name, "size": result.size,
            "annotations": result.annotations, "documents": result.documents,
            "filter": flt.to_json(),
            "chain_head": {"seq": result.chain_seq, "hash": result.chain_head},
        })
