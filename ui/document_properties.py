"""The open document's properties: file, import, extraction, OCR and capture data (EXIF)."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QVBoxLayout, QWidget

from app.services.documents import DocumentView
from app.services.provenance import describe_ocr

#: Metadata keys shown with a label of their own, in this order.
CAPTURE = (("device", "Device"), ("captured", "Taken"), ("gps", "Position"),
           ("pixels", "Pixels"), ("format", "Image format"))


def _gps(value: Any) -> str:
    if not isinstance(value, dict):
        return str(value)
    lat, lon = value.get("latitude"), value.get("longitude")
    if not isinstance(lat, (int, float)) or not isinstance(lon, (int, float)):
        return str(value)
    text = f"{abs(lat):.6f}° {'N' if lat >= 0 else 'S'}, {abs(lon):.6f}° {'E' if lon >= 0 else 'W'}"
    if "altitude_m" in value:
        text += f", {value['altitude_m']} m"
    return text


class DocumentProperties(QDialog):
    """A read-only form; the OCR line arrives later (it is read off the GUI thread)."""

    def __init__(self, document: DocumentView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Properties — {document.title or document.filename}")
        self.form = QFormLayout()
        rows: list[tuple[str, str]] = [
            ("Title", document.title), ("File", document.filename),
            ("Kind", document.kind), ("Pages", str(document.pages)),
            ("SHA-256", document.sha256),
            ("Imported", f"{document.imported_at} by {document.imported_by}"),
            ("Extractor", document.extractor),
        ]
        for key, label in CAPTURE:
            value = document.metadata.get(key)
            if value:
                rows.append((label, _gps(value) if key == "gps" else str(value)))
        for label, value in rows:
            self._row(label, value)
        self.ocr = self._row("OCR", "…")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(buttons)

    def _row(self, label: str, value: str) -> QLabel:
        field = QLabel(value)
        field.setWordWrap(True)
        field.setTextInteractionFlags(field.textInteractionFlags()
                                      | field.textInteractionFlags().TextSelectableByMouse)
        self.form.addRow(label, field)
        return field

    def show_ocr(self, pages: list[tuple[int, dict[str, Any]]]) -> None:
        self.ocr.setText(describe_ocr(pages))


def open_properties(window: Any) -> DocumentProperties | None:
    """Show the properties of the main window's open document (None without one)."""
    view = window.view
    if view is None or view.document is None:
        return None
    document = view.document
    dialog = DocumentProperties(document, window)
    dossier = window.ops.dossier
    from app.services.provenance import ocr_pages

    window.ops.query(lambda _op: ocr_pages(dossier, document.id), label="Reading properties",
                     key="document-properties", on_done=dialog.show_ocr)
    dialog.show()
    return dialog
