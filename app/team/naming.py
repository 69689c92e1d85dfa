"""The names of a team dossier's group roles on its server.

PostgreSQL roles belong to the whole server, so several team dossiers on one server each get their
own three groups, named after the database: ``dossier_<db>_annotator``, ``dossier_<db>_reviewer``,
``dossier_<db>_administrator``. A database name that is long or has characters other than
lowercase letters, digits and ``_`` is shortened and given a short hash of the exact name, so two
databases never share groups and every name fits PostgreSQL's 63 bytes.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from app.annotation_fields import ROLES

#: ``dossier_meta`` keys only administrators write (``team_roles``: the group-role prefix).
TEAM_KEY_PREFIX = "team_"
#: Longest database part kept as it is (63 bytes - "dossier_" - "_administrator").
_MAX_PART = 40
_PLAIN = re.compile(r"[a-z0-9_]+")


def role_prefix(database: str) -> str:
    """``dossier_<db>`` for ``database``, safe as an unquoted-looking identifier."""
    if _PLAIN.fullmatch(database) and len(database) <= _MAX_PART:
        part = database
    else:
        cleaned = re.sub(r"[^a-z0-9_]+", "_", database.lower()).strip("_")[:_MAX_PART - 9]
        digest = hashlib.sha256(database.encode("utf-8")).hexdigest()[:8]
        part = f"{cleaned}_{digest}" if cleaned else digest
    return f"dossier_{part}"


@dataclass(frozen=True)
class GroupRoles:
    """The three group roles of one team dossier."""

    prefix: str

    def of(self, role: str) -> str:
        """The group role name for ``role`` (annotator, reviewer or administrator)."""
        if role not in ROLES:
            raise ValueError(role)
        return f"{self.prefix}_{role}"

    @property
    def annotator(self) -> str:
        return self.of("annotator")

    @property
    def reviewer(self) -> str:
        return self.of("reviewer")

    @property
    def administrator(self) -> str:
        return self.of("administrator")

    def all(self) -> tuple[str, str, str]:
        """Lowest rank first."""
        return self.annotator, self.reviewer, self.administrator


def quote_name(name: str) -> str:
    """A double-quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def literal(value: str) -> str:
    """A single-quoted SQL string literal (standard_conforming_strings, PostgreSQL's default)."""
    return "'" + value.replace("'", "''") + "'"
