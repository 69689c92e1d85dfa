"""A small, fictional sanctions list in FollowTheMoney JSON lines (OpenSanctions-style)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from app.dossier import Dossier
from app.money.entities import create_entity

#: (dossier entity name, listed id) of every planted match.
PLANTED = {
    ("Petr Ivanovich Sidorov", "fict-person-sidorov"),
    ("Sunrise Maritime Trading LLC", "fict-co-sunrise"),
    ("Chollima Export Bureau", "fict-org-chollima"),
    ("Pak Sun Hui", "fict-person-pak"),
}


def _entity(eid: str, schema: str, **props: list[str]) -> dict[str, Any]:
    return {"id": eid, "schema": schema, "properties": props}


def _sanction(target: str, program: str, date: str) -> dict[str, Any]:
    return _entity(f"{target}-sanction", "Sanction", entity=[target], program=[program],
                   authority=["Fictional Office of Asset Control"], listingDate=[date])


def write_list(path: Path) -> Path:
    """Write the list (planted matches, near misses and unrelated entries) to ``path``."""
    rows = [
        _entity("fict-person-sidorov", "Person", name=["Пётр Иванович Сидоров"],
                alias=["Pyotr Ivanovich Sidorov"], birthDate=["1968-04-02"], country=["ru"],
                topics=["sanction"]),
        _sanction("fict-person-sidorov", "FICT-RUS-1", "2021-03-04"),
        # Same name, another person: born decades later, elsewhere.
        _entity("fict-person-sidorov-jr", "Person", name=["Petr Sidorov"],
                birthDate=["1994"], country=["ua"]),
        _entity("fict-co-sunrise", "Company", name=["Санрайз Маритайм Трейдинг"],
                alias=["Sunrise Maritime Trading Company"], country=["ru"]),
        _sanction("fict-co-sunrise", "FICT-SHIP-2", "2022-11-15"),
        _entity("fict-org-chollima", "Organization", name=["Ch'ŏllima Export Bureau"],
                alias=["천리마수출국"], country=["kp"],
                sanctions=[{"schema": "Sanction", "properties": {
                    "program": ["FICT-DPRK-3"], "authority": ["Fictional Security Council"],
                    "listingDate": ["2017-08-05"]}}]),
        _entity("fict-person-pak", "Person", name=["Park Soon-hee"], alias=["박순희"],
                country=["kp"]),
        _sanction("fict-person-pak", "FICT-DPRK-3", "2018-01-09"),
        _entity("fict-person-morozov", "Person", name=["Ivan Petrovich Morozov"],
                country=["ru"]),
        _entity("fict-co-oceanic", "Company", name=["Oceanic Fisheries Holdings"]),
        _entity("fict-co-seaview", "Company", name=["Seaview Shipping Company"]),
        _entity("fict-vessel", "Vessel", name=["Sunrise Star"]),
    ]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                    encoding="utf-8")
    return path


def add_entities(dossier: Dossier, *, with_unrelated: bool = True) -> None:
    """The dossier's entities: the planted matches and (unless told) some matching nothing."""
    create_entity(dossier, "Petr Ivanovich Sidorov", "Person", countries=["RU"],
                  properties={"birthDate": ["1968"]})
    create_entity(dossier, "Sunrise Maritime Trading LLC", "Company", countries=["RU"])
    create_entity(dossier, "Chollima Export Bureau", "Organization", countries=["KP"])
    create_entity(dossier, "Pak Sun Hui", "Person")
    if with_unrelated:
        create_entity(dossier, "Government of North Korea", "PublicBody", countries=["KP"])
        create_entity(dossier, "Maria Gonzalez", "Person", countries=["UY"])
