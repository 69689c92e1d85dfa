"""Writing entities and claims as FollowTheMoney JSON lines (see :mod:`app.exchange.ftm.layout`)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from followthemoney import model, registry

from app.exchange.filters import Selection
from app.exchange.ftm.layout import DATASET, FORMAT, VERSION, document_entity_id
from app.money.entities import EntityView, list_entities
from app.money.facts import KINDS, FactView, list_facts

if TYPE_CHECKING:
    from app.dossier import Dossier


def _number(value: float) -> str:
    return str(int(value)) if value.is_integer() else repr(value)


def entity_line(e: EntityView) -> dict[str, Any]:
    """One entity as an FtM entity dict with Dossier's extension."""
    props: dict[str, list[str]] = {"name": [e.name]}
    if e.aliases:
        props["alias"] = list(e.aliases)
    if e.countries:
        props["country" if e.schema != "Territory" else "country"] = list(e.countries)
    for key, values in sorted(e.properties.items()):
        props[key] = list(values)
    return {"id": e.id, "schema": e.schema, "properties": props, "datasets": [DATASET],
            "dossier": {"format": FORMAT, "version": VERSION, "mentions": list(e.mentions),
                        "properties": e.properties}}


def fact_line(f: FactView) -> dict[str, Any]:
    """One claim as an FtM interval entity with its sources."""
    schema = model.get(f.schema)
    assert schema is not None
    if f.schema == "UnknownLink":
        sprop, oprop = "subject", "object"
    else:
        _, sprop, oprop, _, _ = KINDS[f.kind]
    props: dict[str, list[str]] = {sprop: [f.subject_id], oprop: [f.object_id]}
    if f.schema == "UnknownLink":
        props["role"] = [f"{f.kind} (employment contract)" if f.kind == "contract" else f.kind]
    elif "role" in f.fields and schema.get("role") is not None:
        props["role"] = [f.fields["role"]]
    if f.amount is not None and schema.get("amount") is not None:
        props["amount"] = [_number(f.amount)]
    if f.currency and schema.get("currency") is not None:
        props["currency"] = [f.currency.lower()]
    if f.kind == "ownership" and f.fields.get("share"):
        props["percentage"] = [f.fields["share"]]
    if f.fields.get("purpose") and schema.get("purpose") is not None:
        props["purpose"] = [f.fields["purpose"]]
    stated_date = registry.date.clean(f.date_text) if f.date_text else None
    if stated_date:
        props["date"] = [stated_date]
    if f.date_start:
        props["startDate"] = [f.date_start]
    if f.date_end:
        props["endDate"] = [f.date_end]
    description = "; ".join(x for x in (
        f.amount_text and f"amount as stated: {f.amount_text}",
        f.date_text and f"date as stated: {f.date_text}",
        *(f"{k}: {v}" for k, v in sorted(f.fields.items()))) if x)
    if description:
        props["description"] = [description]
    if f.sources:
        props["proof"] = sorted({document_entity_id(s.document_sha256) for s in f.sources
                                 if s.document_sha256})
        props["recordId"] = [s.annotation_id for s in f.sources]
        props["summary"] = list(dict.fromkeys(s.quote for s in f.sources if s.quote))
    ext = f.to_json()
    ext.update({"format": FORMAT, "version": VERSION})
    return {"id": f.id, "schema": f.schema, "properties": props, "datasets": [DATASET],
            "dossier": ext}


def document_lines(facts: list[FactView]) -> Iterator[dict[str, Any]]:
    """The source documents of these claims as FtM Document entities."""
    seen: dict[str, str] = {}
    for f in facts:
        for s in f.sources:
            if s.document_sha256 and s.document_sha256 not in seen:
                seen[s.document_sha256] = s.document_title
    for sha in sorted(seen):
        title = seen[sha]
        props = {"contentHash": [sha], "title": [title] if title else []}
        yield {"id": document_entity_id(sha), "schema": "Document",
               "properties": {k: v for k, v in props.items() if v}, "datasets": [DATASET]}


def selected_facts(dossier: Dossier, selection: Selection | None) -> list[FactView]:
    """Every claim, or with a narrowing filter only those backed by a selected passage."""
    facts = list_facts(dossier)
    if selection is None or selection.filter.is_empty:
        return facts
    chosen = {a.id for a in selection.annotations}
    return [f for f in facts if any(s.annotation_id in chosen for s in f.sources)]


def ftm_lines(dossier: Dossier, selection: Selection | None = None) -> Iterator[dict[str, Any]]:
    """Every line of the export, in order."""
    facts = selected_facts(dossier, selection)
    entities = list_entities(dossier)
    if selection is not None and not selection.filter.is_empty:
        used = {f.subject_id for f in facts} | {f.object_id for f in facts}
        entities = [e for e in entities if e.id in used]
    for e in entities:
        yield entity_line(e)
    yield from document_lines(facts)
    for f in sorted(facts, key=lambda x: (x.created, x.id)):
        yield fact_line(f)


def write_ftm(dossier: Dossier, selection: Selection, out: Path) -> list[str]:
    """The export writer for ``--format ftm``."""
    count = 0
    with out.open("w", encoding="utf-8") as fh:
        for line in ftm_lines(dossier, selection):
            fh.write(json.dumps(line, ensure_ascii=False, sort_keys=True) + "\n")
            count += 1
    return [f"{count} FollowTheMoney entities (entities, source documents, claims)"]
