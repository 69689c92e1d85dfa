"""The seed article's money claims, recorded as an investigator would."""

from __future__ import annotations

from dataclasses import dataclass

from app.dossier import Dossier
from app.money.amounts import parse_amount
from app.money.entities import add_mention, create_entity
from app.money.facts import FactView, record_fact
from app.money.periods import parse_period
from app.services.annotations import create_annotation, find_quote
from app.services.codebook import list_tags
from app.services.imports import import_file
from tests.helpers.corpus import corpus_dir

NEWS = "the-week-north-korea-overseas-workers.txt"
DEPOSITS = ("mandates that overseas workers' salaries be deposited into government-controlled "
            "accounts, of which workers receive only a small fraction")
BILLIONS = ("the number of workers sent abroad to raise money for the regime increased to tens "
            "of thousands, making billions of dollars a year")
CONTRACTS = "Managers confiscate their passports and force them to sign multi-year contracts"
AGREEMENT = ("When it comes to the Chinese-North Korean work agreement, it is \"sort of heavily "
             "regulated by the two governments\"")


@dataclass
class Seed:
    """What :func:`record_seed_claims` made."""

    document_id: str
    annotations: dict[str, str]
    facts: dict[str, FactView]


def _tag(dossier: Dossier, path: str) -> str:
    with dossier.read() as session:
        return next(t.id for t in list_tags(session) if t.path == path)


def record_seed_claims(dossier: Dossier) -> Seed:
    """Import the seed article and record its payments and contracts."""
    corpus = corpus_dir()
    assert corpus is not None
    doc = import_file(dossier, corpus / "text" / NEWS).document
    assert doc is not None
    text = dossier_text(dossier, doc.id)
    tags = {
        "deposits": "Funding flows/Wage deposits to state-controlled accounts",
        "billions": "Context/Scale and statistics",
        "contracts": "Contracts/Contract length and renewal",
        "agreement": "Contracts/Government-to-government agreement",
    }
    quotes = {"deposits": DEPOSITS, "billions": BILLIONS, "contracts": CONTRACTS,
              "agreement": AGREEMENT}
    anns = {}
    for key, quote in quotes.items():
        start, end = find_quote(text, quote)
        anns[key] = create_annotation(dossier, doc.id, start, end, [_tag(dossier, tags[key])],
                                      attribution="Foreign Policy" if key == "deposits"
                                      else "").id
    create_entity(dossier, "Government of North Korea", "PublicBody",
                  aliases=["DPRK government", "Правительство КНДР"], countries=["KP"])
    create_entity(dossier, "Employers of North Korean overseas workers", "Organization",
                  countries=["CN", "RU"])
    create_entity(dossier, "North Korean overseas workers", "Organization", countries=["KP"])
    create_entity(dossier, "Overseas worksite managers", "Organization", countries=["CN"])
    create_entity(dossier, "Government of China", "PublicBody", countries=["CN"])
    add_mention(dossier, "Government of North Korea", anns["deposits"])
    add_mention(dossier, "North Korean overseas workers", anns["billions"])
    facts = {
        "deposits": record_fact(
            dossier, "payment", [anns["deposits"]], "Employers of North Korean overseas workers",
            "Government of North Korea",
            fields={"purpose": "overseas workers' salaries",
                    "channel": "government-controlled accounts"}),
        "billions": record_fact(
            dossier, "payment", [anns["billions"]], "North Korean overseas workers",
            "DPRK government", amount=parse_amount(BILLIONS),
            fields={"purpose": "money for the regime"}),
        "contracts": record_fact(
            dossier, "contract", [anns["contracts"]], "Overseas worksite managers",
            "North Korean overseas workers", fields={"duration": "multi-year",
                                                     "country": "CN"}),
        "agreement": record_fact(
            dossier, "contract", [anns["agreement"]], "Government of China",
            "Government of North Korea", period=parse_period("mid-2010s"),
            fields={"country": "CN"}),
    }
    return Seed(doc.id, anns, facts)


def dossier_text(dossier: Dossier, document_id: str) -> str:
    """A document's canonical text."""
    with dossier.read() as session:
        return dossier.document_text(session, document_id)
