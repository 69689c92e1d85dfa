"""Item data roles shared by Dossier's models, delegates and views."""

from __future__ import annotations

from PySide6.QtCore import Qt

_BASE = int(Qt.ItemDataRole.UserRole)

TAG_ID = _BASE + 1  #: a tag's id (str)
COLOUR = _BASE + 2  #: a tag's colour, "#rrggbb"
COUNT = _BASE + 3  #: how many annotations carry a tag (int)
SHORTCUT = _BASE + 4  #: a tag's shortcut key, "" when none
PATH = _BASE + 5  #: a tag's path, "Abuses/Deception"
CODABLE = _BASE + 6  #: False for the top-level categories
ANNOTATION_ID = _BASE + 10  #: an annotation's id (str)
ANNOTATION = _BASE + 11  #: the AnnotationView of a row
CHIPS = _BASE + 12  #: list of (label, colour) pairs, drawn as coloured chips
SORT_KEY = _BASE + 13  #: value the list sorts by
DOCUMENT_ID = _BASE + 20  #: a document's id (str)
