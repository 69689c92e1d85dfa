"""Structured claims (facts) backed by passages: payments, contracts, ownership, membership.

Each fact maps to an FtM interval schema whose property ranges decide which entities may fill
its roles (a payer must be a LegalEntity, an owned asset an Asset...). A contract whose parties do
not fit FtM's ``Employment`` (e.g. a group of workers recorded as an Organization) is kept as an
FtM ``UnknownLink`` with the role "employment contract", so the export stays valid FtM.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from followthemoney import model
from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from app import audit
from app.clock import utcnow
from app.errors import BadInput, NotFound
from app.money.amounts import Amount
from app.money.entities import resolve_entity
from app.money.periods import Period
from app.money.vocabulary import FIELDS, KINDS
from app.services.lookup import resolve_prefix
from db.models import Annotation, Document, User
from db.money_models import Entity, Fact, FactSource

if TYPE_CHECKING:
    from app.dossier import Dossier

@dataclass(frozen=True)
class SourceRef:
    """A passage behind a fact."""

    annotation_id: str
    document_id: str
    document_sha256: str
    document_title: str
    quote: str

    def to_json(self) -> dict[str, Any]:
        """JSON shape used by ``flows --json`` and the exports."""
        return {"annotation": self.annotation_id, "document": self.document_id,
                "sha256": self.document_sha256, "title": self.document_title,
                "quote": self.quote}


@dataclass(frozen=True)
class FactView:
    """A fact as callers see it."""

    id: str
    kind: str
    schema: str
    subject_id: str
    subject: str
    object_id: str
    object: str
    amount_text: str
    amount: float | None
    amount_min: float | None
    amount_max: float | None
    currency: str
    date_text: str
    date_start: str
    date_end: str
    fields: dict[str, str]
    sources: tuple[SourceRef, ...]
    created: str
    author: str

    def to_json(self) -> dict[str, Any]:
        """The JSON shape of a fact in ``flows --json`` and the FtM export's extension."""
        return {
            "id": self.id, "kind": self.kind, "schema": self.schema,
            "subject": {"id": self.subject_id, "name": self.subject},
            "object": {"id": self.object_id, "name": self.object},
            "amount": {"text": self.amount_text, "value": self.amount, "min": self.amount_min,
                       "max": self.amount_max, "currency": self.currency},
            "date": {"text": self.date_text, "start": self.date_start, "end": self.date_end},
            "fields": self.fields, "sources": [s.to_json() for s in self.sources],
            "created": self.created, "author": self.author,
        }


def fact_schema(kind: str, subject_schema: str, object_schema: str) -> str:
    """The FtM schema for a fact of ``kind`` between entities of these schemata."""
    if kind not in KINDS:
        raise BadInput(f"unknown claim kind {kind!r}; use one of {', '.join(KINDS)}")
    schema, sprop, oprop, sname, oname = KINDS[kind]
    ftm = model.get(schema)
    assert ftm is not None
    srange, orange = ftm.get(sprop).range, ftm.get(oprop).range  # type: ignore[union-attr]
    fits_s = model.get(subject_schema).is_a(srange)  # type: ignore[union-attr]
    fits_o = model.get(object_schema).is_a(orange)  # type: ignore[union-attr]
    if fits_s and fits_o:
        return schema
    if kind == "contract":
        return "UnknownLink"
    bad, need, got = (sname, srange, subject_schema) if not fits_s else (oname, orange,
                                                                         object_schema)
    raise BadInput(f"the {bad} of a {kind} must be a {need.name} in FollowTheMoney "  # type: ignore[union-attr]
                   f"terms, but is a {got}; record it with a fitting schema")


def _sources(session: Session, annotation_specs: Sequence[str]) -> list[FactSource]:
    if not annotation_specs:
        raise BadInput("a claim needs at least one supporting passage (annotation)")
    out: dict[str, FactSource] = {}
    for spec in annotation_specs:
        ann = resolve_prefix(session, Annotation, spec, "annotation")
        doc = session.get(Document, ann.document_id)
        assert doc is not None
        out[ann.id] = FactSource(annotation_id=ann.id, document_id=doc.id,
                                 document_sha256=doc.sha256, document_title=doc.title,
                                 quote=ann.quote)
    return list(out.values())


def record_fact(
    dossier: Dossier, kind: str, annotation_ids: Sequence[str], subject: str, obj: str, *,
    amount: Amount | None = None, period: Period | None = None,
    fields: dict[str, str] | None = None, fact_id: str | None = None,
) -> FactView:
    """Record a structured claim backed by the given annotations; audited."""
    fields = {k: " ".join(v.split()) for k, v in (fields or {}).items() if v and v.strip()}
    allowed = FIELDS.get(kind, ())
    unknown = set(fields) - set(allowed)
    if unknown:
        raise BadInput(f"a {kind} claim has no field {sorted(unknown)[0]!r}")
    if amount is not None and amount.value is None and amount.low is None:
        raise BadInput("the amount has neither a value nor a range")
    with dossier.write() as session:
        author_id = dossier.user_id(session)
        subj = resolve_entity(session, subject)
        other = resolve_entity(session, obj)
        if subj.id == other.id:
            raise BadInput(f"{subj.name!r} cannot be on both sides of a {kind}")
        schema = fact_schema(kind, subj.schema, other.schema)
        sources = _sources(session, annotation_ids)
        fact = Fact(
            id=fact_id or str(uuid.uuid4()), kind=kind, schema=schema, subject_id=subj.id,
            object_id=other.id, amount_text=amount.text if amount else "",
            amount=amount.value if amount else None, amount_min=amount.low if amount else None,
            amount_max=amount.high if amount else None,
            currency=amount.currency if amount else "",
            date_text=period.text if period else "", date_start=period.start if period else "",
            date_end=period.end if period else "",
            fields_json=json.dumps(fields, sort_keys=True, ensure_ascii=False),
            created=utcnow(), author_id=author_id,
        )
        session.add(fact)
        session.flush()
        for src in sources:
            src.fact_id = fact.id
            session.add(src)
        session.flush()
        view = _views(session, [fact])[0]
        audit.record(session, dossier.user_name, "fact.create", "fact", fact.id, view.to_json())
    dossier.notify_change("fact", "created", view.id)
    return view


def delete_fact(dossier: Dossier, fact_id: str) -> FactView:
    """Remove a fact (undo of recording it); returns what it was; audited."""
    with dossier.write() as session:
        fact = session.get(Fact, fact_id)
        if fact is None:
            raise NotFound(f"no claim {fact_id}")
        dossier.user_id(session)
        view = _views(session, [fact])[0]
        session.execute(delete(FactSource).where(FactSource.fact_id == fact_id))
        session.delete(fact)
        audit.record(session, dossier.user_name, "fact.delete", "fact", fact_id, view.to_json())
    dossier.notify_change("fact", "deleted", fact_id)
    return view


def restore_fact(dossier: Dossier, view: FactView) -> None:
    """Put back a deleted fact exactly as it was (redo); audited."""
    with dossier.write() as session:
        author = session.scalar(select(User.id).where(User.name == view.author))
        dossier.user_id(session)
        session.execute(insert(Fact).values(
            id=view.id, kind=view.kind, schema=view.schema, subject_id=view.subject_id,
            object_id=view.object_id, amount_text=view.amount_text, amount=view.amount,
            amount_min=view.amount_min, amount_max=view.amount_max, currency=view.currency,
            date_text=view.date_text, date_start=view.date_start, date_end=view.date_end,
            fields_json=json.dumps(view.fields, sort_keys=True, ensure_ascii=False),
            created=view.created, author_id=author or dossier.user_id(session)))
        for s in view.sources:
            session.execute(insert(FactSource).values(
                fact_id=view.id, annotation_id=s.annotation_id, document_id=s.document_id,
                document_sha256=s.document_sha256, document_title=s.document_title,
                quote=s.quote))
        audit.record(session, dossier.user_name, "fact.restore", "fact", view.id, view.to_json())
    dossier.notify_change("fact", "created", view.id)


def _views(session: Session, facts: Sequence[Fact]) -> list[FactView]:
    ids = [f.id for f in facts]
    ent_ids = {f.subject_id for f in facts} | {f.object_id for f in facts}
    names: dict[str, str] = {}
    srcs: dict[str, list[SourceRef]] = {}
    ent_list = list(ent_ids)
    for i in range(0, len(ent_list), 500):
        for eid, name in session.execute(select(Entity.id, Entity.name)
                                         .where(Entity.id.in_(ent_list[i:i + 500]))):
            names[eid] = name
    for i in range(0, len(ids), 500):
        for row in session.scalars(select(FactSource).where(FactSource.fact_id.in_(ids[i:i + 500]))
                                   .order_by(FactSource.annotation_id)):
            srcs.setdefault(row.fact_id, []).append(SourceRef(
                row.annotation_id, row.document_id, row.document_sha256, row.document_title,
                row.quote))
    users: dict[int, str] = {uid: name for uid, name in session.execute(select(User.id, User.name))}
    return [FactView(
        id=f.id, kind=f.kind, schema=f.schema, subject_id=f.subject_id,
        subject=names.get(f.subject_id, ""), object_id=f.object_id,
        object=names.get(f.object_id, ""), amount_text=f.amount_text, amount=f.amount,
        amount_min=f.amount_min, amount_max=f.amount_max, currency=f.currency,
        date_text=f.date_text, date_start=f.date_start, date_end=f.date_end,
        fields=json.loads(f.fields_json), sources=tuple(srcs.get(f.id, [])), created=f.created,
        author=users.get(f.author_id, ""),
    ) for f in facts]


def list_facts(dossier: Dossier, kind: str | None = None) -> list[FactView]:
    """Every fact (optionally of one kind), oldest first."""
    with dossier.read() as session:
        stmt = select(Fact).order_by(Fact.created, Fact.id)
        if kind:
            stmt = stmt.where(Fact.kind == kind)
        return _views(session, session.scalars(stmt).all())
