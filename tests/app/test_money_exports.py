"""GraphML and flows CSV: what Gephi and a spreadsheet receive."""

from __future__ import annotations

import csv
from pathlib import Path

import networkx as nx

from app.dossier import Dossier
from app.exchange import export
from tests.helpers.corpus import requires_corpus
from tests.helpers.money import BILLIONS, record_seed_claims


@requires_corpus
def test_graphml_and_flows_csv(dossier: Dossier, tmp_path: Path) -> None:
    seed = record_seed_claims(dossier)
    export(dossier, "graphml", tmp_path / "flows.graphml")
    g = nx.read_graphml(tmp_path / "flows.graphml", force_multigraph=True)
    labels = {n: d["label"] for n, d in g.nodes(data=True)}
    assert "Government of North Korea" in labels.values()
    edges = {(labels[u], labels[v], d["kind"], d["currency"]): d
             for u, v, d in g.edges(data=True)}
    usd = edges[("North Korean overseas workers", "Government of North Korea", "payment",
                 "USD")]
    assert usd["total_min"] == 1e9 and usd["passages"] == 1 and usd["independent_sources"] == 1
    assert ("Overseas worksite managers", "North Korean overseas workers", "contract", "") \
        in edges

    export(dossier, "flows-csv", tmp_path / "flows.csv")
    with (tmp_path / "flows.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 2  # payments only
    row = next(r for r in rows if r["claim_id"] == seed.facts["billions"].id)
    assert row["amount_as_stated"] == "billions of dollars a year" and row["amount"] == ""
    assert (row["amount_min"], row["amount_max"], row["currency"]) == ("1000000000",
                                                                       "1000000000000", "USD")
    assert row["quotes"] == BILLIONS and row["annotation_ids"] == seed.annotations["billions"]
    assert len(row["document_sha256"]) == 64
