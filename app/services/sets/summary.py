"""What an ``import-set`` did, for the command line, the GUI and ``--json``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Conflict:
    """An incoming annotation that differs from the local one with the same id.

    The local annotation was kept unchanged; the incoming version was added as ``kept_as`` with
    ``conflict_of`` pointing at the local one. ``fields`` names what differs.
    """

    incoming_id: str
    local_id: str
    kept_as: str
    fields: list[str]


@dataclass
class ImportSummary:
    """Counts and lists of everything an import added, skipped or could not place."""

    name: str
    sha256: str
    kind: str
    annotations_in_set: int
    added: list[str] = field(default_factory=list)
    identical: int = 0
    conflicts: list[Conflict] = field(default_factory=list)
    conflicts_already: int = 0
    documents_imported: list[str] = field(default_factory=list)
    documents_missing: list[dict[str, Any]] = field(default_factory=list)
    unanchored: list[dict[str, str]] = field(default_factory=list)
    tags_created: list[str] = field(default_factory=list)
    users_created: list[str] = field(default_factory=list)
    reviews_added: int = 0
    warnings: list[str] = field(default_factory=list)
    #: annotations of the file that were not read as annotations (replies, page notes, areas)
    skipped: list[dict[str, str]] = field(default_factory=list)
    #: imported, but flagged fuzzy: the sender's placement could not be verified
    flagged: list[dict[str, str]] = field(default_factory=list)

    def unexplained(self) -> int:
        """Annotations of the set that no count or list accounts for (0 when all are)."""
        missing = sum(int(m.get("annotations") or 0) for m in self.documents_missing)
        told = (len(self.added) + self.identical + len(self.conflicts) + self.conflicts_already
                + missing + len(self.unanchored))
        return max(0, self.annotations_in_set - told)

    @property
    def changed_anything(self) -> bool:
        """True when the import wrote something."""
        return bool(self.added or self.conflicts or self.documents_imported
                    or self.reviews_added or self.tags_created)

    def to_json(self) -> dict[str, Any]:
        """The JSON shape of ``dossier import-set --json``."""
        return {
            "set": self.name, "sha256": self.sha256, "format": self.kind,
            "annotations_in_set": self.annotations_in_set, "added": len(self.added),
            "identical": self.identical,
            "conflicts": [{"incoming": c.incoming_id, "local": c.local_id,
                           "kept_as": c.kept_as, "fields": c.fields} for c in self.conflicts],
            "conflicts_already_imported": self.conflicts_already,
            "documents_imported": self.documents_imported,
            "documents_missing": self.documents_missing, "unanchored": self.unanchored,
            "tags_created": self.tags_created, "users_created": self.users_created,
            "reviews_added": self.reviews_added, "added_ids": self.added,
            "warnings": self.warnings, "skipped": self.skipped, "flagged": self.flagged,
        }

    def lines(self) -> list[str]:
        """A short human summary, most important first."""
        out = [
            f"imported {self.name} ({self.kind}, sha256 {self.sha256[:16]}…): "
            f"{self.annotations_in_set} annotation(s) in the set"
            + (f" and {len(self.skipped)} item(s) that are not annotations of a passage"
               if self.skipped else ""),
            f"  added {len(self.added)}, identical {self.identical} (skipped), "
            f"conflicts {len(self.conflicts)}"
            + (f", {self.conflicts_already} conflict(s) already imported before"
               if self.conflicts_already else ""),
        ]
        for c in self.conflicts:
            out.append(f"  conflict: {c.local_id[:8]} differs in {', '.join(c.fields)}; local "
                       f"kept, incoming added as {c.kept_as[:8]} flagged as a conflict of it")
        for title in self.documents_imported:
            out.append(f"  document added from the set: {title}")
        for missing in self.documents_missing:
            out.append(f"  document missing: {missing['document']} — {missing['reason']}; "
                       f"{missing['annotations']} annotation(s) left out (import the original "
                       "and run import-set again)")
        for item in self.unanchored:
            out.append(f"  not placed: annotation {item['annotation'][:8]} on "
                       f"{item['document']}: {item['reason']}")
        for item in self.skipped:
            where = f" on {item['document']}" if item.get("document") else ""
            out.append(f"  not imported: {item['annotation']}{where}: {item['reason']}")
        for item in self.flagged:
            out.append(f"  flagged {item['anchor']}: annotation {item['annotation'][:8]} on "
                       f"{item['document']}: {item['reason']} (review it: dossier annotations "
                       f"--anchor {item['anchor']})")
        if not self.added and not self.conflicts and self.annotations_in_set \
                and self.identical == self.annotations_in_set:
            out.append("  nothing added: every annotation of the set is already here")
        if self.unexplained():
            out.append(f"  {self.unexplained()} annotation(s) of the set are not accounted for "
                       "above; please report this")
        if self.tags_created:
            out.append(f"  tags created: {', '.join(self.tags_created)}")
        if self.users_created:
            out.append(f"  users added: {', '.join(self.users_created)}")
        if self.reviews_added:
            out.append(f"  review decisions added: {self.reviews_added}")
        out.extend(f"  warning: {w}" for w in self.warnings)
        return out
