"""The values an annotation's fields may take (kept apart so the command line can offer them as
choices without loading the services)."""

from __future__ import annotations

#: Review statuses, in the order a review moves through them.
STATUSES = ("draft", "submitted", "approved", "rejected", "changes_requested")
#: Admiralty source-reliability grades, A (completely reliable) to F (cannot be judged).
RELIABILITY = tuple("ABCDEF")
#: Admiralty information-credibility grades, 1 (confirmed) to 6 (cannot be judged).
CREDIBILITY = (1, 2, 3, 4, 5, 6)
#: Fields a user edits after creating an annotation.
EDITABLE = ("note", "attribution", "reliability", "credibility", "status")
