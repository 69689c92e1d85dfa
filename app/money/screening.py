"""Screening entities against a local sanctions or PEP list in FollowTheMoney format.

The list is a file the user downloaded (OpenSanctions-style FtM JSON lines: entities, with
``Sanction`` entities pointing at them, or sanctions nested in the entity's properties); Dossier
never fetches it. Screening only *proposes*: candidates are stored as ``pending`` and a person
confirms or dismisses each; every run and decision is audited.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
from followthemoney import model
from sqlalchemy import insert, select

from app import audit
from app.clock import utcnow
from app.errors import BadInput, NotFound
from app.money.screen_index import Listed, ListIndex, Query, match_all
from app.services.lookup import resolve_prefix
from db.money_models import Entity, EntityAlias, ScreeningMatch

if TYPE_CHECKING:
    from app.dossier import Dossier

DECISIONS = ("confirmed", "dismissed")
_MATCHABLE = {"Person", "Company", "Organization", "PublicBody", "LegalEntity"}


@dataclass(frozen=True)
class MatchView:
    """A screening candidate and its decision."""

    id: str
    entity_id: str
    entity_name: str
    list_name: str
    listed_id: str
    listed_name: str
    score: float
    listing: dict[str, Any]
    status: str
    reason: str
    decided_by: str
    decided_at: str

    def listing_summary(self) -> str:
        """Programme, authority and date as one line."""
        parts = []
        for key in ("program", "authority", "listingDate"):
            values = self.listing.get(key) or []
            if values:
                parts.append(", ".join(values))
        return " · ".join(parts) or "no listing details"

    def to_json(self) -> dict[str, Any]:
        """JSON shape of ``dossier screening --json``."""
        return {"id": self.id, "entity": {"id": self.entity_id, "name": self.entity_name},
                "list": self.list_name, "listed_id": self.listed_id,
                "listed_name": self.listed_name, "score": self.score, "listing": self.listing,
                "status": self.status, "reason": self.reason, "decided_by": self.decided_by,
                "decided_at": self.decided_at}


@dataclass(frozen=True)
class ScreeningResult:
    """What one screening run found."""

    list_name: str
    sha256: str
    entities: int
    listed: int
    candidates: tuple[MatchView, ...]

    def to_json(self) -> dict[str, Any]:
        """JSON shape of ``dossier screen --json``."""
        return {"list": self.list_name, "sha256": self.sha256, "entities": self.entities,
                "listed": self.listed, "candidates": [c.to_json() for c in self.candidates]}


def _values(props: dict[str, Any], key: str) -> list[str]:
    raw = props.get(key) or []
    return [v for v in raw if isinstance(v, str) and v.strip()]


def _sanction_details(props: dict[str, Any]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for key in ("program", "authority", "listingDate", "startDate", "reason", "country"):
        vals = _values(props, key)
        if vals:
            out[key] = vals
    return out


def _strings(props: dict[str, Any], *keys: str) -> list[str]:
    return [v for key in keys for v in (props.get(key) or ()) if isinstance(v, str) and v.strip()]


def read_list(path: Path) -> tuple[list[Listed], str]:
    """Entries of an FtM JSON-lines list and the file's SHA-256; bad lines are refused."""
    if not path.is_file():
        raise BadInput(f"no list file {path}; download the list (FtM JSON lines) first")
    data = path.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    raw: dict[str, tuple[str, dict[str, Any]]] = {}
    sanctions: dict[str, list[dict[str, list[str]]]] = {}
    known: dict[str, bool] = {}
    for number, line in enumerate(data.splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = orjson.loads(line)
            eid, schema, props = obj["id"], obj["schema"], obj.get("properties") or {}
        except (orjson.JSONDecodeError, KeyError, TypeError):
            raise BadInput(f"{path.name}, line {number}: not an FtM entity (a JSON object with "
                           "id, schema and properties); is this an FtM JSON-lines file?") from None
        ok = known.get(schema)
        if ok is None:
            ok = known[schema] = isinstance(schema, str) and model.get(schema) is not None
        if not ok:
            raise BadInput(f"{path.name}, line {number}: unknown FtM schema {schema!r}")
        if schema == "Sanction":
            for target in _values(props, "entity"):
                sanctions.setdefault(target, []).append(_sanction_details(props))
            continue
        nested_list = props.get("sanctions")
        if nested_list:
            for nested in nested_list:
                if isinstance(nested, dict):
                    sanctions.setdefault(eid, []).append(
                        _sanction_details(nested.get("properties") or {}))
        if schema in _MATCHABLE:
            raw[eid] = (schema, props)
    entries = []
    for eid, (schema, props) in raw.items():
        names = tuple(dict.fromkeys(_strings(props, "name", "alias", "previousName")))
        if not names:
            continue
        listing: dict[str, list[str]] = {}
        for details in sanctions.get(eid, ()):
            for key, vals in details.items():
                listing.setdefault(key, []).extend(v for v in vals if v not in listing.get(key, []))
        topics = _strings(props, "topics")
        if topics:
            listing["topics"] = topics
        countries = tuple(c.lower() for c in _strings(props, "country", "nationality"))
        entries.append(Listed(eid, schema, names, countries, tuple(_strings(props, "birthDate")),
                              listing))
    return entries, sha


def _queries(dossier: Dossier) -> list[Query]:
    """Every live entity of a screened schema, with its aliases, countries and birth dates."""
    with dossier.read() as session:
        aliases: dict[str, list[str]] = {}
        for eid, alias in session.execute(
                select(EntityAlias.entity_id, EntityAlias.alias).order_by(EntityAlias.alias)):
            aliases.setdefault(eid, []).append(alias)
        rows = session.execute(
            select(Entity.id, Entity.schema, Entity.name, Entity.country, Entity.properties_json)
            .where(Entity.merged_into.is_(None), Entity.schema.in_(_MATCHABLE))
            .order_by(Entity.name_key, Entity.id))
        return [Query(eid, schema, (name, *aliases.get(eid, ())),
                      tuple(c for c in country.split(",") if c),
                      tuple(json.loads(props).get("birthDate", [])))
                for eid, schema, name, country, props in rows]


def screen_dossier(dossier: Dossier, path: Path, *, threshold: float = 0.7,
                   workers: int = 1) -> ScreeningResult:
    """Match every live entity against the list; store new candidates as pending; audited.

    ``workers`` > 1 matches on that many processes where it is safe (see ``match_all``).
    """
    if not 0 < threshold <= 1:
        raise BadInput("the threshold is a score between 0 and 1, e.g. 0.7")
    entries, sha = read_list(path)
    index = ListIndex(entries)
    queries = _queries(dossier)
    matched = match_all(index, queries, threshold, workers)
    found = [(q, score, index.entries[i]) for q, hits in zip(queries, matched, strict=True)
             for score, i in hits]
    created: list[dict[str, Any]] = []
    with dossier.write() as session:
        dossier.user_id(session)
        known = {(e, listed) for e, listed in session.execute(
            select(ScreeningMatch.entity_id, ScreeningMatch.listed_id)
            .where(ScreeningMatch.list_sha256 == sha))}
        now = utcnow()
        for q, score, entry in found:
            if (q.id, entry.id) in known:
                continue
            created.append(dict(
                id=str(uuid.uuid4()), entity_id=q.id, list_name=path.name, list_sha256=sha,
                listed_id=entry.id, listed_name=entry.names[0], score=score,
                listing_json=json.dumps({"schema": entry.schema, "names": list(entry.names),
                                         "countries": list(entry.countries),
                                         "birthDates": list(entry.birth_dates),
                                         **entry.listing}, ensure_ascii=False, sort_keys=True),
                status="pending", reason="", decided_by="", decided_at="", created=now))
        if created:
            session.execute(insert(ScreeningMatch), created)
        ids = [c["id"] for c in created]
        audit.record(session, dossier.user_name, "screening.run", "screening", sha[:16],
                     {"list": path.name, "sha256": sha, "entities": len(queries),
                      "listed": len(entries), "threshold": threshold, "candidates": ids},
                     touches=[("screening_match", c) for c in ids])
    dossier.notify_change("screening", "created", *ids)
    pairs = {(q.id, e.id) for q, _, e in found}
    cands = tuple(m for m in list_matches(dossier, list_sha256=sha)
                  if (m.entity_id, m.listed_id) in pairs)
    return ScreeningResult(path.name, sha, len(queries), len(entries), cands)


def _view(row: Any, entity_name: str) -> MatchView:
    return MatchView(row.id, row.entity_id, entity_name, row.list_name, row.listed_id,
                     row.listed_name, row.score, json.loads(row.listing_json), row.status,
                     row.reason, row.decided_by, row.decided_at)


def list_matches(dossier: Dossier, status: str | None = None,
                 list_sha256: str | None = None) -> list[MatchView]:
    """Candidates, best score first (then entity name)."""
    table = ScreeningMatch.__table__
    with dossier.read() as session:
        stmt = select(table, Entity.name.label("entity_name")).join(
            Entity, Entity.id == table.c.entity_id).order_by(
            table.c.score.desc(), Entity.name_key, table.c.listed_id)
        if status:
            stmt = stmt.where(table.c.status == status)
        if list_sha256:
            stmt = stmt.where(table.c.list_sha256 == list_sha256)
        return [_view(row, row.entity_name) for row in session.execute(stmt)]


def decide(dossier: Dossier, match_id: str, decision: str, reason: str = "") -> MatchView:
    """A person confirms or dismisses a candidate; audited with the state before."""
    if decision not in (*DECISIONS, "pending"):
        raise BadInput(f"a decision is one of {', '.join(DECISIONS)}")
    with dossier.write() as session:
        dossier.user_id(session)
        row = resolve_prefix(session, ScreeningMatch, match_id, "screening match")
        before = {"status": row.status, "reason": row.reason, "decided_by": row.decided_by,
                  "decided_at": row.decided_at}
        row.status = decision
        row.reason = reason
        row.decided_by = dossier.user_name if decision != "pending" else ""
        row.decided_at = utcnow() if decision != "pending" else ""
        audit.record(session, dossier.user_name, f"screening.{decision}", "screening_match",
                     row.id, {"before": before, "status": row.status, "reason": reason,
                              "entity_id": row.entity_id, "listed_id": row.listed_id,
                              "score": row.score})
        name = session.get(Entity, row.entity_id)
        if name is None:
            raise NotFound(f"no entity {row.entity_id}")
        view = _view(row, name.name)
    dossier.notify_change("screening", "updated", view.id)
    return view


def confirmed_for(dossier: Dossier) -> dict[str, list[MatchView]]:
    """Confirmed matches by entity id (for the graph and the report)."""
    out: dict[str, list[MatchView]] = {}
    for m in list_matches(dossier, "confirmed"):
        out.setdefault(m.entity_id, []).append(m)
    return out
