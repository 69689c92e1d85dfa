"""Undo and redo of every annotation and tagging action, in one place.

Each user action is done once through an ``app.services.annotations`` function, as a mutation of
:mod:`ui.operations`, which pushes onto its one :class:`QUndoStack` a small command that knows how
to invert it with another service call (a :class:`ServiceCommand`, run as a mutation too).
Undoing is therefore an ordinary, audited change (a delete, a restore or an update back); audit
history is never removed. A created annotation that is undone and redone keeps its id, because
redo restores the snapshot the delete returned.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand

from app.dossier import Dossier
from app.services import annotations as service
from app.services import codebook as codebook_service
from app.services import tag_edits
from app.services.annotations import AnnotationView, EditConflict
from ui.dialogs import one_line
from ui.operations import Operation, Operations

#: Fields a user edits in the annotation panel.
FIELD_NAMES = {"note": "note", "attribution": "attribution", "reliability": "source reliability",
               "credibility": "credibility"}
_MERGEABLE = {"note", "attribution"}


class ServiceCommand(QUndoCommand):
    """An undoable action whose undo and redo call services as mutations on the writer thread.

    Push it with ``ops.mutate(work, undo=lambda result: MyCommand(ops, ...))``: its first redo
    (Qt calls it on push) does nothing, because the mutation did the action already. Later
    undo/redo steps are queued on the one writer thread in order, so a redo always sees what the
    undo before it stored (e.g. a snapshot). A step that fails is reported (``ops.failed``) and
    the command dropped, never raised into Qt's undo stack.
    """

    def __init__(self, ops: Operations, text: str) -> None:
        super().__init__(text)
        self.ops = ops
        self._first = True

    def redo(self) -> None:
        """Qt: do the action (again)."""
        if self._first:
            self._first = False
            return
        self._run(self.do_redo, self.redone)

    def undo(self) -> None:
        """Qt: take the action back."""
        self._run(self.do_undo, self.undone)

    def _run(self, step: Callable[[], None], after: Callable[[], None]) -> None:
        label, ops = self.text(), self.ops

        def failed(exc: BaseException) -> None:
            # Said first: by the time a background step fails its command may be gone (the
            # stack was cleared, the dossier closed), and touching it then would raise here and
            # swallow the message.
            ops.failed.emit(f"{label}: {one_line(exc)}")
            with contextlib.suppress(RuntimeError):
                self.setObsolete(True)

        self.ops.mutate(lambda op: step(), label=self.text(), on_done=lambda _r: after(),
                        on_error=failed, progress=False)

    def do_redo(self) -> None:
        """Do the action again (writer thread)."""
        raise NotImplementedError

    def do_undo(self) -> None:
        """Take the action back (writer thread)."""
        raise NotImplementedError

    def undone(self) -> None:
        """After an undo step succeeded (GUI thread)."""

    def redone(self) -> None:
        """After a redo step succeeded (GUI thread)."""


class _Command(ServiceCommand):
    def __init__(self, owner: AnnotationUndo, text: str) -> None:
        super().__init__(owner.ops, text)
        self.owner = owner


class CreateCommand(_Command):
    """Undo deletes the new annotation (audited); redo restores it with the same id.

    Undo is refused when someone else has changed the annotation since (its version moved on).
    """

    def __init__(self, owner: AnnotationUndo, view: AnnotationView) -> None:
        super().__init__(owner, "Tag passage")
        self.annotation_id = view.id
        self.snapshot: dict[str, Any] | None = None

    def do_undo(self) -> None:
        self.snapshot = self.owner.deleting(self.annotation_id, lambda base: (
            service.delete_annotation(self.owner.dossier, self.annotation_id, based_on=base)))

    def do_redo(self) -> None:
        if self.snapshot is not None:
            self.owner.seen(service.restore_annotation(self.owner.dossier, self.snapshot))

    def redone(self) -> None:
        self.owner.restored.emit(self.annotation_id)


class DeleteCommand(_Command):
    """Undo restores the deleted annotation from its snapshot; redo deletes it again."""

    def __init__(self, owner: AnnotationUndo, snapshot: dict[str, Any]) -> None:
        super().__init__(owner, "Delete annotation")
        self.snapshot = snapshot
        self.annotation_id = str(snapshot["id"])

    def do_undo(self) -> None:
        self.owner.seen(service.restore_annotation(self.owner.dossier, self.snapshot))

    def undone(self) -> None:
        self.owner.restored.emit(self.annotation_id)

    def do_redo(self) -> None:
        self.snapshot = self.owner.deleting(self.annotation_id, lambda base: (
            service.delete_annotation(self.owner.dossier, self.annotation_id, based_on=base)))


class UpdateCommand(_Command):
    """Undo writes the previous field values back; consecutive typing in one field merges.

    Each step is based on the version this window's own last change left
    (:meth:`AnnotationUndo.step`), so undoing over a colleague's later change is refused (and
    shown), never a silent overwrite.
    """

    MERGE_ID = 0x0D05

    def __init__(self, owner: AnnotationUndo, annotation_id: str, before: dict[str, Any],
                 after: dict[str, Any], text: str) -> None:
        super().__init__(owner, text)
        self.annotation_id = annotation_id
        # Both carry "modified", so undo and redo give back the rows exactly as they were.
        self.before = before
        self.after = after

    def do_undo(self) -> None:
        self.owner.step(self.annotation_id, lambda base: service.update_annotation(
            self.owner.dossier, self.annotation_id, based_on=base, **self.before))

    def do_redo(self) -> None:
        self.owner.step(self.annotation_id, lambda base: service.update_annotation(
            self.owner.dossier, self.annotation_id, based_on=base, **self.after))

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
        self.owner.step(self.annotation_id, lambda base: service.set_tags(
            self.owner.dossier, self.annotation_id, tags, modified=modified, based_on=base))

    def do_redo(self) -> None:
        tags, modified = self.after
        self.owner.step(self.annotation_id, lambda base: service.set_tags(
            self.owner.dossier, self.annotation_id, tags, modified=modified, based_on=base))


@dataclass(frozen=True)
class _Done:
    """What an annotation action did: the annotation now, and the command to undo it (if any)."""

    view: AnnotationView
    command: QUndoCommand | None


Done = Callable[[AnnotationView], None]


class AnnotationUndo(QObject):
    """Does annotation actions as mutations (:mod:`ui.operations`) and keeps them undoable.

    Each method reads the annotation, changes it and builds its undo command in one mutation on
    the writer thread, and returns the :class:`~ui.operations.Operation`; ``on_done`` gets the
    annotation as it is afterwards. Errors go to ``on_error`` or, by default, ``failed``.

    Signals: ``failed(str)`` when an action, undo or redo could not be done (one line; the
    operations layer's ``failed`` passed on, so listen to one of them only);
    ``restored(str)`` with the id of an annotation brought back by undo or redo.
    """

    failed = Signal(str)
    restored = Signal(str)

    def __init__(self, ops: Operations | Dossier, parent: QObject | None = None) -> None:
        super().__init__(parent)
        if not isinstance(ops, Operations):  # a bare dossier: synchronous, for scripts and tests
            ops = Operations(ops, self, synchronous=True)
        self.ops = ops
        self.dossier = ops.dossier
        #: The one undo stack (the operations layer's).
        self.stack = ops.undo_stack
        #: The version of each annotation after this window's last change of it: undo and redo
        #: steps are based on it (touched on the writer thread only).
        self.versions: dict[str, int] = {}
        ops.failed.connect(self.failed)

    # -- versions (writer thread) --------------------------------------------------------------
    def seen(self, view: AnnotationView) -> AnnotationView:
        """Note the version a change of ours left."""
        self.versions[view.id] = view.version
        return view

    def step(self, annotation_id: str,
             call: Callable[[int | None], AnnotationView]) -> AnnotationView:
        """An undo or redo step, based on the version our last change left.

        When the annotation moved on since, and the newest change is our own by another way
        (a submission, a review), the step is based on that; a colleague's change refuses it
        (:class:`~app.services.annotations.EditConflict`).
        """
        try:
            view = call(self.versions.get(annotation_id))
        except EditConflict as exc:
            if exc.changed_by != self.dossier.user_name:
                raise
            view = call(exc.current.version)
        return self.seen(view)

    def deleting(self, annotation_id: str,
                 call: Callable[[int | None], dict[str, Any]]) -> dict[str, Any]:
        """:meth:`step` for a deletion (which returns the deleted annotation's snapshot)."""
        try:
            snapshot = call(self.versions.get(annotation_id))
        except EditConflict as exc:
            if exc.changed_by != self.dossier.user_name:
                raise
            snapshot = call(exc.current.version)
        self.versions[annotation_id] = int(snapshot.get("version", 1))
        return snapshot

    def _run(self, label: str, work: Callable[[], _Done], on_done: Done | None,
             on_error: Callable[[BaseException], None] | None) -> Operation:
        def error(exc: BaseException) -> None:
            if on_error is not None:
                on_error(exc)
            else:
                self.ops.failed.emit(one_line(exc))

        return self.ops.mutate(lambda op: work(), label=label, progress=False,
                               undo=lambda done: done.command,
                               on_done=lambda done: on_done(done.view) if on_done else None,
                               on_error=error)

    def create(self, document_id: str, start: int, end: int, tag_ids: Sequence[str],
               on_done: Done | None = None, on_error: Callable[[BaseException], None] | None
               = None, **fields: Any) -> Operation:
        """Highlight ``[start, end)`` with tags; undoable."""
        def work() -> _Done:
            view = self.seen(service.create_annotation(self.dossier, document_id, start, end,
                                                       list(tag_ids), **fields))
            return _Done(view, CreateCommand(self, view))

        return self._run("Tag passage", work, on_done, on_error)

    def delete(self, annotation_id: str, on_error: Callable[[BaseException], None] | None
               = None, *, based_on: int | None = None) -> Operation:
        """Delete an annotation; undo restores it exactly. ``based_on``: the version shown
        (a deletion of a version someone changed since is refused)."""
        def work() -> _Done:
            current = service.get_annotation(self.dossier, annotation_id)
            snapshot = service.delete_annotation(self.dossier, annotation_id,
                                                 based_on=based_on)
            self.versions[annotation_id] = int(snapshot.get("version", 1))
            return _Done(current, DeleteCommand(self, snapshot))

        return self._run("Delete annotation", work, None, on_error)

    def update(self, annotation_id: str, on_done: Done | None = None,
               on_error: Callable[[BaseException], None] | None = None,
               based_on: int | None = None, **fields: Any) -> Operation:
        """Change note, attribution or grades; undo writes the old values back.

        ``based_on`` is the version the user saw while editing: when someone changed the
        annotation since, the edit is refused (:class:`~app.services.annotations.EditConflict`
        to ``on_error``) and nothing is written. The review status is not among the fields: it
        moves only through submit and review (app.services.workflow), and undoing an edit never
        re-approves anything.
        """
        def work() -> _Done:
            current = service.get_annotation(self.dossier, annotation_id)
            base = current.version if based_on is None else based_on
            before = {k: getattr(current, k) for k in fields}
            changed = {k: v for k, v in fields.items() if before[k] != v}
            if not changed:  # it already says what the user wants: nothing to refuse
                return _Done(current, None)
            view = self.seen(service.update_annotation(self.dossier, annotation_id,
                                                       based_on=base, **changed))
            names = ", ".join(FIELD_NAMES.get(k, k) for k in changed)
            return _Done(view, UpdateCommand(
                self, annotation_id,
                {**{k: before[k] for k in changed}, "modified": current.modified},
                {**changed, "modified": view.modified}, f"Change {names}"))

        return self._run("Change annotation", work, on_done, on_error)

    def adjust_range(self, annotation_id: str, start: int, end: int,
                     on_done: Done | None = None,
                     on_error: Callable[[BaseException], None] | None = None) -> Operation:
        """Move an annotation to ``[start, end)``; undo moves it back."""
        def work() -> _Done:
            current = service.get_annotation(self.dossier, annotation_id)
            if (current.start, current.end) == (start, end):
                return _Done(current, None)
            view = self.seen(service.update_annotation(
                self.dossier, annotation_id, start=start, end=end, based_on=current.version))
            before = {"start": current.start, "end": current.end, "anchor": current.anchor,
                      "anchor_score": current.anchor_score, "modified": current.modified}
            after = {"start": start, "end": end, "anchor": view.anchor,
                     "anchor_score": view.anchor_score, "modified": view.modified}
            return _Done(view, UpdateCommand(self, annotation_id, before, after,
                                             "Adjust range"))

        return self._run("Adjust range", work, on_done, on_error)

    def set_tags(self, annotation_id: str, tag_ids: Sequence[str], text: str = "Change tags",
                 on_done: Done | None = None,
                 on_error: Callable[[BaseException], None] | None = None,
                 based_on: int | None = None) -> Operation:
        """Replace an annotation's tags; undo puts the old ones back. ``based_on``: the version
        whose tags the user chose from (a newer one is refused, as in :meth:`update`)."""
        return self._run(text, lambda: self._set_tags(annotation_id, list(tag_ids), text,
                                                      based_on), on_done, on_error)

    def _set_tags(self, annotation_id: str, tag_ids: list[str], text: str,
                  based_on: int | None = None) -> _Done:
        current = service.get_annotation(self.dossier, annotation_id)
        before = [t.id for t in current.tags]
        after = list(dict.fromkeys(tag_ids))
        if sorted(before) == sorted(after):
            return _Done(current, None)
        view = self.seen(service.set_tags(
            self.dossier, annotation_id, after,
            based_on=current.version if based_on is None else based_on))
        return _Done(view, TagsCommand(self, annotation_id, (before, current.modified),
                                       (after, view.modified), text))

    def toggle_tag(self, annotation_id: str, tag_id: str, on_done: Done | None = None,
                   on_error: Callable[[BaseException], None] | None = None) -> Operation:
        """Add ``tag_id`` to an annotation, or remove it when it is there already."""
        def work() -> _Done:
            ids = [t.id for t in service.get_annotation(self.dossier, annotation_id).tags]
            if tag_id in ids:
                return self._set_tags(annotation_id, [t for t in ids if t != tag_id],
                                      "Remove tag")
            return self._set_tags(annotation_id, [*ids, tag_id], "Add tag")

        return self._run("Change tags", work, on_done, on_error)


# -- money flows: recorded claims and entity merges ------------------------------------------------

class FactRecordedCommand(ServiceCommand):
    """Undo deletes the recorded claim (audited); redo restores it with the same id."""

    def __init__(self, ops: Operations, fact: Any) -> None:
        super().__init__(ops, f"Record {fact.kind} claim")
        self.fact = fact

    def do_undo(self) -> None:
        """Delete the claim."""
        from app.money.facts import delete_fact

        self.fact = delete_fact(self.ops.dossier, self.fact.id)

    def do_redo(self) -> None:
        """Put the claim back."""
        from app.money.facts import restore_fact

        restore_fact(self.ops.dossier, self.fact)


class EntitiesMergedCommand(ServiceCommand):
    """Undo gives the merged entity back its aliases, mentions and claims; redo merges again."""

    def __init__(self, ops: Operations, record: Any, names: tuple[str, str]) -> None:
        super().__init__(ops, f"Merge {names[1]} into {names[0]}")
        self.record = record

    def do_undo(self) -> None:
        """Unmerge exactly as recorded."""
        from app.money.entities import unmerge_entities

        unmerge_entities(self.ops.dossier, self.record)

    def do_redo(self) -> None:
        """Merge again (the record is refreshed for the next undo)."""
        from app.money.entities import merge_entities

        self.record = merge_entities(self.ops.dossier, self.record.keep_id, self.record.other_id)


class _CodebookCommand(ServiceCommand):
    """A codebook edit: undo and redo call the given service steps (on the writer thread)."""

    def __init__(self, ops: Operations, text: str, undo: Callable[[], Any],
                 redo: Callable[[], Any]) -> None:
        super().__init__(ops, text)
        self._undo, self._redo = undo, redo

    def do_undo(self) -> None:
        """Take the edit back."""
        self._undo()

    def do_redo(self) -> None:
        """Do the edit again."""
        self._redo()


class CodebookUndo(QObject):
    """Codebook edits (``app.services.tag_edits``) as mutations, undoable on the one stack.

    Each method runs the edit on the writer thread and pushes its command; ``on_done`` runs
    after success. Signals: ``failed(str)`` when an edit was refused (one line).
    """

    failed = Signal(str)

    def __init__(self, ops: Operations, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ops = ops
        self.dossier = ops.dossier

    def _do(self, label: str, work: Callable[[], Any],
            command: Callable[[Any], QUndoCommand | None],
            on_done: Callable[[Any], None] | None = None) -> Operation:
        return self.ops.mutate(
            lambda _op: work(), label=label, progress=False, undo=command, on_done=on_done,
            on_error=lambda exc: self.failed.emit(f"{label}: {one_line(exc)}"))

    def _command(self, text: str, undo: Callable[[], Any],
                 redo: Callable[[], Any]) -> QUndoCommand:
        return _CodebookCommand(self.ops, text, undo, redo)

    def add(self, name: str, parent_id: str | None, colour: str = "#808080",
            on_done: Callable[[Any], None] | None = None) -> Operation:
        """Add a tag; undo deletes it, redo brings it back with the same id."""
        kept: dict[str, Any] = {}

        def work() -> str:
            return codebook_service.create_tag(self.dossier, name, parent=parent_id,
                                               colour=colour).id

        def command(tag_id: str) -> QUndoCommand:
            def undo() -> None:
                kept["snapshot"] = tag_edits.delete_tag(self.dossier, tag_id, force=True)

            return self._command(f"Add tag {name}", undo,
                                 lambda: tag_edits.restore_tag(self.dossier, kept["snapshot"]))

        return self._do("Add tag", work, command, on_done)

    def update(self, tag_id: str, **fields: Any) -> Operation:
        """Rename, recolour, describe or re-key a tag; undo writes the old values back."""
        def apply(values: dict[str, Any]) -> None:
            for key, value in values.items():
                if key == "name":
                    tag_edits.rename_tag(self.dossier, tag_id, value)
                elif key == "shortcut":
                    tag_edits.set_shortcut(self.dossier, tag_id, value)
                else:
                    codebook_service.update_tag(self.dossier, tag_id, **{key: value})

        def work() -> tuple[str, dict[str, Any]]:
            before = codebook_service.tag_by_id(self.dossier, tag_id)
            apply(fields)
            return before.name, {k: getattr(before, k) for k in fields}

        what = {"name": "Rename", "colour": "Recolour", "description": "Describe",
                "shortcut": "Set key of"}.get(next(iter(fields)), "Change")

        def command(result: tuple[str, dict[str, Any]]) -> QUndoCommand:
            name, old = result
            return self._command(f"{what} tag {name}", lambda: apply(old), lambda: apply(fields))

        return self._do(f"{what} tag", work, command)

    def move(self, tag_id: str, parent_id: str | None, position: int | None = None) -> Operation:
        """Move a tag in the tree; undo puts it back."""
        def command(before: tuple[str | None, int]) -> QUndoCommand:
            return self._command(
                "Move tag", lambda: tag_edits.move_tag(self.dossier, tag_id, *before),
                lambda: tag_edits.move_tag(self.dossier, tag_id, parent_id, position))

        return self._do("Move tag",
                        lambda: tag_edits.move_tag(self.dossier, tag_id, parent_id, position),
                        command)

    def merge(self, source_id: str, target_id: str,
              on_done: Callable[[Any], None] | None = None) -> Operation:
        """Merge a tag into another (annotations follow); undo separates them exactly."""
        def command(snapshot: dict[str, Any]) -> QUndoCommand:
            kept = {"snapshot": snapshot}

            def redo() -> None:
                kept["snapshot"] = tag_edits.merge_tags(self.dossier, source_id, target_id)

            return self._command(f"Merge tag {snapshot['tag']['name']}",
                                 lambda: tag_edits.unmerge_tags(self.dossier, kept["snapshot"]),
                                 redo)

        return self._do("Merge tag",
                        lambda: tag_edits.merge_tags(self.dossier, source_id, target_id),
                        command, on_done)

    def delete(self, tag_id: str, *, force: bool = False,
               on_done: Callable[[Any], None] | None = None) -> Operation:
        """Delete a tag; undo restores it with its links to annotations."""
        def command(snapshot: dict[str, Any]) -> QUndoCommand:
            kept = {"snapshot": snapshot}

            def redo() -> None:
                kept["snapshot"] = tag_edits.delete_tag(self.dossier, tag_id, force=True)

            return self._command(f"Delete tag {snapshot['tag']['name']}",
                                 lambda: tag_edits.restore_tag(self.dossier, kept["snapshot"]),
                                 redo)

        return self._do("Delete tag",
                        lambda: tag_edits.delete_tag(self.dossier, tag_id, force=force),
                        command, on_done)

    def import_codes(self, path: str, on_done: Callable[[Any], None] | None = None) -> Operation:
        """Add a .qdc codebook's missing codes; undo deletes them again."""
        from app.exchange.refi.codebook import read_qdc

        def command(created: list[str]) -> QUndoCommand | None:
            if not created:
                return None
            kept: dict[str, list[dict[str, Any]]] = {"snapshots": []}

            def undo() -> None:
                kept["snapshots"] = [tag_edits.delete_tag(self.dossier, t, force=True)
                                     for t in reversed(created)]

            def redo() -> None:
                for snapshot in reversed(kept["snapshots"]):
                    tag_edits.restore_tag(self.dossier, snapshot)

            return self._command(f"Import codebook ({len(created)} tags)", undo, redo)

        return self._do("Import codebook",
                        lambda: tag_edits.import_codes(self.dossier, read_qdc(path)),
                        command, on_done)


class LibraryUndo(QObject):
    """Removing documents from the library as a mutation; undo puts them back.

    Signals: ``failed(str)`` when a removal was refused (one line).
    """

    failed = Signal(str)

    def __init__(self, ops: Operations, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ops = ops
        self.dossier = ops.dossier

    def remove(self, document_ids: list[str],
               on_done: Callable[[Any], None] | None = None) -> Operation:
        """Remove documents (originals and annotations are kept); undo restores them."""
        from app.services import removal

        ids = list(document_ids)

        def command(_removed: list[str]) -> QUndoCommand:
            label = f"Remove {len(ids)} document{'s' if len(ids) != 1 else ''}"
            return _CodebookCommand(self.ops, label,
                                    lambda: removal.restore_documents(self.dossier, ids),
                                    lambda: removal.remove_documents(self.dossier, ids))

        return self.ops.mutate(
            lambda _op: removal.remove_documents(self.dossier, ids), label="Remove documents",
            progress=False, undo=command, on_done=on_done,
            on_error=lambda exc: self.failed.emit(f"Remove: {one_line(exc)}"))
