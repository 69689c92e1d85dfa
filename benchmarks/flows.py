"""Money flows at scale. Two targets, each printed with a same-run baseline.

1. Graph: a dossier with 20,000 entities and 100,000 payment claims (bulk-inserted, not timed).
   Timed: reading the 500 largest flows with their evidence counts and laying them out for the
   view (``app.money.picture.flow_picture``). Target: under 2 s. Baseline: the bare SQL GROUP BY
   that totals every pair and currency, as SQLite alone costs it.
2. Screening: the same 20,000 entities against a 250,000-entry FtM list file (written, not timed).
   Timed: ``screen_dossier`` end to end (reading the file, blocking index, scoring, storing
   candidates). Target: under 60 s. Baseline: plain rapidfuzz pairwise scoring of a sample of
   entities against the whole list (``process.extractOne``), extrapolated to 20,000, and the
   planted matches each finds.

Usage: python benchmarks/flows.py [N_ENTITIES] [N_CLAIMS] [N_LISTED]
"""

from __future__ import annotations

import json
import random
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rapidfuzz import fuzz, process  # noqa: E402
from sqlalchemy import func, insert, select  # noqa: E402

from app.dossier import Dossier  # noqa: E402
from app.money.names import name_key  # noqa: E402
from app.money.picture import flow_picture  # noqa: E402
from app.money.screening import screen_dossier  # noqa: E402
from db.money_models import Entity, Fact, FactSource  # noqa: E402

#: Names are made of syllables, so that (as in a real list) most are distinct and a few common.
SYLLABLES = ("ka", "ri", "mo", "na", "se", "to", "vi", "la", "do", "re", "pa", "ni", "so", "ko",
             "ma", "te", "lu", "ja", "ve", "go", "ba", "zi", "da", "ru", "mi", "ha", "chen",
             "li", "wang", "zhu", "yun", "song", "park", "kim", "jong", "han", "lee", "cho",
             "sung", "hyun", "min")
PATRONYM = ("ovich", "evich", "ovna", "")
KINDS = ("Trading", "Shipping", "Fisheries", "Construction", "Mining", "Textiles", "Logistics",
         "Holdings", "Export", "Import", "Maritime", "Engineering")


def word(rng: random.Random, parts: int) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(parts)).capitalize()


def person(rng: random.Random) -> str:
    middle = word(rng, 2) + rng.choice(PATRONYM)
    return f"{word(rng, 2)} {middle} {word(rng, 3)}"


def company(rng: random.Random) -> str:
    return f"{word(rng, 3)} {word(rng, 2)} {rng.choice(KINDS)} LLC"


TRANSLIT = str.maketrans({"a": "а", "b": "б", "v": "в", "g": "г", "d": "д", "e": "е", "z": "з",
                          "i": "и", "k": "к", "l": "л", "m": "м", "n": "н", "o": "о", "p": "п",
                          "r": "р", "s": "с", "t": "т", "u": "у", "f": "ф", "h": "х", "y": "ы"})


def variant(name: str, rng: random.Random) -> str:
    """A planted near-duplicate: Cyrillic spelling, a typo, or words swapped."""
    roll = rng.random()
    if roll < 0.4:
        return name.lower().translate(TRANSLIT).title()
    if roll < 0.7:
        i = rng.randrange(1, len(name) - 1)
        return name[:i] + name[i + 1:]
    parts = name.split()
    return " ".join([parts[-1], *parts[:-1]])


def build(folder: Path, n_entities: int, n_claims: int, rng: random.Random
          ) -> tuple[Dossier, list[tuple[str, str, str]]]:
    dossier = Dossier.open(folder, user="bench")
    entities: list[tuple[str, str, str]] = []
    with dossier.write() as session:
        uid = dossier.user_id(session)
        rows = []
        names: set[str] = set()
        while len(rows) < n_entities:
            schema = "Person" if rng.random() < 0.5 else "Company"
            name = person(rng) if schema == "Person" else company(rng)
            if name in names:
                continue
            names.add(name)
            eid = str(uuid.uuid4())
            entities.append((eid, schema, name))
            rows.append(dict(id=eid, schema=schema, name=name, name_key=name_key(name),
                             country="", properties_json="{}", created="2026-01-01T00:00:00Z",
                             created_by=uid))
        session.execute(insert(Entity), rows)
        payers = [e[0] for e in entities[: n_entities // 2]]
        payees = [e[0] for e in entities[n_entities // 2:] if e[1] == "Company"][:2000]
        facts, sources = [], []
        for i in range(n_claims):
            fid = str(uuid.uuid4())
            amount = float(int(rng.lognormvariate(11, 2)))
            facts.append(dict(id=fid, kind="payment", schema="Payment",
                              subject_id=rng.choice(payers), object_id=rng.choice(payees),
                              amount_text=f"{amount:,.0f}", amount=amount, amount_min=amount,
                              amount_max=amount, currency=rng.choice(("USD", "USD", "EUR", "CNY")),
                              date_text="2019", date_start="2019-01-01", date_end="2019-12-31",
                              fields_json="{}", created=f"2026-01-01T00:00:{i % 60:02d}Z",
                              author_id=uid))
            sources.append(dict(fact_id=fid, annotation_id=str(uuid.uuid4()),
                                document_id=f"doc-{i % 300}", document_sha256="0" * 64,
                                document_title="bench", quote="a passage"))
        session.execute(insert(Fact), facts)
        session.execute(insert(FactSource), sources)
    return dossier, entities


def write_list(path: Path, entities: list[tuple[str, str, str]], n_listed: int,
               rng: random.Random) -> set[tuple[str, str]]:
    """The list: random names plus planted variants of 200 dossier entities."""
    planted: set[tuple[str, str]] = set()
    with path.open("w", encoding="utf-8") as fh:
        for eid, schema, name in rng.sample(entities, 200):
            lid = f"planted-{eid}"
            planted.add((eid, lid))
            fh.write(json.dumps({"id": lid, "schema": schema,
                                 "properties": {"name": [variant(name, rng)]}},
                                ensure_ascii=False) + "\n")
        for i in range(n_listed - 200):
            schema = "Person" if rng.random() < 0.5 else "Company"
            name = person(rng) if schema == "Person" else company(rng)
            fh.write(json.dumps({"id": f"l{i}", "schema": schema,
                                 "properties": {"name": [name]}}) + "\n")
    return planted


def _cpu() -> float:
    """CPU seconds of this process and its finished worker processes."""
    import os

    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def bench_graph(dossier: Dossier) -> None:
    t, cpu = time.perf_counter(), time.process_time()
    picture = flow_picture(dossier, limit=500, timeline=False)
    took, cpu = time.perf_counter() - t, time.process_time() - cpu
    t = time.perf_counter()
    with dossier.read() as session:
        groups = session.execute(
            select(Fact.subject_id, Fact.object_id, Fact.currency, func.sum(Fact.amount))
            .group_by(Fact.kind, Fact.subject_id, Fact.object_id, Fact.currency)).all()
    base = time.perf_counter() - t
    print(f"graph: {len(picture.flows)} largest of {picture.total_flows} flows, "
          f"{len(picture.layout.positions)} entities laid out in {took:.2f} s ({cpu:.2f} s CPU) "
          f"(target < 2 s: {'met' if took < 2 else 'NOT met'})")
    print(f"  baseline bare SQL GROUP BY of all {len(groups)} pair/currency totals: {base:.2f} s")


def bench_screening(dossier: Dossier, path: Path, planted: set[tuple[str, str]],
                    entities: list[tuple[str, str, str]], sample: int) -> None:
    t, cpu = time.perf_counter(), _cpu()
    result = screen_dossier(dossier, path, threshold=0.8, workers=2)
    took, cpu = time.perf_counter() - t, _cpu() - cpu
    cpu_used = cpu
    found = {(c.entity_id, c.listed_id) for c in result.candidates}
    hits = len(planted & found)
    print(f"screening: {result.entities} entities against {result.listed} listed in "
          f"{took:.1f} s on 2 worker processes, {cpu:.1f} s CPU in all "
          f"(target < 60 s: {'met' if took < 60 else 'NOT met'}); "
          f"{len(result.candidates)} candidates, planted found {hits}/{len(planted)}")
    listed = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    keys = [name_key(x["properties"]["name"][0]) for x in listed]
    ids = [x["id"] for x in listed]
    by_entity = {eid: name for eid, _, name in entities}
    planted_ids = {eid for eid, _ in planted}
    chosen = sorted(planted_ids)[: sample // 2]
    chosen += [e[0] for e in entities if e[0] not in planted_ids][: sample - len(chosen)]
    t, cpu = time.perf_counter(), time.process_time()
    base_hits = 0
    for eid in chosen:
        best = process.extractOne(name_key(by_entity[eid]), keys, scorer=fuzz.token_sort_ratio)
        if best is not None and best[1] >= 80 and (eid, ids[best[2]]) in planted:
            base_hits += 1
    per = (time.perf_counter() - t) / len(chosen)
    per_cpu = (time.process_time() - cpu) / len(chosen)
    print(f"  baseline rapidfuzz pairwise (extractOne over the whole list): {per * 1000:.0f} ms "
          f"({per_cpu * 1000:.0f} ms CPU) per entity on a sample of {len(chosen)} -> "
          f"{per * len(entities) / 60:.1f} min ({per_cpu * len(entities) / 60:.1f} min CPU) for "
          f"{len(entities)}; it finds {base_hits}/{sample // 2} planted matches of the sample")
    print(f"  speed-up of blocking over the pairwise baseline: {per * len(entities) / took:.0f}x "
          f"wall, {per_cpu * len(entities) / cpu_used:.0f}x CPU")


def main() -> int:
    n_entities = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    n_claims = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
    n_listed = int(sys.argv[3]) if len(sys.argv) > 3 else 250_000
    rng = random.Random(15)
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        dossier, entities = build(Path(tmp) / "d", n_entities, n_claims, rng)
        path = Path(tmp) / "list.ftm.json"
        planted = write_list(path, entities, n_listed, rng)
        print(f"setup: {n_entities} entities, {n_claims} payment claims, {n_listed}-entry list "
              f"in {time.perf_counter() - t:.1f} s (not timed below)")
        bench_graph(dossier)
        bench_screening(dossier, path, planted, entities, sample=40)
        dossier.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
