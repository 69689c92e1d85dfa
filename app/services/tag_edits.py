"""Editing the codebook: rename, recolour, describe, move, merge, delete tags and set their keys.

Every change is one audited transaction. Changes that lose information (merge, delete) return a
snapshot that :func:`restore_tag` / :func:`unmerge_tags` take to put things back exactly, so the
GUI can undo them with ordinary, audited changes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from app import audit
from app.errors import BadInput, NotFound
from app.services import codebook
from app.services.codebook import TagInfo
from db.models import AnnotationTag, Tag

if TYPE_CHECKING:
    from app.dossier import Dossier
    from app.exchange.refi.model import RefiCode

#: Longest shortcut accepted (a key sequence such as "Ctrl+Shift+F12").
MAX_KEY = 32


def _tag(session: Session, tag_id: str) -> Tag:
    tag = session.get(Tag, tag_id)
    if tag is None:
        raise NotFound(f"no tag {tag_id}; 'dossier tags' lists the codebook")
    return tag


def _check_name(session: Session, name: str, parent_id: str | None,
                tag_id: str | None = None) -> str:
    name = name.strip()
    if not name or "/" in name:
        raise BadInput(f"tag name {name!r} is empty or contains '/'; choose another name")
    cond = Tag.parent_id.is_(None) if parent_id is None else Tag.parent_id == parent_id
    for other in session.scalars(select(Tag).where(cond)):
        if other.id != tag_id and other.name.casefold() == name.casefold():
            raise BadInput(f"a tag named {name!r} already exists there; choose another name")
    return name


def _row(tag: Tag) -> dict[str, Any]:
    return {"id": tag.id, "parent_id": tag.parent_id, "name": tag.name, "colour": tag.colour,
            "description": tag.description, "shortcut": tag.shortcut,
            "position": tag.position, "is_codable": tag.is_codable, "created": tag.created}


def _linked(session: Session, tag_id: str) -> list[str]:
    return sorted(session.scalars(
        select(AnnotationTag.annotation_id).where(AnnotationTag.tag_id == tag_id)))


def _children_ids(session: Session, tag_id: str) -> list[str]:
    return sorted(session.scalars(select(Tag.id).where(Tag.parent_id == tag_id)))


def _notify(dossier: Dossier, tags: list[str], annotations: list[str]) -> None:
    dossier.notify_change("tag", "updated", *tags)
    if annotations:
        dossier.notify_change("annotation", "updated", *annotations)


def rename_tag(dossier: Dossier, tag_id: str, name: str) -> TagInfo:
    """Give a tag a new name (unique among its siblings)."""
    with dossier.write() as session:
        tag = _tag(session, tag_id)
        name = _check_name(session, name, tag.parent_id, tag.id)
        before = tag.name
        tag.name = name
        audit.record(session, dossier.user_name, "tag.update", "tag", tag.id,
                     {"before": {"name": before}, "after": {"name": name}})
    _notify(dossier, [tag_id], [])
    return codebook.tag_by_id(dossier, tag_id)


def set_shortcut(dossier: Dossier, tag_id: str, key: str | None) -> TagInfo:
    """Assign a shortcut key to a tag (None or "" clears it); a key in use elsewhere is refused."""
    key = (key or "").strip() or None
    if key is not None and len(key) > MAX_KEY:
        raise BadInput(f"shortcut {key!r} is too long; use a single key such as 'D' or 'F5'")
    with dossier.write() as session:
        tag = _tag(session, tag_id)
        if key is not None:
            for other in session.scalars(select(Tag).where(Tag.id != tag_id)):
                if other.shortcut and other.shortcut.casefold() == key.casefold():
                    raise BadInput(f"key {key!r} already tags {other.name!r}; clear it there "
                                   "first or choose another key")
            if not tag.is_codable:
                raise BadInput(f"{tag.name!r} is a category, not a code; give keys to codes")
        before = tag.shortcut
        tag.shortcut = key
        audit.record(session, dossier.user_name, "tag.update", "tag", tag.id,
                     {"before": {"shortcut": before}, "after": {"shortcut": key}})
    _notify(dossier, [tag_id], [])
    return codebook.tag_by_id(dossier, tag_id)


def move_tag(dossier: Dossier, tag_id: str, parent_id: str | None,
             position: int | None = None) -> tuple[str | None, int]:
    """Put a tag under ``parent_id`` (None: top level) at ``position``; return where it was."""
    with dossier.write() as session:
        tag = _tag(session, tag_id)
        cur = parent_id
        while cur is not None:
            if cur == tag_id:
                raise BadInput(f"cannot move {tag.name!r} into itself or one of its sub-tags")
            cur = _tag(session, cur).parent_id
        _check_name(session, tag.name, parent_id, tag.id)
        before = (tag.parent_id, tag.position)
        cond = Tag.parent_id.is_(None) if parent_id is None else Tag.parent_id == parent_id
        siblings = sorted((t for t in session.scalars(select(Tag).where(cond)) if t.id != tag_id),
                          key=lambda t: (t.position, t.name))
        index = len(siblings) if position is None else max(0, min(position, len(siblings)))
        siblings.insert(index, tag)
        tag.parent_id = parent_id
        for i, sibling in enumerate(siblings):
            sibling.position = i
        audit.record(session, dossier.user_name, "tag.move", "tag", tag.id, {
            "before": {"parent_id": before[0], "position": before[1]},
            "after": {"parent_id": parent_id, "position": index}},
            touches=[("tag", t.id) for t in siblings if t.id != tag.id])
    _notify(dossier, [tag_id], [])
    return before


def delete_tag(dossier: Dossier, tag_id: str, *, force: bool = False) -> dict[str, Any]:
    """Delete a tag; in use, only with ``force`` (it leaves those annotations). Returns a snapshot.

    A tag with sub-tags is refused: move or delete them first.
    """
    with dossier.write() as session:
        tag = _tag(session, tag_id)
        if _children_ids(session, tag_id):
            raise BadInput(f"{tag.name!r} has sub-tags; move or delete them first")
        linked = _linked(session, tag_id)
        if linked and not force:
            raise BadInput(f"{tag.name!r} is used by {len(linked)} annotation"
                           f"{'s' if len(linked) != 1 else ''}; merge it into another tag, or "
                           "confirm the deletion (--force) to remove it from them")
        snapshot = {"tag": _row(tag), "annotations": linked}
        session.execute(delete(AnnotationTag).where(AnnotationTag.tag_id == tag_id))
        session.delete(tag)
        audit.record(session, dossier.user_name, "tag.delete", "tag", tag_id, snapshot,
                     touches=[("annotation", a) for a in linked])
    dossier.notify_change("tag", "deleted", tag_id)
    if linked:
        dossier.notify_change("annotation", "updated", *linked)
    return snapshot


def restore_tag(dossier: Dossier, snapshot: dict[str, Any]) -> None:
    """Bring back a deleted tag with its id and its links to the annotations still there."""
    row = snapshot["tag"]
    with dossier.write() as session:
        if session.get(Tag, row["id"]) is not None:
            raise BadInput(f"tag {row['name']!r} exists already")
        _check_name(session, row["name"], row["parent_id"])
        session.add(Tag(**row))
        session.flush()
        linked = _relink(session, row["id"], snapshot["annotations"])
        audit.record(session, dossier.user_name, "tag.restore", "tag", row["id"],
                     {"tag": row, "annotations": linked},
                     touches=[("annotation", a) for a in linked])
    dossier.notify_change("tag", "created", row["id"])
    if linked:
        dossier.notify_change("annotation", "updated", *linked)


def _relink(session: Session, tag_id: str, annotation_ids: list[str]) -> list[str]:
    from db.models import Annotation

    present = set(session.scalars(select(Annotation.id).where(Annotation.id.in_(annotation_ids))))
    have = set(session.scalars(select(AnnotationTag.annotation_id)
                               .where(AnnotationTag.tag_id == tag_id)))
    todo = sorted(present - have)
    if todo:
        session.execute(insert(AnnotationTag),
                        [{"annotation_id": a, "tag_id": tag_id} for a in todo])
    return todo


def merge_tags(dossier: Dossier, source_id: str, target_id: str) -> dict[str, Any]:
    """Merge ``source`` into ``target``: its annotations and sub-tags follow; it is removed.

    Returns the snapshot :func:`unmerge_tags` takes.
    """
    if source_id == target_id:
        raise BadInput("cannot merge a tag into itself; choose another tag")
    with dossier.write() as session:
        source, target = _tag(session, source_id), _tag(session, target_id)
        cur: str | None = target.parent_id
        while cur is not None:
            if cur == source_id:
                raise BadInput(f"cannot merge {source.name!r} into its own sub-tag")
            cur = _tag(session, cur).parent_id
        linked = _linked(session, source_id)
        had_target = sorted(set(linked) & set(_linked(session, target_id)))
        children = _children_ids(session, source_id)
        for child_id in children:
            child = _tag(session, child_id)
            _check_name(session, child.name, target_id, child.id)
            child.parent_id = target_id
        snapshot = {"tag": _row(source), "target": target_id, "annotations": linked,
                    "had_target": had_target, "children": children}
        session.execute(delete(AnnotationTag).where(AnnotationTag.tag_id == source_id))
        session.flush()
        _relink(session, target_id, linked)
        session.delete(source)
        audit.record(session, dossier.user_name, "tag.merge", "tag", source_id, snapshot,
                     touches=[("tag", target_id), *(("tag", c) for c in children),
                              *(("annotation", a) for a in linked)])
    dossier.notify_change("tag", "deleted", source_id)
    _notify(dossier, [target_id, *children], linked)
    return snapshot


def unmerge_tags(dossier: Dossier, snapshot: dict[str, Any]) -> None:
    """Undo :func:`merge_tags`: the source tag, its sub-tags and its annotations come back."""
    row = snapshot["tag"]
    target_id = snapshot["target"]
    with dossier.write() as session:
        if session.get(Tag, row["id"]) is not None:
            raise BadInput(f"tag {row['name']!r} exists already")
        session.add(Tag(**row))
        session.flush()
        for child_id in snapshot["children"]:
            child = session.get(Tag, child_id)
            if child is not None:
                child.parent_id = row["id"]
        linked = _relink(session, row["id"], snapshot["annotations"])
        drop = sorted(set(linked) - set(snapshot["had_target"]))
        if drop:
            session.execute(delete(AnnotationTag).where(
                AnnotationTag.tag_id == target_id, AnnotationTag.annotation_id.in_(drop)))
        audit.record(session, dossier.user_name, "tag.unmerge", "tag", row["id"], snapshot,
                     touches=[*(("tag", c) for c in snapshot["children"]),
                              *(("annotation", a) for a in snapshot["annotations"])])
    dossier.notify_change("tag", "created", row["id"])
    _notify(dossier, [target_id, *snapshot["children"]], linked)


def import_codes(dossier: Dossier, codes: list[RefiCode]) -> list[str]:
    """Add the codes of a REFI-QDA codebook that the codebook lacks (matched by name under the
    same parent); return the ids of the tags created, parents first."""
    created: list[str] = []
    tag_of: dict[str, str] = {}  # code guid -> tag id
    with dossier.read() as session:
        existing = {(t.parent_id, t.name.casefold()): t.id for t in codebook.list_tags(session)}
    for code in codes:
        parent_id = tag_of.get(code.parent) if code.parent else None
        if code.parent and parent_id is None:
            continue  # its parent could not be placed
        found = existing.get((parent_id, code.name.casefold()))
        if found is None:
            info = codebook.create_tag(dossier, code.name, parent=parent_id,
                                       colour=code.colour or "#808080",
                                       description=code.description)
            if not code.is_codable:
                with dossier.write() as session:
                    tag = _tag(session, info.id)
                    tag.is_codable = False
                    audit.record(session, dossier.user_name, "tag.update", "tag", tag.id,
                                 {"before": {"is_codable": True},
                                  "after": {"is_codable": False}})
            found = info.id
            created.append(found)
            existing[(parent_id, code.name.casefold())] = found
        tag_of[code.guid] = found
    if created:
        dossier.notify_change("tag", "created", *created)
    return created
