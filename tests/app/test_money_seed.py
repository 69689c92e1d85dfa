"""The seed article's funding flows and contracts, recorded and read back by ``flows --json``."""

from __future__ import annotations

from pathlib import Path

from app.dossier import Dossier
from app.money.flows import aggregate_flows
from tests.helpers.cli import cli_json, run_cli
from tests.helpers.corpus import requires_corpus
from tests.helpers.money import BILLIONS, CONTRACTS, DEPOSITS, record_seed_claims


@requires_corpus
def test_seed_article_claims_come_back_from_flows_json(dossier_path: Path) -> None:
    d = Dossier.open(dossier_path, user="alice")
    seed = record_seed_claims(d)
    deposits = seed.facts["deposits"]
    assert deposits.kind == "payment" and deposits.schema == "Payment"
    assert deposits.amount is None and deposits.amount_text == "" and deposits.currency == ""
    billions = seed.facts["billions"]
    assert billions.amount_text == "billions of dollars a year"
    assert (billions.amount, billions.amount_min, billions.amount_max) == (None, 1e9, 1e12)
    assert billions.currency == "USD"
    # A worker group is not an FtM Person, so that contract is kept as an UnknownLink.
    assert seed.facts["contracts"].schema == "UnknownLink"
    d.close()

    flows = cli_json(dossier_path, "flows")
    by_pair = {(f["kind"], f["from"]["name"], f["to"]["name"], f["currency"]): f for f in flows}
    paid = by_pair[("payment", "Employers of North Korean overseas workers",
                    "Government of North Korea", "")]
    assert paid["total"] is None and paid["label"] == "amount not stated"
    assert paid["facts"][0]["fields"]["channel"] == "government-controlled accounts"
    assert paid["facts"][0]["sources"][0]["quote"] == DEPOSITS
    regime = by_pair[("payment", "North Korean overseas workers", "Government of North Korea",
                      "USD")]
    assert regime["stated"] == ["billions of dollars a year"]
    assert (regime["total_min"], regime["total_max"]) == (1e9, 1e12)
    assert regime["facts"][0]["sources"][0]["quote"] == BILLIONS
    assert regime["passages"] == 1 and regime["independent_sources"] == 1
    contract = by_pair[("contract", "Overseas worksite managers", "North Korean overseas workers",
                        "")]
    assert contract["facts"][0]["fields"]["duration"] == "multi-year"
    assert contract["facts"][0]["sources"][0]["quote"] == CONTRACTS
    agreement = by_pair[("contract", "Government of China", "Government of North Korea", "")]
    assert agreement["facts"][0]["date"] == {"text": "mid-2010s", "start": "2013-01-01",
                                             "end": "2016-12-31"}

    # The command line records a claim too, and refuses a currency that is not ISO 4217.
    ann = seed.annotations["billions"]
    bad = run_cli(dossier_path, "claim", "payment", ann, "--payer",
                  "North Korean overseas workers", "--payee", "DPRK government", "--amount",
                  "5", "--currency", "DOLLARS")
    assert bad.returncode == 2 and "ISO 4217" in bad.stderr and "Traceback" not in bad.stderr
    run_cli(dossier_path, "claim", "payment", ann, "--payer", "North Korean overseas workers",
            "--payee", "Правительство КНДР", "--amount", "2000000", "--currency", "eur",
            "--date", "2019", check=True)
    d = Dossier.open(dossier_path, user="alice")
    flows_now = aggregate_flows(d)
    d.close()
    eur = [f for f in flows_now if f.currency == "EUR"]
    assert len(eur) == 1 and eur[0].total == 2e6 and eur[0].object == "Government of North Korea"
