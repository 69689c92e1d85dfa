"""Versions a push kept aside: the clone's values of a tag or document changed on both sides.

When ``dossier push`` finds a row other than an annotation changed in the clone and in the team
dossier since the clone was made, the team's version stays (a colleague's change is never
overwritten) and the clone's values of the fields that differ are written into the team
dossier's audit chain, in the re-signed event that last touched the row (its ``kept_local``
entry). So nothing of the local side is lost, and the record says who kept what, when.

:func:`list_kept` lists those versions (and whether each was applied since); :func:`apply_kept`
puts one into effect, as an audited change by the person applying it (``sync.apply_kept``,
with the values before and after), provided the team's row still holds the values it had at
the push (otherwise it names the fields that moved on, and nothing is written).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from app import audit
from app.errors import BadInput, NotFound
from db.models import AuditEvent, Document, Tag

if TYPE_CHECKING:
    from app.dossier import Dossier

#: The key of a re-signed event's payload holding the clone's kept versions.
KEPT_LOCAL = "kept_local"
APPLY_ACTION = "sync.apply_kept"
#: Rows whose kept version can be applied, and the fields that may be set on each (identity,
#: place in the record and times are not a version's to change).
_APPLICABLE: dict[str, tuple[type, frozenset[str]]] = {
    "tag": (Tag, frozenset({"name", "colour", "description", "shortcut", "is_codable"})),
    "document": (Document, frozenset({"title", "author", "published", "site_name", "url",
                                      "source", "metadata_json", "custody_json", "is_current"})),
}


def kept_value(value: Any) -> Any:
    """A compared value as JSON can hold it (times as ISO 8601, bytes as base64, rows as lists)."""
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, bytes | memoryview):
        return {"base64": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, list | tuple):
        return [kept_value(v) for v in value]
    return value


@dataclass(frozen=True)
class KeptVersion:
    """The clone's version of one row, kept by the push recorded in event ``seq``."""

    seq: int
    at: str
    pushed_by: str
    pushed_from: str
    object: str
    fields: list[str]
    local: dict[str, Any] | None
    team: dict[str, Any] | None
    applied_in: int | None = None

    def to_json(self) -> dict[str, Any]:
        """The JSON shape of ``dossier kept list --json``."""
        return {"event": self.seq, "at": self.at, "pushed_by": self.pushed_by,
                "from": self.pushed_from, "object": self.object, "fields": self.fields,
                "local": self.local, "team": self.team, "applied_in": self.applied_in}


def list_kept(dossier: Dossier) -> list[KeptVersion]:
    """Every version a push kept aside in this dossier, oldest first."""
    applied: dict[tuple[int, str], int] = {}
    out: list[KeptVersion] = []
    with dossier.read() as session:
        for seq, payload in session.execute(
                select(AuditEvent.seq, AuditEvent.payload)
                .where(AuditEvent.action == APPLY_ACTION).order_by(AuditEvent.seq)):
            body = json.loads(payload)
            applied[(int(body["event"]), str(body["object"]))] = seq
        for seq, at, actor, payload in session.execute(
                select(AuditEvent.seq, AuditEvent.at, AuditEvent.actor, AuditEvent.payload)
                .where(AuditEvent.payload.like(f'%"{KEPT_LOCAL}"%'))
                .order_by(AuditEvent.seq)):
            body = json.loads(payload)
            pushed = body.get("pushed")
            if not isinstance(pushed, dict):  # not a re-signed event, only text that says so
                continue
            for obj, kept in sorted(body.get(KEPT_LOCAL, {}).items()):
                out.append(KeptVersion(seq, str(at), actor, str(pushed.get("from", "")), obj,
                                       list(kept["fields"]), kept["local"], kept["team"],
                                       applied.get((seq, obj))))
    return out


def apply_kept(dossier: Dossier, seq: int, obj: str) -> KeptVersion:
    """Put the kept version ``obj`` (``tag:ID``) of push event ``seq`` into effect (audited).

    Refused, with nothing written, when it was applied already, when the row was deleted, or
    when the team's row no longer holds the values it had at the push (which fields moved on).
    """
    found = [k for k in list_kept(dossier) if k.seq == seq and k.object == obj]
    if not found:
        raise NotFound(f"event {seq} kept no version of {obj}; `dossier kept list` shows them")
    kept = found[0]
    if kept.applied_in is not None:
        raise BadInput(f"the kept version of {obj} from event {seq} was applied already "
                       f"(event {kept.applied_in})")
    otype, _, oid = obj.partition(":")
    if otype not in _APPLICABLE or kept.local is None or kept.team is None:
        raise BadInput(f"the kept version of {obj} cannot be applied here (it was deleted on one "
                       "side); its values are listed by `dossier kept list`")
    model, allowed = _APPLICABLE[otype]
    fields = [f for f in kept.fields if f in allowed]
    if not fields:
        raise BadInput(f"the kept version of {obj} differs only in fields a push does not set "
                       f"({', '.join(kept.fields)}); nothing to apply")
    with dossier.write() as session:
        row = session.get(model, oid)
        if row is None:
            raise NotFound(f"no {otype} {oid} in this dossier any more")
        now = {f: kept_value(_stored(getattr(row, f))) for f in fields}
        moved = [f for f in fields if now[f] != kept.team.get(f)]
        if moved:
            raise BadInput(f"{obj} changed again since the push ({', '.join(moved)}); nothing "
                           "was applied: compare with `dossier kept list` and edit it by hand")
        after = {f: kept.local.get(f) for f in fields}
        _check(session, otype, row, after)
        for f in fields:
            setattr(row, f, bool(after[f]) if f in ("is_current", "is_codable") else after[f])
        audit.record(session, dossier.user_name, APPLY_ACTION, otype, oid, {
            "event": seq, "object": obj, "before": now, "after": after})
    dossier.notify_change(otype, "updated", oid)
    return next(k for k in list_kept(dossier) if k.seq == seq and k.object == obj)


def _stored(value: Any) -> Any:
    return int(value) if isinstance(value, bool) else value


def _check(session: Any, otype: str, row: Any, after: dict[str, Any]) -> None:
    """The rules the ordinary edits keep: sibling tags' names differ; one current version."""
    if otype == "tag" and "name" in after:
        cond = Tag.parent_id.is_(None) if row.parent_id is None else Tag.parent_id == row.parent_id
        names = session.scalars(select(Tag.name).where(cond, Tag.id != row.id))
        if any(str(n).casefold() == str(after["name"]).casefold() for n in names):
            raise BadInput(f"a tag named {after['name']!r} already exists beside it; rename one "
                           "of them first")
    if otype == "document" and after.get("is_current"):
        newer = session.scalar(select(Document.id).where(Document.previous_id == row.id))
        if newer is not None:
            raise BadInput(f"{row.title or row.filename} has a newer version; it cannot come "
                           "back as the current one")
