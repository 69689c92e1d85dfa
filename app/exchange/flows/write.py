"""GraphML (entities as nodes, one edge per flow and currency) and the flows CSV."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import TYPE_CHECKING

import networkx as nx

from app.exchange.filters import Selection
from app.exchange.ftm.write import selected_facts
from app.money.entities import list_entities
from app.money.flows import FlowFilter, aggregate_flows
from app.money.screening import confirmed_for

if TYPE_CHECKING:
    from app.dossier import Dossier

FLOW_COLUMNS = (
    "claim_id", "kind", "payer", "payer_id", "payee", "payee_id", "amount_as_stated", "amount",
    "amount_min", "amount_max", "currency", "date_as_stated", "date_start", "date_end",
    "purpose", "channel", "annotation_ids", "quotes", "document_sha256", "document_titles",
    "author", "created",
)


def write_graphml(dossier: Dossier, selection: Selection, out: Path) -> list[str]:
    """``--format graphml``: one node per entity, one edge per flow (pair, kind, currency)."""
    fact_ids = {f.id for f in selected_facts(dossier, selection)}
    flows = [f for f in aggregate_flows(dossier, FlowFilter())
             if fact_ids.issuperset(f.fact_ids)]
    listed = confirmed_for(dossier)
    g = nx.MultiDiGraph()
    for e in list_entities(dossier):
        g.add_node(e.id, label=e.name, schema=e.schema, countries=",".join(e.countries),
                   aliases="; ".join(e.aliases),
                   sanctions="; ".join(f"{m.listed_name} ({m.listing_summary()})"
                                       for m in listed.get(e.id, [])))
    for f in flows:
        g.add_edge(f.subject_id, f.object_id, key=f"{f.kind}:{f.currency}", kind=f.kind,
                   currency=f.currency, label=f.label(), total=f.total or 0.0,
                   total_min=f.total_min or 0.0, total_max=f.total_max or 0.0,
                   weight=f.size, claims=f.claims, passages=f.passages,
                   independent_sources=f.sources, date_start=f.date_start,
                   date_end=f.date_end)
    nx.write_graphml(g, str(out), encoding="utf-8")
    return [f"{g.number_of_nodes()} entities and {g.number_of_edges()} flows"]


def write_flows_csv(dossier: Dossier, selection: Selection, out: Path) -> list[str]:
    """``--format flows-csv``: one row per payment claim with its evidence."""
    facts = [f for f in selected_facts(dossier, selection) if f.kind == "payment"]
    with out.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(FLOW_COLUMNS)
        for f in facts:
            writer.writerow([
                f.id, f.kind, f.subject, f.subject_id, f.object, f.object_id, f.amount_text,
                _num(f.amount), _num(f.amount_min), _num(f.amount_max), f.currency, f.date_text,
                f.date_start, f.date_end, f.fields.get("purpose", ""),
                f.fields.get("channel", ""), ";".join(s.annotation_id for s in f.sources),
                " | ".join(s.quote for s in f.sources),
                ";".join(s.document_sha256 for s in f.sources),
                " | ".join(s.document_title for s in f.sources), f.author, f.created,
            ])
    return [f"{len(facts)} payment claim(s)"]


def _num(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if value.is_integer() else repr(value)
