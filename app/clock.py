"""UTC time stamps as Dossier stores them: ISO 8601 with microseconds and a ``Z``."""

from __future__ import annotations

from datetime import UTC, datetime

#: How Dossier writes UTC times (sortable as text, exact to the microsecond).
STAMP_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def utcnow() -> str:
    """The current UTC time, e.g. ``2026-11-28T10:15:30.123456Z``."""
    return datetime.now(UTC).strftime(STAMP_FORMAT)
