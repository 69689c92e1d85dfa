"""Reading a Dossier FtM file back (see :mod:`app.exchange.ftm.layout`).

Entities and claims keep their ids; an entity already present (same id) is left as it is. Lines
of other FtM schemata (source documents, anything else) are checked and skipped. The whole file is
checked before anything is written, and everything is written in one transaction.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from followthemoney import model
from sqlalchemy import insert, select

from app import audit
from app.errors import BadInput
from app.exchange.ftm.layout import FORMAT
from app.money.entities import ENTITY_SCHEMATA
from app.money.facts import KINDS
from app.money.names import name_key
from db.models import User
from db.money_models import Entity, EntityAlias, Fact, FactSource, Mention

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from app.dossier import Dossier


@dataclass(frozen=True)
class FtmImport:
    """What an FtM import added."""

    entities: int
    claims: int
    skipped: int

    def to_json(self) -> dict[str, int]:
        """JSON shape of ``dossier import-ftm --json``."""
        return {"entities": self.entities, "claims": self.claims, "skipped": self.skipped}


def _lines(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        raise BadInput(f"no file {path}")
    out = []
    with path.open(encoding="utf-8") as fh:
        for number, raw in enumerate(fh, 1):
            if not raw.strip():
                continue
            try:
                obj = json.loads(raw)
                schema = model.get(obj["schema"])
                if not isinstance(obj["id"], str) or schema is None:
                    raise ValueError
                model.get_proxy(obj)
            except (ValueError, KeyError, TypeError):
                raise BadInput(f"{path.name}, line {number}: not an FtM entity this version "
                               "understands (JSON object with id, known schema, properties)"
                               ) from None
            out.append(obj)
    return out


def import_ftm(dossier: Dossier, path: Path) -> FtmImport:
    """Add the file's entities and claims to the dossier; audited, all or nothing."""
    lines = _lines(path)
    added_e = added_f = skipped = 0
    with dossier.write() as session:
        uid = dossier.user_id(session)
        for obj in lines:
            if obj["schema"] in ENTITY_SCHEMATA and session.get(Entity, obj["id"]) is None:
                _add_entity(session, dossier.user_name, uid, obj)
                added_e += 1
            elif obj["schema"] in ENTITY_SCHEMATA:
                skipped += 1
        for obj in lines:
            ext = obj.get("dossier") or {}
            if ext.get("format") == FORMAT and ext.get("kind") in KINDS:
                if session.get(Fact, obj["id"]) is None:
                    _add_fact(session, dossier.user_name, uid, obj, ext)
                    added_f += 1
                else:
                    skipped += 1
            elif obj["schema"] not in ENTITY_SCHEMATA:
                skipped += 1
    dossier.notify_change("entity", "created")
    return FtmImport(added_e, added_f, skipped)


def _add_entity(session: Session, actor: str, uid: int, obj: dict[str, Any]) -> None:
    props = obj.get("properties") or {}
    names = props.get("name") or []
    if not names:
        raise BadInput(f"entity {obj['id']} has no name")
    ext = obj.get("dossier") or {}
    extra = ext.get("properties")
    if extra is None:
        extra = {k: v for k, v in props.items() if k not in ("name", "alias", "country")}
    from app.clock import utcnow

    session.add(Entity(id=obj["id"], schema=obj["schema"], name=names[0],
                       name_key=name_key(names[0]), country=",".join(props.get("country") or []),
                       properties_json=json.dumps(extra, sort_keys=True, ensure_ascii=False),
                       created=utcnow(), created_by=uid))
    session.flush()
    for alias in dict.fromkeys(props.get("alias") or []):
        session.execute(insert(EntityAlias).values(entity_id=obj["id"], alias=alias,
                                                   alias_key=name_key(alias)))
    for ann in dict.fromkeys(ext.get("mentions") or []):
        session.execute(insert(Mention).values(entity_id=obj["id"], annotation_id=ann))
    audit.record(session, actor, "entity.import", "entity", obj["id"],
                 {"id": obj["id"], "schema": obj["schema"], "name": names[0]})


def _add_fact(session: Session, actor: str, uid: int, obj: dict[str, Any],
              ext: dict[str, Any]) -> None:
    for role in ("subject", "object"):
        if session.get(Entity, ext[role]["id"]) is None:
            raise BadInput(f"claim {obj['id']} names entity {ext[role]['id']}, which the file "
                           "does not contain")
    author = session.scalar(select(User.id).where(User.name == ext.get("author")))
    amount, date = ext.get("amount") or {}, ext.get("date") or {}
    session.add(Fact(
        id=obj["id"], kind=ext["kind"], schema=obj["schema"], subject_id=ext["subject"]["id"],
        object_id=ext["object"]["id"], amount_text=amount.get("text") or "",
        amount=amount.get("value"), amount_min=amount.get("min"), amount_max=amount.get("max"),
        currency=amount.get("currency") or "", date_text=date.get("text") or "",
        date_start=date.get("start") or "", date_end=date.get("end") or "",
        fields_json=json.dumps(ext.get("fields") or {}, sort_keys=True, ensure_ascii=False),
        created=ext.get("created") or "", author_id=author or uid))
    session.flush()
    for s in ext.get("sources") or []:
        session.execute(insert(FactSource).values(
            fact_id=obj["id"], annotation_id=s["annotation"], document_id=s.get("document", ""),
            document_sha256=s.get("sha256", ""), document_title=s.get("title", ""),
            quote=s.get("quote", "")))
    audit.record(session, actor, "fact.import", "fact", obj["id"],
                 {"id": obj["id"], "kind": ext["kind"], "schema": obj["schema"]})
