"""The money-flow graph and its layout, for the view, the report and GraphML.

Flows run left to right: each entity sits as many columns before the rightmost as its longest
chain of payees after it (cycles collapsed by networkx's condensation), and each column is
ordered by the average position of its neighbours in a few sweeps, which keeps arrows from
crossing where it can. This is linear
in the graph's size, so the view lays out its 500 largest flows at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import networkx as nx

from app.money.flows import Flow

COLUMN_GAP = 540.0
ROW_GAP = 90.0


@dataclass(frozen=True)
class Layout:
    """Node positions (top-left origin, in scene units) and the graph they belong to."""

    graph: nx.MultiDiGraph
    positions: dict[str, tuple[float, float]]


def build_graph(flows: Sequence[Flow]) -> nx.MultiDiGraph:
    """Entities as nodes, one edge per flow keyed by (kind, currency)."""
    g = nx.MultiDiGraph()
    for f in flows:
        g.add_node(f.subject_id, name=f.subject)
        g.add_node(f.object_id, name=f.object)
        g.add_edge(f.subject_id, f.object_id, key=f"{f.kind}:{f.currency}", flow=f)
    return g


def _heights(g: nx.MultiDiGraph) -> dict[str, int]:
    """Each entity's longest chain of payees after it (cycles collapsed by condensation)."""
    dag = nx.condensation(nx.DiGraph(g))
    height: dict[int, int] = {}
    for comp in reversed(list(nx.topological_sort(dag))):
        succs = list(dag.successors(comp))
        height[comp] = 1 + max(height[s] for s in succs) if succs else 0
    mapping = dag.graph["mapping"]
    return {node: height[mapping[node]] for node in g.nodes}


def _barycentre(g: nx.Graph, cols: dict[str, int], order: dict[str, int], node: str) -> float:
    near = [order[m] for m in g.neighbors(node) if cols[m] != cols[node]]
    return sum(near) / len(near) if near else float(order[node])


def layout(g: nx.MultiDiGraph, sweeps: int = 4) -> Layout:
    """Left-to-right columns, ordered to reduce crossings; components stacked vertically."""
    positions: dict[str, tuple[float, float]] = {}
    top = 0.0
    heights = _heights(g)
    undirected = nx.Graph(g)
    names = {n: g.nodes[n].get("name", "") for n in g.nodes}
    components = sorted(nx.weakly_connected_components(g), key=lambda c: (-len(c), min(c)))
    for comp in components:
        # Columns counted back from where the money ends up in this component.
        right = max(heights[n] for n in comp)
        cols = {n: right - heights[n] for n in comp}
        layers: dict[int, list[str]] = {}
        for node in sorted(comp, key=lambda n: (names[n], n)):
            layers.setdefault(cols[node], []).append(node)
        order = {n: i for layer in layers.values() for i, n in enumerate(layer)}
        for sweep in range(sweeps if len(layers) > 1 else 0):
            for c in sorted(layers, reverse=bool(sweep % 2)):
                keys = {n: (_barycentre(undirected, cols, order, n), order[n]) for n in layers[c]}
                layers[c].sort(key=keys.__getitem__)
                for i, n in enumerate(layers[c]):
                    order[n] = i
        height = max(len(layer) for layer in layers.values())
        for c, layer in layers.items():
            offset = (height - len(layer)) * ROW_GAP / 2
            for i, n in enumerate(layer):
                positions[n] = (c * COLUMN_GAP, top + offset + i * ROW_GAP)
        top += height * ROW_GAP + ROW_GAP
    return Layout(g, positions)
