"""Everything the money-flow view, the timeline and the report show, read in one go."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from app.money.entities import list_entities
from app.money.facts import FactView
from app.money.flows import Flow, FlowFilter, aggregate_flows, facts_for
from app.money.graph import Layout, build_graph, layout
from app.money.screening import confirmed_for

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
    every = aggregate_flows(dossier, flt)
    flows = every[:limit]
    entities = {e.id: e for e in list_entities(dossier)}
    listed = {eid: "; ".join(f"{m.listed_name} ({m.listing_summary()})" for m in matches)
              for eid, matches in confirmed_for(dossier).items()}
    return FlowPicture(flows, layout(build_graph(flows)),
                       {eid: e.schema for eid, e in entities.items()}, listed,
                       facts_for(dossier, flt) if timeline else [], len(every))
