"""Entities: people, companies, organisations, public bodies, bank accounts and territories.

Schemata are FollowTheMoney's. Names are compared by their transliterated key
(:func:`app.money.names.name_key`), so "Пётр Сидоров" finds "Petr Sidorov". Merging moves the
other entity's aliases, mentions and fact roles to the kept one and marks it ``merged_into``; the
returned :class:`MergeRecord` is everything :func:`unmerge_entities` needs to put it back.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from followthemoney import model, registry
from rapidfuzz import fuzz
from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from app import audit
from app.clock import utcnow
from app.errors import Ambiguous, BadInput, NotFound
from app.money.names import name_key
from app.money.vocabulary import ENTITY_SCHEMATA
from db.money_models import Entity, EntityAlias, Fact, Mention

if TYPE_CHECKING:
    from app.dossier import Dossier



@dataclass(frozen=True)
class EntityView:
    """An entity as callers see it."""

    id: str
    schema: str
    name: str
    aliases: tuple[str, ...]
    countries: tuple[str, ...]
    properties: dict[str, list[str]]
    merged_into: str | None = None
    mentions: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The JSON shape of ``dossier entities --json``."""
        return {"id": self.id, "schema": self.schema, "name": self.name,
                "aliases": list(self.aliases), "countries": list(self.countries),
                "properties": self.properties, "merged_into": self.merged_into,
                "mentions": list(self.mentions)}


@dataclass(frozen=True)
class MergeRecord:
    """What a merge changed, so that it can be undone exactly."""

    keep_id: str
    other_id: str
    aliases_added: tuple[str, ...] = ()
    mentions_moved: tuple[str, ...] = ()
    mentions_dropped: tuple[str, ...] = ()
    subject_facts: tuple[str, ...] = ()
    object_facts: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The audit payload of the merge."""
        return {"keep": self.keep_id, "other": self.other_id,
                "aliases_added": list(self.aliases_added),
                "mentions_moved": list(self.mentions_moved),
                "mentions_dropped": list(self.mentions_dropped),
                "subject_facts": list(self.subject_facts),
                "object_facts": list(self.object_facts)}


def check_schema(schema: str) -> str:
    """The FtM schema name for ``schema`` (case-insensitive) if it is an entity schema."""
    for name in ENTITY_SCHEMATA:
        if name.lower() == schema.strip().lower():
            return name
    raise BadInput(f"unknown entity schema {schema!r}; use one of {', '.join(ENTITY_SCHEMATA)}")


def clean_countries(values: Iterable[str]) -> list[str]:
    """ISO 3166 codes (lower case, as FtM keeps them) for country names or codes."""
    out: list[str] = []
    for value in values:
        for part in value.split(","):
            if not part.strip():
                continue
            code = registry.country.clean(part.strip())
            if code is None:
                raise BadInput(f"unknown country {part.strip()!r}; give an ISO code such as KP")
            if code not in out:
                out.append(code)
    return out


def _snapshot(session: Session, ent: Entity) -> dict[str, Any]:
    aliases = session.scalars(select(EntityAlias.alias).where(EntityAlias.entity_id == ent.id)
                              .order_by(EntityAlias.alias)).all()
    return {"id": ent.id, "schema": ent.schema, "name": ent.name, "country": ent.country,
            "properties": json.loads(ent.properties_json), "aliases": list(aliases),
            "merged_into": ent.merged_into}


def create_entity(
    dossier: Dossier, name: str, schema: str, *, aliases: Sequence[str] = (),
    countries: Sequence[str] = (), properties: dict[str, list[str]] | None = None,
    entity_id: str | None = None,
) -> EntityView:
    """Record a new entity; refuse a name that already names an entity of the dossier."""
    name = " ".join(name.split())
    if not name:
        raise BadInput("an entity needs a name")
    schema = check_schema(schema)
    codes = clean_countries(countries)
    props = _clean_properties(schema, properties or {})
    with dossier.write() as session:
        user_id = dossier.user_id(session)
        existing = find_by_name(session, name)
        if existing is not None:
            raise BadInput(f"{name!r} already names entity {existing.id[:8]} ({existing.name}); "
                           "add it as an alias or merge the two")
        ent = Entity(id=entity_id or str(uuid.uuid4()), schema=schema, name=name,
                     name_key=name_key(name), country=",".join(codes),
                     properties_json=json.dumps(props, sort_keys=True, ensure_ascii=False),
                     created=utcnow(), created_by=user_id)
        session.add(ent)
        session.flush()
        for alias in dict.fromkeys(" ".join(a.split()) for a in aliases):
            if alias and alias != name:
                session.execute(insert(EntityAlias).values(entity_id=ent.id, alias=alias,
                                                           alias_key=name_key(alias)))
        audit.record(session, dossier.user_name, "entity.create", "entity", ent.id,
                     _snapshot(session, ent))
        view = _view(session, ent)
    dossier.notify_change("entity", "created", view.id)
    return view


def _clean_properties(schema: str, props: dict[str, list[str]]) -> dict[str, list[str]]:
    ftm = model.get(schema)
    assert ftm is not None
    out: dict[str, list[str]] = {}
    for key, values in props.items():
        prop = ftm.get(key)
        if prop is None or prop.name in ("name", "alias", "country"):
            raise BadInput(f"{schema} has no property {key!r} to set here")
        out[key] = [str(v) for v in values if str(v).strip()]
    return {k: v for k, v in out.items() if v}


def find_by_name(session: Session, name: str) -> Entity | None:
    """The live entity whose name or alias has the same key as ``name``."""
    key = name_key(name)
    ent = session.scalars(select(Entity).where(Entity.name_key == key,
                                               Entity.merged_into.is_(None)).limit(1)).first()
    if ent is not None:
        return ent
    return session.scalars(
        select(Entity).join(EntityAlias, EntityAlias.entity_id == Entity.id)
        .where(EntityAlias.alias_key == key, Entity.merged_into.is_(None)).limit(1)
    ).first()


def resolve_entity(session: Session, spec: str) -> Entity:
    """An entity by id, id prefix (8+ characters), name or alias; merged ones lead to the kept."""
    spec = spec.strip()
    if not spec:
        raise BadInput("name an entity (its name, an alias or its id)")
    ent = session.get(Entity, spec) or find_by_name(session, spec)
    if ent is None and len(spec) >= 8:
        rows = session.scalars(select(Entity).where(Entity.id >= spec.lower(),
                                                    Entity.id < spec.lower() + "\uffff")
                               .limit(2)).all()
        if len(rows) > 1:
            raise Ambiguous(f"entity id {spec!r} is ambiguous; type more of it")
        ent = rows[0] if rows else None
    if ent is None:
        raise NotFound(f"no entity named {spec!r}; add it with 'dossier entity add' "
                       "or list them with 'dossier entities'")
    seen = {ent.id}
    while ent.merged_into is not None:
        nxt = session.get(Entity, ent.merged_into)
        if nxt is None or nxt.id in seen:
            break
        seen.add(nxt.id)
        ent = nxt
    return ent


def _view(session: Session, ent: Entity) -> EntityView:
    return _views(session, [ent])[0]


def _views(session: Session, rows: Sequence[Entity]) -> list[EntityView]:
    ids = [e.id for e in rows]
    aliases: dict[str, list[str]] = {}
    mentions: dict[str, list[str]] = {}
    for chunk in _chunks(ids):
        for eid, alias in session.execute(
            select(EntityAlias.entity_id, EntityAlias.alias)
            .where(EntityAlias.entity_id.in_(chunk)).order_by(EntityAlias.alias)
        ):
            aliases.setdefault(eid, []).append(alias)
        for eid, ann in session.execute(
            select(Mention.entity_id, Mention.annotation_id)
            .where(Mention.entity_id.in_(chunk)).order_by(Mention.annotation_id)
        ):
            mentions.setdefault(eid, []).append(ann)
    return [EntityView(
        id=e.id, schema=e.schema, name=e.name, aliases=tuple(aliases.get(e.id, [])),
        countries=tuple(c for c in e.country.split(",") if c),
        properties=json.loads(e.properties_json), merged_into=e.merged_into,
        mentions=tuple(mentions.get(e.id, [])),
    ) for e in rows]


def _chunks(ids: Sequence[str], size: int = 500) -> Iterable[Sequence[str]]:
    for i in range(0, len(ids), size):
        yield ids[i:i + size]


def list_entities(dossier: Dossier, *, include_merged: bool = False) -> list[EntityView]:
    """Every entity, by name; merged ones only when asked."""
    with dossier.read() as session:
        stmt = select(Entity).order_by(Entity.name_key, Entity.id)
        if not include_merged:
            stmt = stmt.where(Entity.merged_into.is_(None))
        return _views(session, session.scalars(stmt).all())


def get_entity(dossier: Dossier, spec: str) -> EntityView:
    """One entity by id, name or alias."""
    with dossier.read() as session:
        return _view(session, resolve_entity(session, spec))


def add_mention(dossier: Dossier, entity_spec: str, annotation_id: str) -> None:
    """Link an entity to a passage that names it."""
    from db.models import Annotation

    with dossier.write() as session:
        ent = resolve_entity(session, entity_spec)
        if session.get(Annotation, annotation_id) is None:
            raise NotFound(f"no annotation {annotation_id}")
        if session.get(Mention, (ent.id, annotation_id)) is not None:
            return
        dossier.user_id(session)
        session.execute(insert(Mention).values(entity_id=ent.id, annotation_id=annotation_id))
        audit.record(session, dossier.user_name, "entity.mention", "entity", ent.id,
                     {"entity_id": ent.id, "annotation_id": annotation_id})
    dossier.notify_change("entity", "updated", ent.id)


def suggest_entities(dossier: Dossier, passage: str, limit: int = 8) -> list[EntityView]:
    """Existing entities whose name or alias appears in ``passage`` (transliterated, fuzzy)."""
    text = name_key(passage)
    scored: dict[str, float] = {}
    with dossier.read() as session:
        names = list(session.execute(
            select(Entity.id, Entity.name_key).where(Entity.merged_into.is_(None))
        ).all())
        names += session.execute(
            select(EntityAlias.entity_id, EntityAlias.alias_key)
            .join(Entity, Entity.id == EntityAlias.entity_id)
            .where(Entity.merged_into.is_(None))
        ).all()
        for eid, key in names:
            if not key:
                continue
            score = 100.0 if key in text else fuzz.partial_ratio(key, text)
            if score >= 85:
                scored[eid] = max(scored.get(eid, 0.0), score)
        best = sorted(scored, key=lambda i: -scored[i])[:limit]
        rows = [session.get(Entity, i) for i in best]
        return _views(session, [r for r in rows if r is not None])


def merge_entities(dossier: Dossier, keep_spec: str, other_spec: str) -> MergeRecord:
    """Merge ``other`` into ``keep``: aliases, mentions and fact roles follow; audited."""
    with dossier.write() as session:
        keep = resolve_entity(session, keep_spec)
        other = resolve_entity(session, other_spec)
        if keep.id == other.id:
            raise BadInput(f"{keep.name!r} and {other.name!r} are already the same entity")
        dossier.user_id(session)
        keep_aliases = set(session.scalars(
            select(EntityAlias.alias).where(EntityAlias.entity_id == keep.id)).all())
        other_aliases = session.scalars(
            select(EntityAlias.alias).where(EntityAlias.entity_id == other.id)).all()
        added = [a for a in dict.fromkeys([other.name, *other_aliases])
                 if a not in keep_aliases and a != keep.name]
        for alias in added:
            session.execute(insert(EntityAlias).values(entity_id=keep.id, alias=alias,
                                                       alias_key=name_key(alias)))
        keep_mentions = set(session.scalars(
            select(Mention.annotation_id).where(Mention.entity_id == keep.id)).all())
        other_mentions = session.scalars(
            select(Mention.annotation_id).where(Mention.entity_id == other.id)).all()
        moved = [m for m in other_mentions if m not in keep_mentions]
        dropped = [m for m in other_mentions if m in keep_mentions]
        session.execute(delete(Mention).where(Mention.entity_id == other.id))
        if moved:
            session.execute(insert(Mention), [{"entity_id": keep.id, "annotation_id": m}
                                              for m in moved])
        subj = session.scalars(select(Fact.id).where(Fact.subject_id == other.id)).all()
        obj = session.scalars(select(Fact.id).where(Fact.object_id == other.id)).all()
        session.execute(update(Fact).where(Fact.subject_id == other.id)
                        .values(subject_id=keep.id))
        session.execute(update(Fact).where(Fact.object_id == other.id).values(object_id=keep.id))
        other.merged_into = keep.id
        record = MergeRecord(keep.id, other.id, tuple(added), tuple(moved), tuple(dropped),
                             tuple(subj), tuple(obj))
        audit.record(session, dossier.user_name, "entity.merge", "entity", keep.id,
                     {**record.to_json(), "keep_name": keep.name, "other_name": other.name},
                     touches=_touched(record))
    dossier.notify_change("entity", "updated", keep.id, other.id)
    return record


def _touched(record: MergeRecord) -> list[tuple[str, str]]:
    facts = dict.fromkeys([*record.subject_facts, *record.object_facts])
    return [("entity", record.other_id), *(("fact", f) for f in facts)]


def unmerge_entities(dossier: Dossier, record: MergeRecord) -> None:
    """Undo a merge exactly: the other entity, its aliases, mentions and fact roles return."""
    with dossier.write() as session:
        keep = session.get(Entity, record.keep_id)
        other = session.get(Entity, record.other_id)
        if keep is None or other is None or other.merged_into != keep.id:
            raise BadInput("that merge can no longer be undone: the entities changed since")
        dossier.user_id(session)
        if record.aliases_added:
            session.execute(delete(EntityAlias).where(
                EntityAlias.entity_id == keep.id,
                EntityAlias.alias.in_(record.aliases_added)))
        back = [*record.mentions_moved, *record.mentions_dropped]
        if record.mentions_moved:
            session.execute(delete(Mention).where(
                Mention.entity_id == keep.id,
                Mention.annotation_id.in_(record.mentions_moved)))
        if back:
            session.execute(insert(Mention), [{"entity_id": other.id, "annotation_id": m}
                                              for m in back])
        if record.subject_facts:
            session.execute(update(Fact).where(Fact.id.in_(record.subject_facts))
                            .values(subject_id=other.id))
        if record.object_facts:
            session.execute(update(Fact).where(Fact.id.in_(record.object_facts))
                            .values(object_id=other.id))
        other.merged_into = None
        audit.record(session, dossier.user_name, "entity.unmerge", "entity", keep.id,
                     record.to_json(), touches=_touched(record))
    dossier.notify_change("entity", "updated", record.keep_id, record.other_id)
