"""Document views of the reader: rendered PDF pages and reflowed text, behind one interface."""

from __future__ import annotations

from ui.views.base import DocumentView, make_view

__all__ = ["DocumentView", "make_view"]
