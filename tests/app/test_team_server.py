"""Team dossiers: the server itself enforces the review rules (psql as real logins), and the
services enforce the same ones first; the acting user is the authenticated login."""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.cli.main import main as cli_main
from app.dossier import Dossier
from app.errors import BadInput, DossierError, Refused
from app.services import annotations, integrity, roles, workflow
from app.team import members
from app.team.identity import refuse_declared_user
from app.team.naming import role_prefix
from tests.helpers.documents import add_text_document
from tests.helpers.pg import PgServer
from tests.helpers.team import Team, make_team

TEXT = "Managers kept the workers' passports. Wages went to a state account in Pyongyang."


@pytest.fixture(scope="module")
def team(pg_server: PgServer) -> Iterator[Team]:
    """One team dossier for the tests of this module that leave it intact (each adds its own
    logins; setting a team up takes seconds)."""
    made = make_team(pg_server, pg_server.create_database())
    try:
        yield made
    finally:
        made.drop()


@pytest.fixture
def own_team(pg_server: PgServer, pg_database: str) -> Iterator[Team]:
    """A team dossier of the test's own (for a test that damages it)."""
    made = make_team(pg_server, pg_database)
    try:
        yield made
    finally:
        made.drop()


def _annotate(team: Team, login: str, doc_id: str | None = None) -> tuple[str, str]:
    """(document id, annotation id): a draft annotation ``login`` made through the services."""
    with team.open(login) as dossier:
        if doc_id is None:
            doc_id = add_text_document(dossier, TEXT).id
        ann = annotations.create_annotation(dossier, doc_id, 0, 36, note="passports")
    return doc_id, ann.id


def _status(team: Team, ann_id: str) -> str:
    code, out = team.psql(f"SELECT status || '|' || note FROM annotations WHERE id = '{ann_id}'")
    assert code == 0, out
    return out.split("\n")[2].strip()


def test_an_annotator_through_psql_is_refused_by_the_server(team: Team) -> None:
    ann = team.add("ann", "annotator")
    bea = team.add("bea", "annotator")
    doc_id, theirs = _annotate(team, bea)
    _, own = _annotate(team, ann, doc_id)

    code, out = team.psql(f"UPDATE annotations SET note = 'mine now' WHERE id = '{theirs}'", ann)
    assert code != 0 and "someone else's" in out
    code, out = team.psql(f"DELETE FROM annotations WHERE id = '{theirs}'", ann)
    assert code != 0 and "someone else's" in out
    assert _status(team, theirs) == "draft|passports"

    for sql in ("UPDATE audit_events SET actor = 'nobody'",
                "DELETE FROM audit_events WHERE seq = (SELECT max(seq) FROM audit_events)",
                "TRUNCATE audit_events", "UPDATE originals SET data = 'forged'"):
        code, out = team.psql(sql, ann)
        assert code != 0 and "permission denied for table" in out, sql

    for target in (own, theirs):
        for status in ("approved", "rejected"):
            code, out = team.psql(
                f"UPDATE annotations SET status = '{status}' WHERE id = '{target}'", ann)
            assert code != 0 and "dossier:" in out, (target, status, out)
    code, out = team.psql(
        "INSERT INTO reviews (id, annotation_id, reviewer_id, decision, reason, created) "
        f"SELECT 'r-forged', '{own}', id, 'approved', '', 'now' FROM users WHERE name = '{ann}'",
        ann)
    assert code != 0 and "row-level security" in out
    assert _status(team, own) == "draft|passports"

    with team.open(ann) as dossier:
        report = integrity.verify(dossier)
    assert report.ok, report.problems


def test_the_chain_head_moves_only_with_the_chain(own_team: Team) -> None:
    team = own_team
    ann = team.add("ann", "annotator")
    _annotate(team, ann)
    code, out = team.psql("SELECT value FROM dossier_meta WHERE key = 'audit_head'")
    head = out.split("\n")[2].strip()
    code, out = team.psql("SELECT seq || ':' || hash FROM audit_events WHERE seq = 1")
    first = out.split("\n")[2].strip()

    # pointing the head back (to hide the newest events) or away is refused, even to the owner
    for login in (ann, team.admin):
        code, out = team.psql(
            f"UPDATE dossier_meta SET value = '{first}' WHERE key = 'audit_head'", login)
        assert code != 0 and "must name the newest event" in out
    code, out = team.psql("DELETE FROM dossier_meta WHERE key = 'audit_head'", ann)
    assert code != 0
    code, out = team.psql("UPDATE dossier_meta SET value = 'x' WHERE key = 'team_roles'", ann)
    assert code != 0 and "only an administrator changes the team settings" in out
    # an event that does not extend the chain is refused
    code, out = team.psql(
        "INSERT INTO audit_events (seq, at, actor, action, object_type, object_id, payload, "
        f"prev_hash, hash) VALUES (1000, 'now', '{ann}', 'x', 'x', 'x', '{{}}', 'x', 'x')", ann)
    assert code != 0 and "does not extend the chain" in out

    # the superuser can switch the guard off; verify then catches the rewritten head
    code, out = team.psql(
        "BEGIN; ALTER TABLE dossier_meta DISABLE TRIGGER USER; "
        f"UPDATE dossier_meta SET value = '{first}' WHERE key = 'audit_head'; COMMIT")
    assert code == 0, out
    with team.open(ann) as dossier:
        report = integrity.verify(dossier)
    assert not report.ok and "head" in str(report.problems[0])
    assert head != first


def test_review_workflow_as_real_logins(team: Team) -> None:
    ann = team.add("wann", "annotator")
    rev = team.add("wrev", "reviewer")
    doc_id, own = _annotate(team, ann)
    _, revs = _annotate(team, rev, doc_id)

    with team.open(ann) as dossier:
        with pytest.raises(Refused, match="only reviewers or administrators may review"):
            workflow.decide(dossier, [own], "approve")
        workflow.submit(dossier, [own])
    with team.open(rev) as dossier:
        workflow.submit(dossier, [revs])
        with pytest.raises(Refused, match="nobody decides on their own"):
            workflow.decide(dossier, [revs], "approve")
        [decision] = workflow.decide(dossier, [own], "approve")
    assert decision.reviewer == rev
    assert _status(team, own).startswith("approved|")

    # the server refuses a reviewer's self-approval too, even with a review row
    code, out = team.psql(
        "BEGIN; INSERT INTO reviews (id, annotation_id, reviewer_id, decision, reason, created) "
        f"SELECT 'r-self', '{revs}', id, 'approved', '', 'now' FROM users WHERE name = '{rev}'; "
        f"UPDATE annotations SET status = 'approved' WHERE id = '{revs}'; COMMIT", rev)
    assert code != 0 and "row-level security" in out
    code, out = team.psql(f"UPDATE annotations SET status = 'approved' WHERE id = '{revs}'", rev)
    assert code != 0 and "nobody decides on their own" in out
    # and a reviewer changes nothing of someone else's annotation but its status
    code, out = team.psql(f"UPDATE annotations SET note = 'edited' WHERE id = '{own}'", rev)
    assert code != 0 and "someone else's" in out
    with team.open(rev) as dossier, pytest.raises(Refused, match="only its author"):
        annotations.update_annotation(dossier, own, note="edited")
    assert _status(team, revs) == "submitted|passports"
    # the author's own edit of the approved annotation sends it back to draft, as on a folder
    with team.open(ann) as dossier:
        assert annotations.update_annotation(dossier, own, end=30).status == "draft"
        assert integrity.verify(dossier).ok


def test_the_acting_user_is_the_login(team: Team) -> None:
    ann = team.add("act", "annotator")
    # the desktop application passes the name of the window it came from: the login wins
    dossier = Dossier.open(team.url(ann), user="somebody-else")
    assert dossier.user_name == ann
    with pytest.raises(BadInput, match="team dossier: you act as the login"):
        refuse_declared_user(dossier, "somebody-else")
    _, ann_id = _annotate(team, ann)
    with team.open(ann) as dossier:
        assert dossier.user_name == ann
        assert annotations.get_annotation(dossier, ann_id).author == ann
        dossier.act_as("somebody-else")
        assert dossier.user_name == ann
        with pytest.raises(Refused, match="team add"):
            roles.add_user(dossier, "ghost", "reviewer")
    code, out = team.psql(f"SELECT actor FROM audit_events WHERE object_id = '{ann_id}'")
    assert ann in out


def test_a_login_granted_by_the_server_acts_with_the_role_it_gives(team: Team) -> None:
    # someone who runs the server grants a role with plain SQL: Dossier follows the server
    sam = team.name("sam")
    team.passwords[sam] = "sam-secret"
    code, out = team.psql(f"CREATE ROLE \"{sam}\" LOGIN PASSWORD 'sam-secret'; "
                          f"GRANT \"{team.groups.reviewer}\" TO \"{sam}\"")
    assert code == 0, out
    _annotate(team, sam)
    code, out = team.psql(f"GRANT \"{team.groups.administrator}\" TO \"{sam}\"")
    with team.open(sam) as dossier:
        with dossier.write() as session:
            dossier.user_id(session)
        assert roles.role_of(dossier, sam) == "administrator"
    code, out = team.psql("SELECT action || ' ' || payload FROM audit_events "
                          "WHERE action LIKE 'user.%' ORDER BY seq")
    assert '"role":"reviewer","via":"login"' in out
    assert '"after":"administrator","before":"reviewer"' in out


def test_a_login_without_a_role_is_told_so(team: Team) -> None:
    stranger = team.name("stranger")
    team.passwords[stranger] = "pw"
    code, out = team.psql(f"CREATE ROLE \"{stranger}\" LOGIN PASSWORD 'pw'; "
                          f"GRANT CONNECT ON DATABASE \"{team.database}\" TO \"{stranger}\"")
    assert code == 0, out
    with pytest.raises(DossierError, match=f"login '{stranger}' may not use .* no role there"):
        Dossier.open(team.url(stranger))


def test_only_administrators_add_people(team: Team) -> None:
    rev = team.add("arev", "reviewer")
    with team.open(rev) as dossier, pytest.raises(Refused, match="only administrators"):
        members.add(dossier, team.name("eve"), "administrator", "secret")
    code, out = team.psql(
        f"SELECT dossier_team_grant('{team.name('eve')}', NULL, 'administrator')", rev)
    assert code != 0 and "only an administrator" in out
    code, out = team.psql(f"SELECT 1 FROM pg_roles WHERE rolname = '{team.name('eve')}'")
    assert "(0 rows)" in out

    # a login the server has already (say from another team dossier) only gets the role
    known = team.name("known")
    code, out = team.psql(f"CREATE ROLE \"{known}\" LOGIN PASSWORD 'kept'")
    team.passwords[known] = "kept"
    with team.open() as dossier:
        member = members.add(dossier, known, "reviewer", None)
    assert (member.role, member.login_created) == ("reviewer", False)
    with team.open(known) as dossier:  # its password is the one it had
        assert dossier.user_name == known and roles.role_of(dossier, known) == "reviewer"



def test_group_roles_are_named_per_database() -> None:
    assert role_prefix("investigation") == "dossier_investigation"
    long = "x" * 80
    assert len(role_prefix(long) + "_administrator") <= 63
    assert role_prefix("Case-2024") != role_prefix("case_2024")
    assert role_prefix("Case-2024").startswith("dossier_case_2024_")


def _client(server: PgServer, program: str) -> str:
    found = shutil.which(program)
    if found:
        return found
    assert server.bin_dir is not None, f"no {program}"
    return str(server.bin_dir / program)


def test_a_backup_as_the_readme_says_restores_and_verifies(team: Team, tmp_path: Path) -> None:
    _annotate(team, team.add("bak", "annotator"))
    server, dump = team.server, tmp_path / "team.dump"
    env = dict(os.environ, PGPASSWORD=team.passwords[team.admin])
    where = ["-h", server.host, "-p", str(server.port), "-U", team.admin]
    done = subprocess.run([_client(server, "pg_dump"), "--enable-row-security", "-Fc",
                           "-f", str(dump), *where, team.database],
                          env=env, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    copy = server.create_database()
    try:
        with server.connect() as conn:
            conn.execute(f'ALTER DATABASE "{copy}" OWNER TO "{team.admin}"')
        done = subprocess.run([_client(server, "pg_restore"), "-d", copy, *where, str(dump)],
                              env=env, capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode == 0, done.stderr
        restored = Dossier.open(server.url(copy, user=team.admin,
                                           password=team.passwords[team.admin]))
        try:
            assert restored.team is not None  # the same team's groups and rules came along
            report = integrity.verify(restored)
        finally:
            restored.close()
        assert report.ok, report.problems
    finally:
        server.drop_database(copy)


def test_a_team_dossier_of_an_older_schema_is_upgraded_by_its_owner(own_team: Team) -> None:
    """A team dossier made by an older Dossier (schema one revision back): an annotator, who
    may not change the schema, is told who can and how; the owner's 'team init' upgrades it,
    and the annotator then writes, with the chain verifying."""
    from alembic import command

    from db.engine import make_engine
    from db.migrate import LATEST, _config

    annotator = own_team.add("ann", "annotator")
    engine = make_engine(own_team.url())
    try:
        cfg = _config()
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "-1")
    finally:
        engine.dispose()
    with pytest.raises(BadInput, match=rf"needs {LATEST}; only its owner may upgrade it: ask an "
                       r"administrator to run 'dossier team init "):
        Dossier.open(own_team.url(annotator), create=False)
    with contextlib.redirect_stdout(io.StringIO()):  # team init's own report
        assert cli_main(["team", "init", own_team.url()]) == 0
    with own_team.open() as chief:
        doc = add_text_document(chief, TEXT)
    with own_team.open(annotator) as dossier:
        annotations.create_annotation(dossier, doc.id, 0, 8)  # the session learns its user
        view = annotations.create_annotation(dossier, doc.id, 9, 20, note="after the upgrade")
        assert annotations.get_annotation(dossier, view.id).note == "after the upgrade"
        assert integrity.verify(dossier).problems == []
