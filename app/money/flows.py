"""Money flows: facts between the same pair, in the same currency, added up.

Totals are kept per (kind, subject, object, currency) and never across currencies. An exact
amount adds to the total; an amount stated as a range ("billions of dollars") adds to the low and
high totals only, so ``total`` is what is known exactly and ``[total_min, total_max]`` the span.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from app.money.facts import FactView, _views
from app.money.independence import count_sources, source_groups
from db.models import Annotation, AnnotationTag, Tag
from db.money_models import Entity, Fact, FactSource

if TYPE_CHECKING:
    from app.dossier import Dossier


@dataclass(frozen=True)
class FlowFilter:
    """Which facts count: a date range that overlaps theirs, tags, review statuses, an entity."""

    date_from: str = ""
    date_to: str = ""
    tag_ids: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    entity_id: str = ""
    kinds: tuple[str, ...] = ()


@dataclass
class Flow:
    """Facts of one kind between one pair in one currency."""

    kind: str
    subject_id: str
    subject: str
    object_id: str
    object: str
    currency: str
    claims: int = 0
    total: float | None = None
    total_min: float | None = None
    total_max: float | None = None
    stated: list[str] = field(default_factory=list)
    passages: int = 0
    sources: int = 0
    date_start: str = ""
    date_end: str = ""
    fact_ids: list[str] = field(default_factory=list)

    @property
    def key(self) -> tuple[str, str, str, str]:
        """(kind, subject id, object id, currency): what identifies the flow."""
        return (self.kind, self.subject_id, self.object_id, self.currency)

    @property
    def size(self) -> float:
        """What the flow is drawn and ranked by: the exact total, else the low end."""
        return self.total or self.total_min or 0.0

    def label(self) -> str:
        """The amount as an arrow shows it: "1,200,000 USD", "≥1e9 USD (billions of…)"."""
        cur = f" {self.currency}" if self.currency else ""
        if self.total is not None and self.total_min == self.total_max == self.total:
            return f"{self.total:,.0f}{cur}"
        parts = []
        if self.total is not None:
            parts.append(f"{self.total:,.0f}{cur} exact")
        if self.stated:
            parts.append("; ".join(dict.fromkeys(self.stated)) + (cur and f" ({self.currency})"))
        if not parts and self.total_min is not None:
            parts.append(f"{self.total_min:,.0f}–{self.total_max or 0:,.0f}{cur}")
        return " + ".join(parts) if parts else "amount not stated"

    def to_json(self) -> dict[str, Any]:
        """The JSON shape of one flow in ``flows --json``."""
        return {"kind": self.kind, "from": {"id": self.subject_id, "name": self.subject},
                "to": {"id": self.object_id, "name": self.object}, "currency": self.currency,
                "claims": self.claims, "total": self.total, "total_min": self.total_min,
                "total_max": self.total_max, "stated": list(dict.fromkeys(self.stated)),
                "passages": self.passages, "independent_sources": self.sources,
                "date_start": self.date_start, "date_end": self.date_end,
                "label": self.label()}


def _tag_closure(session: Session, tag_ids: Sequence[str]) -> list[str]:
    children: dict[str | None, list[str]] = {}
    for tid, parent in session.execute(select(Tag.id, Tag.parent_id)):
        children.setdefault(parent, []).append(tid)
    out: list[str] = []
    stack = list(tag_ids)
    while stack:
        t = stack.pop()
        if t not in out:
            out.append(t)
            stack.extend(children.get(t, []))
    return out


def _filtered(session: Session, flt: FlowFilter, stmt: Any) -> Any:
    if flt.kinds:
        stmt = stmt.where(Fact.kind.in_(flt.kinds))
    if flt.entity_id:
        stmt = stmt.where(or_(Fact.subject_id == flt.entity_id, Fact.object_id == flt.entity_id))
    if flt.date_from:
        stmt = stmt.where(Fact.date_end != "", Fact.date_end >= flt.date_from)
    if flt.date_to:
        stmt = stmt.where(Fact.date_start != "", Fact.date_start <= flt.date_to)
    if flt.tag_ids or flt.statuses:
        src = select(FactSource.fact_id).join(Annotation,
                                              Annotation.id == FactSource.annotation_id)
        if flt.statuses:
            src = src.where(Annotation.status.in_(flt.statuses))
        if flt.tag_ids:
            tags = _tag_closure(session, flt.tag_ids)
            src = src.join(AnnotationTag, AnnotationTag.annotation_id == Annotation.id).where(
                AnnotationTag.tag_id.in_(tags))
        stmt = stmt.where(Fact.id.in_(src))
    return stmt


def aggregate_flows(
    dossier: Dossier, flt: FlowFilter | None = None, *, limit: int | None = None,
) -> list[Flow]:
    """Flows, largest first (``limit`` keeps the largest), each with its evidence counts."""
    return aggregate_counted(dossier, flt, limit=limit)[0]


def aggregate_counted(
    dossier: Dossier, flt: FlowFilter | None = None, *, limit: int | None = None,
) -> tuple[list[Flow], int]:
    """:func:`aggregate_flows` and how many flows pass the filter in all."""
    flt = flt or FlowFilter()
    with dossier.read() as session:
        return aggregate_in(session, flt, limit=limit)


def aggregate_in(session: Session, flt: FlowFilter, *, limit: int | None = None
                 ) -> tuple[list[Flow], int]:
    """Totals per (kind, payer, payee, currency) in one GROUP BY over the facts alone (their
    index covers it), the largest first, with the number of all groups; names are read after
    for the groups kept."""
    group = (Fact.kind, Fact.subject_id, Fact.object_id, Fact.currency)
    exact, low = func.sum(Fact.amount), func.sum(Fact.amount_min)
    stmt = select(
        *group, func.count(), exact, low, func.sum(Fact.amount_max),
        func.min(func.nullif(Fact.date_start, "")), func.max(func.nullif(Fact.date_end, "")),
        func.count().over(),
    ).group_by(*group)
    stmt = _filtered(session, flt, stmt).order_by(
        func.coalesce(exact, low, 0).desc(), *group)
    if limit:
        stmt = stmt.limit(limit)
    flows: dict[tuple[str, str, str, str], Flow] = {}
    total = 0
    for kind, sid, oid, cur, n, exact_sum, lo, hi, start, end, count in session.execute(stmt):
        total = count
        flows[(kind, sid, oid, cur)] = Flow(kind, sid, "", oid, "", cur, n, exact_sum, lo, hi,
                                            date_start=start or "", date_end=end or "")
    if not flows:
        return [], 0
    ids = sorted({f.subject_id for f in flows.values()} | {f.object_id for f in flows.values()})
    names: dict[str, str] = {}
    for i in range(0, len(ids), 500):
        rows = session.execute(select(Entity.id, Entity.name)
                               .where(Entity.id.in_(ids[i:i + 500])))
        names.update({eid: name for eid, name in rows})
    for flow in flows.values():
        flow.subject, flow.object = names.get(flow.subject_id, ""), names.get(flow.object_id, "")
    _add_evidence(session, flt, flows)
    ordered = sorted(flows.values(), key=lambda f: (-f.size, f.kind, f.subject, f.object,
                                                     f.currency))
    return ordered, int(total)


def _add_evidence(session: Session, flt: FlowFilter,
                  flows: dict[tuple[str, str, str, str], Flow]) -> None:
    subjects = sorted({f.subject_id for f in flows.values()})
    passages: dict[tuple[str, str, str, str], set[str]] = {}
    docs: dict[tuple[str, str, str, str], set[str]] = {}
    seen: set[str] = set()
    rows: list[Any] = []
    for i in range(0, len(subjects), 500):
        stmt = select(Fact.kind, Fact.subject_id, Fact.object_id, Fact.currency, Fact.id,
                      Fact.amount, Fact.amount_text, FactSource.annotation_id,
                      FactSource.document_id).outerjoin(
            FactSource, FactSource.fact_id == Fact.id).where(
            Fact.subject_id.in_(subjects[i:i + 500])).order_by(Fact.created, Fact.id)
        rows.extend(session.execute(_filtered(session, flt, stmt)))
    for kind, sid, oid, cur, fid, amount, text, ann, doc in rows:
        key = (kind, sid, oid, cur)
        flow = flows.get(key)
        if flow is None:
            continue
        if fid not in seen:
            seen.add(fid)
            flow.fact_ids.append(fid)
            if amount is None and text:
                flow.stated.append(text)
        if ann:
            passages.setdefault(key, set()).add(ann)
            docs.setdefault(key, set()).add(doc)
    groups = source_groups(session, set().union(*docs.values()) if docs else set())
    for key, flow in flows.items():
        flow.passages = len(passages.get(key, ()))
        flow.sources = count_sources(groups, docs.get(key, ()))


def count_flows(dossier: Dossier, flt: FlowFilter | None = None) -> int:
    """How many flows pass the filter (the view draws only the largest)."""
    flt = flt or FlowFilter()
    group = (Fact.kind, Fact.subject_id, Fact.object_id, Fact.currency)
    with dossier.read() as session:
        inner = _filtered(session, flt, select(*group).group_by(*group)).subquery()
        return int(session.scalar(select(func.count()).select_from(inner)) or 0)


def flow_facts(dossier: Dossier, flow: Flow) -> list[FactView]:
    """The facts behind a flow, with their passages."""
    with dossier.read() as session:
        rows = session.scalars(select(Fact).where(Fact.id.in_(flow.fact_ids))
                               .order_by(Fact.date_start, Fact.created)).all()
        return _views(session, rows)


def facts_for(dossier: Dossier, flt: FlowFilter | None = None) -> list[FactView]:
    """Every fact passing the filter, by date then creation (the timeline's rows)."""
    flt = flt or FlowFilter()
    with dossier.read() as session:
        stmt = _filtered(session, flt, select(Fact)).order_by(
            func.coalesce(func.nullif(Fact.date_start, ""), "9999"), Fact.created)
        return _views(session, session.scalars(stmt).all())
