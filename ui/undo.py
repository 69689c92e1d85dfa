"""Undo and redo of every annotation and tagging action, in one place.

Each user action is done once through an ``app.services.annotations`` function, then pushed onto
one :class:`QUndoStack` as a small command that knows how to invert it with another service call.
Undoing is therefore an ordinary, audited change (a delete, a restore or an update back); audit
history is never removed. A created annotation that is undone and redone keeps its id, because
redo restores the snapshot the delete returned.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from app.dossier import Dossier
from app.errors import DossierError
from app.services import annotations as service
from app.services import codebook as codebook_service
from app.services import tag_edits
from app.services.annotations import AnnotationView

#: Fields a user edits in the annotation panel.
FIELD_NAMES = {"note": "note", "attribution": "attribution", "reliability": "source reliability",
               "credibility": "credibility", "status": "status"}
_MERGEABLE = {"note", "attribution"}


class _Command(QUndoCommand):
    """A command whose first redo is the action already done by :class:`AnnotationUndo`."""

    def __init__(self, owner: AnnotationUndo, text: str) -> None:
        super().__init__(text)
        self.owner = owner
        self._first = True

    def redo(self) -> None:
        if self._first:
            self._first = False
            return
        self._guard(self.do_redo)

    def undo(self) -> None:
        self._guard(self.do_undo)

    def _guard(self, step: Any) -> None:
        # An exception must not escape into Qt's C++ undo stack: report it and drop the command.
        try:
            step()
        except DossierError as exc:
            self.setObsolete(True)
            self.owner.failed.emit(f"{self.text()}: {exc}")

    def do_redo(self) -> None:
        """Do the action again."""
        raise NotImplementedError

    def do_undo(self) -> None:
        """Take the action back."""
        raise NotImplementedError


class CreateCommand(_Command):
    """Undo deletes the new annotation (audited); redo restores it with the same id."""

    def __init__(self, owner: AnnotationUndo, view: AnnotationView) -> None:
        super().__init__(owner, "Tag passage")
        self.annotation_id = view.id
        self.snapshot: dict[str, Any] | None = None

    def do_undo(self) -> None:
        self.snapshot = service.delete_annotation(self.owner.dossier, self.annotation_id)

    def do_redo(self) -> None:
        if self.snapshot is not None:
            service.restore_annotation(self.owner.dossier, self.snapshot)
            self.owner.restored.emit(self.annotation_id)


class DeleteCommand(_Command):
    """Undo restores the deleted annotation from its snapshot; redo deletes it again."""

    def __init__(self, owner: AnnotationUndo, snapshot: dict[str, Any]) -> None:
        super().__init__(owner, "Delete annotation")
        self.snapshot = snapshot

    def do_undo(self) -> None:
        service.restore_annotation(self.owner.dossier, self.snapshot)
        self.owner.restored.emit(self.snapshot["id"])

    def do_redo(self) -> None:
        self.snapshot = service.delete_annotation(self.owner.dossier, self.snapshot["id"])


class UpdateCommand(_Command):
    """Undo writes the previous field values back; consecutive typing in one field merges."""

    MERGE_ID = 0x0D05

    def __init__(self, owner: AnnotationUndo, annotation_id: str, before: dict[str, Any],
                 after: dict[str, Any], text: str) -> None:
        super().__init__(owner, text)
        self.annotation_id = annotation_id
        # Both carry "modified", so undo and redo give back the rows exactly as they were.
        self.before = before
        self.after = after

    def do_undo(self) -> None:
        service.update_annotation(self.owner.dossier, self.annotation_id, **self.before)

    def do_redo(self) -> None:
        service.update_annotation(self.owner.dossier, self.annotation_id, **self.after)

    def id(self) -> int:
        """Commands editing the same text field of the same annotation merge."""
        return self.MERGE_ID if set(self.after) - {"modified"} <= _MERGEABLE else -1

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802 (Qt's name)
        """Fold a later edit of the same field into this one."""
        if (not isinstance(other, UpdateCommand) or other.annotation_id != self.annotation_id
                or set(other.after) != set(self.after)):
            return False
        self.after = other.after
        return True


class TagsCommand(_Command):
    """Undo puts the previous set of tags back."""

    def __init__(self, owner: AnnotationUndo, annotation_id: str,
                 before: tuple[list[str], str], after: tuple[list[str], str], text: str) -> None:
        super().__init__(owner, text)
        self.annotation_id = annotation_id
        self.before = before  # (tag ids, modified time)
        self.after = after

    def do_undo(self) -> None:
        tags, modified = self.before
        service.set_tags(self.owner.dossier, self.annotation_id, tags, modified=modified)

    def do_redo(self) -> None:
        tags, modified = self.after
        service.set_tags(self.owner.dossier, self.annotation_id, tags, modified=modified)


class AnnotationUndo(QObject):
    """Does annotation actions through the services and keeps them undoable.

    Signals: ``failed(str)`` when an undo or redo step could not be done (a one-line message);
    ``restored(str)`` with the id of an annotation brought back by undo or redo.
    """

    failed = Signal(str)
    restored = Signal(str)

    def __init__(self, dossier: Dossier, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.dossier = dossier
        self.stack = QUndoStack(self)

    def create(self, document_id: str, start: int, end: int, tag_ids: Sequence[str],
               **fields: Any) -> AnnotationView:
        """Highlight ``[start, end)`` with tags; undoable."""
        view = service.create_annotation(self.dossier, document_id, start, end, list(tag_ids),
                                         **fields)
        self.stack.push(CreateCommand(self, view))
        return view

    def delete(self, annotation_id: str) -> None:
        """Delete an annotation; undo restores it exactly."""
        snapshot = service.delete_annotation(self.dossier, annotation_id)
        self.stack.push(DeleteCommand(self, snapshot))

    def update(self, annotation_id: str, **fields: Any) -> AnnotationView:
        """Change note, attribution, grades or status; undo writes the old values back."""
        current = service.get_annotation(self.dossier, annotation_id)
        before = {k: getattr(current, k) for k in fields}
        changed = {k: v for k, v in fields.items() if before[k] != v}
        if not changed:
            return current
        view = service.update_annotation(self.dossier, annotation_id, **changed)
        names = ", ".join(FIELD_NAMES.get(k, k) for k in changed)
        self.stack.push(UpdateCommand(
            self, annotation_id, {**{k: before[k] for k in changed}, "modified": current.modified},
            {**changed, "modified": view.modified}, f"Change {names}"))
        return view

    def adjust_range(self, annotation_id: str, start: int, end: int) -> AnnotationView:
        """Move an annotation to ``[start, end)``; undo moves it back."""
        current = service.get_annotation(self.dossier, annotation_id)
        if (current.start, current.end) == (start, end):
            return current
        view = service.update_annotation(self.dossier, annotation_id, start=start, end=end)
        before = {"start": current.start, "end": current.end, "anchor": current.anchor,
                  "anchor_score": current.anchor_score, "modified": current.modified}
        after = {"start": start, "end": end, "anchor": view.anchor,
                 "anchor_score": view.anchor_score, "modified": view.modified}
        self.stack.push(UpdateCommand(self, annotation_id, before, after, "Adjust range"))
        return view

    def set_tags(self, annotation_id: str, tag_ids: Sequence[str],
                 text: str = "Change tags") -> AnnotationView:
        """Replace an annotation's tags; undo puts the old ones back."""
        current = service.get_annotation(self.dossier, annotation_id)
        before = [t.id for t in current.tags]
        after = list(dict.fromkeys(tag_ids))
        if sorted(before) == sorted(after):
            return current
        view = service.set_tags(self.dossier, annotation_id, after)
        self.stack.push(TagsCommand(self, annotation_id, (before, current.modified),
                                    (after, view.modified), text))
        return view

    def toggle_tag(self, annotation_id: str, tag_id: str) -> AnnotationView:
        """Add ``tag_id`` to an annotation, or remove it when it is there already."""
        current = service.get_annotation(self.dossier, annotation_id)
        ids = [t.id for t in current.tags]
        if tag_id in ids:
            return self.set_tags(annotation_id, [t for t in ids if t != tag_id], "Remove tag")
        return self.set_tags(annotation_id, [*ids, tag_id], "Add tag")


class _CodebookCommand(QUndoCommand):
    """A codebook edit already done; undo and redo call the given service steps."""

    def __init__(self, owner: CodebookUndo, text: str, undo: Callable[[], Any],
                 redo: Callable[[], Any]) -> None:
        super().__init__(text)
        self.owner = owner
        self._undo, self._redo = undo, redo
        self._first = True

    def redo(self) -> None:
        """Qt: do the edit again (the first call, on push, does nothing)."""
        if self._first:
            self._first = False
            return
        self._guard(self._redo)

    def undo(self) -> None:
        """Qt: take the edit back."""
        self._guard(self._undo)

    def _guard(self, step: Callable[[], Any]) -> None:
        try:
            step()
        except DossierError as exc:
            self.setObsolete(True)
            self.owner.failed.emit(f"{self.text()}: {exc}")


class CodebookUndo(QObject):
    """Codebook edits through ``app.services.tag_edits``, undoable on the window's one stack.

    Signals: ``failed(str)`` when an undo or redo step could not be done.
    """

    failed = Signal(str)

    def __init__(self, dossier: Dossier, stack: QUndoStack, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.dossier = dossier
        self.stack = stack

    def _push(self, text: str, undo: Callable[[], Any], redo: Callable[[], Any]) -> None:
        self.stack.push(_CodebookCommand(self, text, undo, redo))

    def add(self, name: str, parent_id: str | None, colour: str = "#808080") -> str:
        """Add a tag; undo deletes it, redo brings it back with the same id."""
        info = codebook_service.create_tag(self.dossier, name, parent=parent_id, colour=colour)
        kept: dict[str, Any] = {}

        def undo() -> None:
            kept["snapshot"] = tag_edits.delete_tag(self.dossier, info.id, force=True)

        self._push(f"Add tag {info.name}", undo,
                   lambda: tag_edits.restore_tag(self.dossier, kept["snapshot"]))
        return info.id

    def update(self, tag_id: str, **fields: Any) -> None:
        """Rename, recolour, describe or re-key a tag; undo writes the old values back."""
        before = codebook_service.tag_by_id(self.dossier, tag_id)

        def apply(values: dict[str, Any]) -> None:
            for key, value in values.items():
                if key == "name":
                    tag_edits.rename_tag(self.dossier, tag_id, value)
                elif key == "shortcut":
                    tag_edits.set_shortcut(self.dossier, tag_id, value)
                else:
                    codebook_service.update_tag(self.dossier, tag_id, **{key: value})

        old = {k: getattr(before, k) for k in fields}
        apply(fields)
        what = {"name": "Rename", "colour": "Recolour", "description": "Describe",
                "shortcut": "Set key of"}
        label = what.get(next(iter(fields)), "Change")
        self._push(f"{label} tag {before.name}", lambda: apply(old), lambda: apply(fields))

    def move(self, tag_id: str, parent_id: str | None, position: int | None = None) -> None:
        """Move a tag in the tree; undo puts it back."""
        old_parent, old_position = tag_edits.move_tag(self.dossier, tag_id, parent_id, position)
        self._push("Move tag",
                   lambda: tag_edits.move_tag(self.dossier, tag_id, old_parent, old_position),
                   lambda: tag_edits.move_tag(self.dossier, tag_id, parent_id, position))

    def merge(self, source_id: str, target_id: str) -> None:
        """Merge a tag into another; undo separates them again exactly."""
        kept = {"snapshot": tag_edits.merge_tags(self.dossier, source_id, target_id)}

        def redo() -> None:
            kept["snapshot"] = tag_edits.merge_tags(self.dossier, source_id, target_id)

        self._push(f"Merge tag {kept['snapshot']['tag']['name']}",
                   lambda: tag_edits.unmerge_tags(self.dossier, kept["snapshot"]), redo)

    def delete(self, tag_id: str, *, force: bool = False) -> None:
        """Delete a tag; undo restores it with its links."""
        kept = {"snapshot": tag_edits.delete_tag(self.dossier, tag_id, force=force)}

        def redo() -> None:
            kept["snapshot"] = tag_edits.delete_tag(self.dossier, tag_id, force=True)

        self._push(f"Delete tag {kept['snapshot']['tag']['name']}",
                   lambda: tag_edits.restore_tag(self.dossier, kept["snapshot"]), redo)
