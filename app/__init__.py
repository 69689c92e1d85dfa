"""Dossier core: domain services, importers, anchoring, exchange formats and the command line.

Nothing in this package imports Qt widgets; the GUI in ``ui`` is a client of it.
"""

from __future__ import annotations

__version__ = "0.1.0"
