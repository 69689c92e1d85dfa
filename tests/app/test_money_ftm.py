"""FollowTheMoney export: every line loads as a proxy of its schema; re-imports unchanged."""

from __future__ import annotations

import json
from pathlib import Path

from followthemoney import Dataset, StatementEntity, model

from app.dossier import Dossier
from app.exchange import export
from app.exchange.ftm.read import import_ftm
from tests.helpers.corpus import requires_corpus
from tests.helpers.money import BILLIONS, record_seed_claims


def _check_loads_as_ftm(line: dict) -> None:
    proxy = model.get_proxy(line)  # cleans every value against its property's type
    assert proxy.schema.name == line["schema"]
    for prop, values in line["properties"].items():
        assert proxy.schema.get(prop) is not None, (line["schema"], prop)
        assert sorted(proxy.get(prop)) == sorted(values), (line["schema"], prop, values)
    statements = list(StatementEntity(Dataset.make({"name": "dossier", "title": "Dossier"}),
                                      line).statements)
    assert {s.prop for s in statements} >= set(line["properties"])


@requires_corpus
def test_ftm_export_validates_and_reimports_unchanged(dossier: Dossier, tmp_path: Path) -> None:
    seed = record_seed_claims(dossier)
    out = tmp_path / "seed.ftm.json"
    result = export(dossier, "ftm", out)
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert result.notes == [f"{len(lines)} FollowTheMoney entities (entities, source documents, "
                            "claims)"]
    for line in lines:
        _check_loads_as_ftm(line)
    schemata = [x["schema"] for x in lines]
    assert schemata.count("Payment") == 2 and schemata.count("Document") == 1
    assert {"PublicBody", "Organization", "UnknownLink"} <= set(schemata)

    billions = next(x for x in lines if x["id"] == seed.facts["billions"].id)
    gov = next(x for x in lines if x["properties"]["name"] == ["Government of North Korea"])
    assert billions["properties"]["beneficiary"] == [gov["id"]]
    assert billions["properties"]["currency"] == ["usd"] and "amount" not in billions["properties"]
    assert billions["properties"]["recordId"] == [seed.annotations["billions"]]
    assert billions["properties"]["summary"] == [BILLIONS]
    doc = next(x for x in lines if x["schema"] == "Document")
    assert billions["properties"]["proof"] == [doc["id"]]
    source = billions["dossier"]["sources"][0]
    assert (source["annotation"], source["quote"]) == (seed.annotations["billions"], BILLIONS)
    assert source["sha256"] == doc["properties"]["contentHash"][0]
    assert billions["dossier"]["amount"] == {"text": "billions of dollars a year", "value": None,
                                             "min": 1e9, "max": 1e12, "currency": "USD"}

    empty = Dossier.open(tmp_path / "empty", user="alice")
    added = import_ftm(empty, out)
    assert (added.entities, added.claims) == (5, 4)
    again = tmp_path / "again.ftm.json"
    export(empty, "ftm", again)
    assert again.read_text(encoding="utf-8") == out.read_text(encoding="utf-8")
    # Importing the same file twice adds nothing.
    assert import_ftm(empty, out).claims == 0
    empty.close()
