"""Flows add up per pair and currency; entity merges follow through and undo exactly."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from app.dossier import Dossier
from app.errors import BadInput
from app.money.amounts import amount_from_args, parse_amount
from app.money.entities import (
    add_mention,
    create_entity,
    get_entity,
    list_entities,
    merge_entities,
    suggest_entities,
    unmerge_entities,
)
from app.money.facts import list_facts, record_fact
from app.money.flows import FlowFilter, aggregate_flows
from app.money.periods import parse_period
from app.services.annotations import create_annotation, find_quote
from app.services.integrity import verify
from db.models import AuditEvent
from tests.helpers.documents import add_text_document

TEXT = ("Acme Trading paid Ministry of Labour USD 1,200,000 in 2019. Later Acme Trading sent "
        "EUR 300,000 to the Ministry of Labour. A wire story repeated: Acme Trading paid the "
        "Ministry USD 800,000 in 2020.")


def _passage(d: Dossier, doc_id: str, quote: str) -> str:
    with d.read() as session:
        text = d.document_text(session, doc_id)
    start, end = find_quote(text, quote)
    return create_annotation(d, doc_id, start, end).id


def test_usd_and_eur_between_one_pair_are_never_summed(dossier: Dossier) -> None:
    doc = add_text_document(dossier, TEXT)
    create_entity(dossier, "Acme Trading", "Company", countries=["CN"])
    create_entity(dossier, "Ministry of Labour", "PublicBody", countries=["KP"])
    for quote, when in (("USD 1,200,000 in 2019", "2019"), ("EUR 300,000", None),
                        ("USD 800,000 in 2020", "2020")):
        ann = _passage(dossier, doc.id, quote)
        record_fact(dossier, "payment", [ann], "Acme Trading", "Ministry of Labour",
                    amount=parse_amount(quote), period=parse_period(when) if when else None)
    flows = aggregate_flows(dossier)
    assert {(f.currency, f.total, f.claims) for f in flows} == {("USD", 2_000_000.0, 2),
                                                                 ("EUR", 300_000.0, 1)}
    usd = next(f for f in flows if f.currency == "USD")
    assert usd.label() == "2,000,000 USD" and usd.passages == 2 and usd.sources == 1
    # A date range that overlaps 2019 only keeps that payment; undated ones drop out.
    only_2019 = aggregate_flows(dossier, FlowFilter(date_from="2019-01-01", date_to="2019-06-30"))
    assert [(f.currency, f.total) for f in only_2019] == [("USD", 1_200_000.0)]


def test_bad_amounts_and_dates_are_refused_with_a_reason() -> None:
    with pytest.raises(BadInput, match="ISO 4217"):
        amount_from_args(None, "5", "dollars")
    with pytest.raises(BadInput, match="cannot read the date"):
        parse_period("sometime soon")
    with pytest.raises(BadInput, match="negative"):
        amount_from_args(None, "-5", "USD")
    assert parse_period("2019").start == "2019-01-01"


def test_a_payer_must_be_a_legal_entity(dossier: Dossier) -> None:
    doc = add_text_document(dossier, TEXT)
    ann = _passage(dossier, doc.id, "Acme Trading paid")
    create_entity(dossier, "Acme Trading", "Company")
    create_entity(dossier, "Account 4711", "BankAccount")
    with pytest.raises(BadInput, match="payer of a payment must be a LegalEntity"):
        record_fact(dossier, "payment", [ann], "Account 4711", "Acme Trading")
    assert list_facts(dossier) == []


def test_names_are_found_across_scripts(dossier: Dossier) -> None:
    create_entity(dossier, "Petr Sidorov", "Person", aliases=["Pyotr Sidorov"])
    assert get_entity(dossier, "Пётр Сидоров").name == "Petr Sidorov"
    with pytest.raises(BadInput, match="already names"):
        create_entity(dossier, "ПЕТР СИДОРОВ", "Person")
    found = suggest_entities(dossier, "Funds were sent by Pyotr Sidorov to a bank in Riga.")
    assert [e.name for e in found] == ["Petr Sidorov"]


def test_merge_moves_claims_and_mentions_and_undo_restores_them(dossier: Dossier) -> None:
    doc = add_text_document(dossier, TEXT)
    create_entity(dossier, "Acme Trading", "Company")
    create_entity(dossier, "ACME Trading Co. Ltd", "Company", aliases=["Acme"])
    create_entity(dossier, "Ministry of Labour", "PublicBody")
    ann1 = _passage(dossier, doc.id, "USD 1,200,000 in 2019")
    ann2 = _passage(dossier, doc.id, "EUR 300,000")
    f1 = record_fact(dossier, "payment", [ann1], "Acme Trading", "Ministry of Labour",
                     amount=parse_amount("USD 1,200,000"))
    f2 = record_fact(dossier, "payment", [ann2], "ACME Trading Co. Ltd", "Ministry of Labour",
                     amount=parse_amount("EUR 300,000"))
    add_mention(dossier, "ACME Trading Co. Ltd", ann2)
    before = {e.id: e for e in list_entities(dossier, include_merged=True)}

    rec = merge_entities(dossier, "Acme Trading", "ACME Trading Co. Ltd")
    kept = get_entity(dossier, "Acme Trading")
    assert set(kept.aliases) == {"ACME Trading Co. Ltd", "Acme"} and kept.mentions == (ann2,)
    assert get_entity(dossier, "Acme").id == kept.id
    assert {f.subject for f in list_facts(dossier)} == {"Acme Trading"}
    assert {f.currency for f in aggregate_flows(dossier)} == {"USD", "EUR"}
    with dossier.read() as session:
        ev = session.scalars(select(AuditEvent).where(AuditEvent.action == "entity.merge")).one()
    payload = json.loads(ev.payload)
    assert payload["other_name"] == "ACME Trading Co. Ltd" and payload["subject_facts"] == [f2.id]
    assert ev.actor == "alice" and ev.state

    unmerge_entities(dossier, rec)
    after = {e.id: e for e in list_entities(dossier, include_merged=True)}
    assert after == before
    assert {f.id: f.subject for f in list_facts(dossier)} == {
        f1.id: "Acme Trading", f2.id: "ACME Trading Co. Ltd"}
    report = verify(dossier)
    assert report.ok, report.problems
