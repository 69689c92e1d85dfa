"""Everything the money-flow view, the timeline and the report show, read in one go."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select

from app.money.facts import FactView
from app.money.flows import Flow, FlowFilter, aggregate_counted, facts_for
from app.money.graph import Layout, build_graph, layout
from app.money.screening import confirmed_for
from db.money_models import Entity

if TYPE_CHECKING:
    from app.dossier import Dossier

#: The view draws at most this many flows, the largest.
VIEW_LIMIT = 500


@dataclass(frozen=True)
class FlowPicture:
    """Flows (largest first), their layout, entity schemata and confirmed listings, timeline."""

    flows: list[Flow]
    layout: Layout
    schemata: dict[str, str]
    listed: dict[str, str]
    timeline: list[FactView]
    total_flows: int


def flow_picture(dossier: Dossier, flt: FlowFilter | None = None, *,
                 limit: int = VIEW_LIMIT, timeline: bool = True) -> FlowPicture:
    """Read and lay out the largest ``limit`` flows passing ``flt``."""
    flt = flt or FlowFilter()
    flows, total = aggregate_counted(dossier, flt, limit=limit)
    graph = build_graph(flows)
    listed = {eid: "; ".join(f"{m.listed_name} ({m.listing_summary()})" for m in matches)
              for eid, matches in confirmed_for(dossier).items()}
    return FlowPicture(flows, layout(graph), entity_schemata(dossier, list(graph.nodes)),
                       listed, facts_for(dossier, flt) if timeline else [], total)


def entity_schemata(dossier: Dossier, ids: list[str]) -> dict[str, str]:
    """The FtM schema of each of these entities."""
    out: dict[str, str] = {}
    with dossier.read() as session:
        for i in range(0, len(ids), 500):
            rows = session.execute(select(Entity.id, Entity.schema)
                                   .where(Entity.id.in_(ids[i:i + 500])))
            out.update({eid: schema for eid, schema in rows})
    return out
