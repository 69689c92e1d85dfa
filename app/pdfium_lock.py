"""The one lock around every PDFium call made in this process.

PDFium is not thread-safe, not even across different documents: the reader's renderer and any
page rendered for OCR in the same process (small documents are extracted in-process) share it.
"""

from __future__ import annotations

import threading

PDFIUM_LOCK = threading.Lock()
