"""The codebook: a tree of tags (codes), seeded from ``resources/codebook/default.json``."""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app import audit
from app.clock import utcnow
from app.errors import Ambiguous, BadInput, NotFound
from db.models import AnnotationTag, Setting, Tag

if TYPE_CHECKING:
    from app.dossier import Dossier

_SEEDED_KEY = "codebook_seeded"
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


@dataclass(frozen=True)
class TagInfo:
    """A tag with its path in the tree (``Abuses/Deception``) and depth."""

    id: str
    parent_id: str | None
    name: str
    path: str
    depth: int
    colour: str
    description: str
    shortcut: str | None
    is_codable: bool
    position: int


def load_default_codebook() -> dict[str, Any]:
    """The default codebook shipped in ``resources/codebook``."""
    ref = resources.files("resources.codebook").joinpath("default.json")
    data: dict[str, Any] = json.loads(ref.read_text(encoding="utf-8"))
    return data


def ensure_default(dossier: Dossier) -> None:
    """Create the default codebook in a dossier that has never had one."""
    with dossier.read() as session:
        if session.get(Setting, _SEEDED_KEY) is not None:
            return
    book = load_default_codebook()
    with dossier.write() as session:
        if session.get(Setting, _SEEDED_KEY) is not None:
            return
        dossier.user_id(session)
        for i, cat in enumerate(book["categories"]):
            parent = _create(session, dossier.user_name, None, cat["name"], cat["colour"],
                             cat.get("description", ""), None, i, is_codable=False)
            for j, code in enumerate(cat["codes"]):
                _create(session, dossier.user_name, parent.id, code["name"], code["colour"],
                        code.get("description", ""), code.get("shortcut"), j)
        session.add(Setting(key=_SEEDED_KEY, value=str(book.get("version", 1))))


def _create(
    session: Session, actor: str, parent_id: str | None, name: str, colour: str,
    description: str, shortcut: str | None, position: int, *, is_codable: bool = True,
    tag_id: str | None = None,
) -> Tag:
    name = name.strip()
    if not name or "/" in name:
        raise BadInput(f"tag name {name!r} is empty or contains '/'; choose another name")
    if not _COLOUR.match(colour):
        raise BadInput(f"tag colour {colour!r} is not of the form #RRGGBB")
    tag = Tag(
        id=tag_id or str(uuid.uuid4()), parent_id=parent_id, name=name, colour=colour.lower(),
        description=description, shortcut=shortcut or None, position=position,
        is_codable=is_codable, created=utcnow(),
    )
    session.add(tag)
    session.flush()
    audit.record(session, actor, "tag.create", "tag", tag.id, {
        "parent_id": parent_id, "name": name, "colour": tag.colour, "description": description,
        "shortcut": tag.shortcut, "position": position, "is_codable": is_codable,
    })
    return tag


def create_tag(
    dossier: Dossier, name: str, *, parent: str | None = None, colour: str = "#808080",
    description: str = "", shortcut: str | None = None, tag_id: str | None = None,
) -> TagInfo:
    """Add a tag under ``parent`` (an id or path) and return it."""
    with dossier.write() as session:
        dossier.user_id(session)
        parent_id = resolve_tag(session, parent).id if parent else None
        siblings = _children(session, parent_id)
        if any(t.name.casefold() == name.strip().casefold() for t in siblings):
            raise BadInput(f"a tag named {name!r} already exists there; choose another name")
        tag = _create(session, dossier.user_name, parent_id, name, colour, description, shortcut,
                      len(siblings), tag_id=tag_id)
        new_id = tag.id
    dossier.notify_change("tag", "created", new_id)
    return tag_by_id(dossier, new_id)


def update_tag(dossier: Dossier, tag_id: str, **fields: Any) -> TagInfo:
    """Change a tag's name, colour, description or shortcut (audited with before and after)."""
    allowed = {"name", "colour", "description", "shortcut"}
    unknown = set(fields) - allowed
    if unknown:
        raise BadInput(f"cannot change tag field(s) {', '.join(sorted(unknown))}")
    with dossier.write() as session:
        tag = session.get(Tag, tag_id)
        if tag is None:
            raise NotFound(f"no tag {tag_id}")
        if "colour" in fields and not _COLOUR.match(fields["colour"]):
            raise BadInput(f"tag colour {fields['colour']!r} is not of the form #RRGGBB")
        before = {k: getattr(tag, k) for k in fields}
        for key, value in fields.items():
            setattr(tag, key, value)
        audit.record(session, dossier.user_name, "tag.update", "tag", tag.id,
                     {"before": before, "after": fields})
    dossier.notify_change("tag", "updated", tag_id)
    return tag_by_id(dossier, tag_id)


def _children(session: Session, parent_id: str | None) -> list[Tag]:
    cond = Tag.parent_id.is_(None) if parent_id is None else Tag.parent_id == parent_id
    return list(session.scalars(select(Tag).where(cond)))


def list_tags(session: Session) -> list[TagInfo]:
    """Every tag in tree order (depth-first, by position then name)."""
    tags = session.scalars(select(Tag)).all()
    children: dict[str | None, list[Tag]] = {}
    for tag in tags:
        children.setdefault(tag.parent_id, []).append(tag)
    out: list[TagInfo] = []

    def walk(parent: str | None, prefix: str, depth: int) -> None:
        for tag in sorted(children.get(parent, []), key=lambda t: (t.position, t.name)):
            path = f"{prefix}/{tag.name}" if prefix else tag.name
            out.append(TagInfo(tag.id, tag.parent_id, tag.name, path, depth, tag.colour,
                               tag.description, tag.shortcut, tag.is_codable, tag.position))
            walk(tag.id, path, depth + 1)

    walk(None, "", 0)
    return out


def cached_tags(dossier: Dossier, session: Session) -> dict[str, TagInfo]:
    """Tags by id, cached on the dossier until a tag changes."""
    cache = dossier.tag_cache
    if cache is None:
        cache = {t.id: t for t in list_tags(session)}
        dossier.tag_cache = cache
    return cast(dict[str, TagInfo], cache)


def tag_by_id(dossier: Dossier, tag_id: str) -> TagInfo:
    """One tag with its path."""
    with dossier.read() as session:
        for info in list_tags(session):
            if info.id == tag_id:
                return info
    raise NotFound(f"no tag {tag_id}")


def resolve_tag(session: Session, spec: str) -> TagInfo:
    """Find a tag by path, name or id prefix, case-insensitively; refuse unknown or ambiguous."""
    wanted = spec.strip().strip("/").casefold()
    if not wanted:
        raise BadInput("empty tag name")
    tags = list_tags(session)
    by_path = [t for t in tags if t.path.casefold() == wanted]
    if len(by_path) == 1:
        return by_path[0]
    by_name = [t for t in tags if t.name.casefold() == wanted]
    if len(by_name) == 1:
        return by_name[0]
    if len(by_name) > 1:
        paths = ", ".join(t.path for t in by_name)
        raise Ambiguous(f"tag {spec!r} is ambiguous ({paths}); give its full path")
    by_suffix = [t for t in tags if t.path.casefold().endswith("/" + wanted)]
    if len(by_suffix) == 1:
        return by_suffix[0]
    by_id = [t for t in tags if t.id.startswith(wanted)] if len(wanted) >= 4 else []
    if len(by_id) == 1:
        return by_id[0]
    raise NotFound(f"no tag {spec!r}; 'dossier tags' lists the codebook")


def usage_counts(session: Session) -> dict[str, int]:
    """Number of annotations per tag id."""
    rows = session.execute(
        select(AnnotationTag.tag_id, func.count()).group_by(AnnotationTag.tag_id)
    ).all()
    return {tag_id: int(n) for tag_id, n in rows}
