"""The Review menu: review queue, audit log and agreement, each one window kept per main window."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QDialog, QMenuBar

if TYPE_CHECKING:
    from ui.main_window import MainWindow


def open_window(window: MainWindow, name: str) -> QDialog:
    """Show (creating on first use) the review window ``name``: queue, audit or agreement."""
    windows: dict[str, QDialog] = window.__dict__.setdefault("_review_windows", {})
    dialog = windows.get(name)
    if dialog is None:
        if name == "queue":
            from ui.review.queue import ReviewQueue

            dialog = ReviewQueue(window.ops, window)
        elif name == "audit":
            from ui.review.audit_view import AuditView

            dialog = AuditView(window.ops, window)
        else:
            from ui.review.agreement_view import AgreementView

            dialog = AgreementView(window.ops, window.document_id, window)
        windows[name] = dialog
    dialog.show()
    dialog.raise_()
    dialog.activateWindow()
    return dialog


def add_review_menu(window: MainWindow, bar: QMenuBar) -> None:
    """Add the Review menu to the menu bar."""
    menu = bar.addMenu("&Review")
    queue = menu.addAction("Review &Queue…")
    queue.setShortcut("Ctrl+Shift+R")
    queue.setStatusTip("Approve, reject or send back submitted annotations, one by one")
    queue.triggered.connect(lambda: open_window(window, "queue"))
    log = menu.addAction("&Audit Log…")
    log.setStatusTip("Who did what and when; verify the chain; export the log")
    log.triggered.connect(lambda: open_window(window, "audit"))
    agree = menu.addAction("Annotator &Agreement…")
    agree.setStatusTip("Where annotators agree and disagree, per tag, side by side")
    agree.triggered.connect(lambda: open_window(window, "agreement"))
