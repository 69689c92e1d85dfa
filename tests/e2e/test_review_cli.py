"""Review and audit on the command line, end to end, as a team runs it.

The administrator (alice, who created the dossier) adds a reviewer and an annotator; the
annotator creates and submits; the reviewer requests changes with a reason; the annotator edits
and resubmits; the reviewer approves. The audit log, the history and verify show it all.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.cli.main import build_parser
from tests.helpers.cli import cli_json, opened, raw_sql, run_cli
from tests.helpers.engines import ENGINES
from tests.helpers.pg import PgServer
from tests.helpers.tampering import rewrite_history

pytestmark = pytest.mark.slow  # the command line in new processes, as a team runs it

TEXT = ("Managers confiscated the workers' passports on arrival and kept them in a safe. "
        "Most of the wages were paid into accounts controlled by the state.\n")
TAG = "Retention of identity documents"


def _scenario(dossier: Path | str, tmp_path: Path) -> dict[str, str]:
    assert run_cli(dossier, "users", "add", "rita", "--role", "reviewer").returncode == 0
    assert run_cli(dossier, "users", "add", "anna", "--role", "annotator").returncode == 0
    src = tmp_path / "report.txt"
    src.write_text(TEXT, encoding="utf-8")
    doc = run_cli(dossier, "import", str(src), user="anna", check=True).stdout.split("\t")[0]
    ann = run_cli(dossier, "annotate", doc[:8], "--quote", "confiscated the workers' passports",
                  "--tag", TAG, user="anna", check=True).stdout.strip()
    run_cli(dossier, "submit", ann[:8], user="anna", check=True)
    run_cli(dossier, "review", ann[:8], "--request-changes", "--reason",
            "quote the whole sentence", user="rita", check=True)
    run_cli(dossier, "edit", ann[:8], "--quote",
            "Managers confiscated the workers' passports on arrival", user="anna", check=True)
    run_cli(dossier, "submit", ann[:8], user="anna", check=True)
    run_cli(dossier, "review", ann[:8], "--approve", user="rita", check=True)
    return {"doc": doc, "ann": ann}


@pytest.fixture(scope="module", params=ENGINES)
def played(request: pytest.FixtureRequest, template_dossier: Path,
           tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[tuple[Path | str, dict[str, str]]]:
    """The scenario played once per engine, on a copy of the template dossier (a folder, or a
    team dossier's database on PostgreSQL)."""
    work = tmp_path_factory.mktemp("review-cli")
    if request.param == "sqlite":
        folder = work / "dossier"
        shutil.copytree(template_dossier, folder)
        yield folder, _scenario(folder, work)
        return
    server: PgServer = request.getfixturevalue("pg_server")
    name = server.create_database(template=request.getfixturevalue("pg_template"))
    yield name, _scenario(server.url(name), work)
    server.drop_database(name)


@pytest.fixture
def scenario(request: pytest.FixtureRequest, played: tuple[Path | str, dict[str, str]],
             tmp_path: Path) -> Iterator[tuple[Path | str, dict[str, str]]]:
    """A private copy of the played scenario for one test."""
    if isinstance(played[0], Path):
        folder = tmp_path / "dossier"
        shutil.copytree(played[0], folder)
        yield folder, played[1]
        return
    server: PgServer = request.getfixturevalue("pg_server")
    name = server.create_database(template=played[0])
    yield server.url(name), played[1]
    server.drop_database(name)


def test_review_cycle_audit_history_and_verify(scenario: tuple[Path | str, dict[str, str]]) -> None:
    dossier_path, ids = scenario
    ann = ids["ann"]
    users = {u["name"]: u["role"] for u in cli_json(dossier_path, "users")}
    assert users == {"alice": "administrator", "rita": "reviewer", "anna": "annotator"}
    events = cli_json(dossier_path, "audit")
    steps = [(e["actor"], e["action"]) for e in events
             if e["action"].startswith(("user.", "annotation."))]
    assert steps == [
        ("alice", "user.create"),  # alice created the dossier
        ("alice", "user.create"), ("alice", "user.create"),  # rita, anna
        ("anna", "annotation.create"), ("anna", "annotation.submit"),
        ("rita", "annotation.review"), ("anna", "annotation.update"),
        ("anna", "annotation.submit"), ("rita", "annotation.review")]
    assert [e["seq"] for e in events] == sorted(e["seq"] for e in events)  # oldest first
    words = [e["words"] for e in events if e["object_id"] == ann]
    assert words[2] == ("rita requested changes to 'confiscated the workers' passports': "
                        "quote the whole sentence")
    assert words[3] == "anna changed the range of 'Managers confiscated the workers' passports " \
                       "on arrival'"
    assert words[4] == "anna resubmitted 'Managers confiscated the workers' passports on " \
                       "arrival' for review"
    only_rita = cli_json(dossier_path, "audit", "--user", "rita")
    assert {e["actor"] for e in only_rita} == {"rita"} and len(only_rita) == 2
    since = cli_json(dossier_path, "audit", "--since", only_rita[-1]["at"])
    assert since[0]["at"] >= only_rita[-1]["at"]

    history = cli_json(dossier_path, "history", ann[:8])["versions"]
    quotes = {v["state"]["quote"] for v in history}
    assert quotes == {"confiscated the workers' passports",
                      "Managers confiscated the workers' passports on arrival"}
    assert [(v["actor"], v["state"]["status"]) for v in history] == [
        ("anna", "draft"), ("anna", "submitted"), ("rita", "changes_requested"),
        ("anna", "changes_requested"), ("anna", "submitted"), ("rita", "approved")]
    assert history[2]["reason"] == "quote the whole sentence"
    text = run_cli(dossier_path, "history", ann[:8], check=True).stdout
    assert "reason: quote the whole sentence" in text and "\trita\t" in text
    assert run_cli(dossier_path, "verify").returncode == 0
    approved = cli_json(dossier_path, "annotations", "--status", "approved")
    assert [a["id"] for a in approved] == [ann]


def test_refused_actions_exit_2_with_the_reason_and_change_nothing(
        scenario: tuple[Path | str, dict[str, str]]) -> None:
    dossier_path, ids = scenario
    before = _events(dossier_path)
    ann = ids["ann"]
    for args, user, reason in [
        (("users", "set", "anna", "--role", "administrator"), "anna",
         "anna is an annotator; only administrators may grant roles"),
        (("review", ann[:8], "--approve"), "anna",
         "anna is an annotator; only reviewers or administrators may review"),
        (("review", ann[:8], "--reject"), "rita", "a reason is required to reject"),
        (("submit", ann[:8]), "anna", "approved; only a draft or one with changes requested"),
    ]:
        proc = run_cli(dossier_path, *args, user=user)
        assert proc.returncode == 2, proc.stderr
        assert reason in proc.stderr and "Traceback" not in proc.stderr
        assert proc.stderr.count("\n") == 1
    # self-approval: rita annotates, submits, tries to approve her own
    own = run_cli(dossier_path, "annotate", ids["doc"][:8], "--quote", "kept them in a safe",
                  "--tag", TAG, user="rita", check=True).stdout.strip()
    run_cli(dossier_path, "submit", own[:8], user="rita", check=True)
    mid = _events(dossier_path)
    assert mid[:len(before)] == before and len(mid) == len(before) + 2  # annotate, submit
    proc = run_cli(dossier_path, "review", own[:8], "--approve", user="rita")
    assert proc.returncode == 2 and "nobody decides on their own annotation" in proc.stderr
    assert _events(dossier_path) == mid


def _events(dossier: Path | str) -> list[tuple[int, str]]:
    """(seq, hash) of every audit event, read straight from the database."""
    with raw_sql(dossier) as conn:
        return [tuple(r) for r in conn.execute(
            "SELECT seq, hash FROM audit_events ORDER BY seq").fetchall()]


def test_comments_and_claims(scenario: tuple[Path | str, dict[str, str]]) -> None:
    dossier_path, ids = scenario
    run_cli(dossier_path, "comment", ids["ann"][:8], "Checked against page 2.", user="rita",
            check=True)
    claim = cli_json(dossier_path, "claim", "add", "Passports were confiscated", "--support",
                     ids["ann"][:8])
    assert claim["independent_sources"] == 1 and claim["single_source"] is True
    listed = run_cli(dossier_path, "claims", check=True).stdout
    assert "1 independent source(s)  [single source]" in listed and "5-gram" in listed
    events = cli_json(dossier_path, "audit", "--action", "comment")
    assert [e["words"] for e in events] == [
        "rita commented on 'Managers confiscated the workers' passports on arrival': "
        "Checked against page 2."]


def _verify_has_head_option() -> bool:
    verify = build_parser()._subparsers._group_actions[0].choices["verify"]  # type: ignore
    return any("--head" in a.option_strings for a in verify._actions)


@pytest.mark.skipif(not _verify_has_head_option(),
                    reason="dossier verify --head comes with branch harden")
def test_verify_head_of_an_early_head_passes_and_fails_after_history_is_rewritten(
        scenario: tuple[Path | str, dict[str, str]]) -> None:
    dossier_path, _ = scenario
    # an early head an auditor wrote down: the event that made anna an annotator
    added = next(e for e in cli_json(dossier_path, "audit", "--action", "user.create")
                 if e["words"] == "alice added anna as annotator")
    early = f"{added['seq']}:{added['hash']}"
    assert run_cli(dossier_path, "verify", "--head", early).returncode == 0
    # rewrite the history before the early head, recomputing every later hash and the head
    with opened(dossier_path) as dossier:
        rewrite_history(dossier, seq=1)
    assert run_cli(dossier_path, "verify").returncode == 0  # self-consistent again
    proc = run_cli(dossier_path, "verify", "--head", early)
    assert proc.returncode == 1 and "is not in the audit chain" in proc.stderr
