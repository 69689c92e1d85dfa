"""What a committed change touched, as typed sets of ids (after Anki's ``OpChanges``).

Services announce a :class:`ChangeSet` after each commit (:meth:`app.dossier.Dossier.notify`);
views ask it "does this concern me?" (``changes.annotations.touched``) and apply exactly the rows
named. Change sets merge with ``|``, so a batch (a set import, a re-import) is one change set.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

Action = Literal["created", "updated", "deleted"]

_EMPTY: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Ids:
    """Ids created, updated and deleted by a change (an id is in at most one of them)."""

    created: frozenset[str] = _EMPTY
    updated: frozenset[str] = _EMPTY
    deleted: frozenset[str] = _EMPTY

    @classmethod
    def of(cls, action: Action, ids: Iterable[str]) -> Ids:
        """The ids of one action."""
        values = frozenset(ids)
        if action == "created":
            return cls(created=values)
        if action == "updated":
            return cls(updated=values)
        if action == "deleted":
            return cls(deleted=values)
        raise ValueError(f"unknown change action {action!r}")

    def __or__(self, other: Ids) -> Ids:
        """Both changes, in order: deleting a created id forgets it, re-creating one updates it."""
        created = (self.created - other.deleted) | (other.created - self.deleted)
        deleted = (self.deleted - other.created) | (other.deleted - self.created)
        updated = ((self.updated | other.updated | (self.deleted & other.created))
                   - created - deleted)
        return Ids(frozenset(created), frozenset(updated), frozenset(deleted))

    def __bool__(self) -> bool:
        return bool(self.created or self.updated or self.deleted)

    @property
    def touched(self) -> frozenset[str]:
        """Every id named, whatever happened to it."""
        return self.created | self.updated | self.deleted


@dataclass(frozen=True)
class ChangeSet:
    """Which annotations, documents and tags a committed change touched.

    ``other`` carries kinds this module does not know yet (added by newer services), by kind
    name, so nothing a service announces is dropped.
    """

    annotations: Ids = field(default_factory=Ids)
    documents: Ids = field(default_factory=Ids)
    tags: Ids = field(default_factory=Ids)
    other: tuple[tuple[str, Ids], ...] = ()

    @classmethod
    def of(cls, kind: str, action: Action, ids: Iterable[str]) -> ChangeSet:
        """A change of one kind ("annotation", "document", "tag" or another) and action."""
        part = Ids.of(action, ids)
        if kind == "annotation":
            return cls(annotations=part)
        if kind == "document":
            return cls(documents=part)
        if kind == "tag":
            return cls(tags=part)
        return cls(other=((kind, part),))

    def __or__(self, other: ChangeSet) -> ChangeSet:
        merged = dict(self.other)
        for kind, part in other.other:
            merged[kind] = merged[kind] | part if kind in merged else part
        return ChangeSet(self.annotations | other.annotations, self.documents | other.documents,
                         self.tags | other.tags, tuple(sorted(merged.items())))

    def __bool__(self) -> bool:
        return bool(self.annotations or self.documents or self.tags
                    or any(part for _, part in self.other))

    def kind(self, name: str) -> Ids:
        """The ids of a kind announced in :attr:`other` (empty when none)."""
        return dict(self.other).get(name, Ids())


#: Nothing changed.
NO_CHANGES = ChangeSet()
