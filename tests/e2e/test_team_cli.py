"""``dossier team ...`` and the review workflow on a team dossier, on the command line, as real
logins of a real PostgreSQL server: identity comes from the login, never from ``--user``."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.cli.main import main
from tests.helpers.pg import PgServer
from tests.helpers.team import Team, make_team

TEXT = ("Managers confiscated the workers' passports on arrival and kept them in a safe. "
        "Most of the wages were paid into accounts controlled by the state.\n")


@pytest.fixture
def team(pg_server: PgServer, pg_database: str) -> Iterator[Team]:
    made = make_team(pg_server, pg_database)
    try:
        yield made
    finally:
        made.drop()


class Cli:
    """``dossier`` run in this process as one login of the team dossier."""

    def __init__(self, team: Team, capsys: pytest.CaptureFixture[str],
                 monkeypatch: pytest.MonkeyPatch) -> None:
        self.team, self.capsys, self.monkeypatch = team, capsys, monkeypatch

    def __call__(self, login: str | None, *args: str, stdin: str = "") -> tuple[int, str, str]:
        self.capsys.readouterr()
        self.monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        code = main(["--dossier", self.team.url(login), *args])
        out, err = self.capsys.readouterr()
        return code, out, err

    def ok(self, login: str | None, *args: str, stdin: str = "") -> str:
        code, out, err = self(login, *args, stdin=stdin)
        assert code == 0, err
        return out


def test_team_init_add_and_the_review_cycle(
    team: Team, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cli = Cli(team, capsys, monkeypatch)
    # a login that may not create roles is told so before anything is written
    plain = team.name("plain")
    team.passwords[plain] = "plain-pw"
    team.psql(f"CREATE ROLE \"{plain}\" LOGIN PASSWORD 'plain-pw'")
    other = team.server.create_database()
    capsys.readouterr()
    assert main(["team", "init", team.server.url(other, user=plain, password="plain-pw")]) == 2
    assert "may not create roles" in capsys.readouterr().err
    nothing = team.server.psql(other, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
    assert nothing.stdout.split("\n")[2].strip() == "0"  # no schema was written
    team.server.drop_database(other)
    assert main(["team", "init", "some/folder"]) == 2
    assert "needs a PostgreSQL database" in capsys.readouterr().err
    # init ran as the chief (make_team); running it again re-applies the rules
    capsys.readouterr()
    assert main(["team", "init", team.url()]) == 0
    out = capsys.readouterr().out
    assert f"{team.admin} is an administrator" in out and "re-applied" in out
    assert team.passwords[team.admin] not in out

    anna, rita = team.name("anna"), team.name("rita")
    team.passwords.update({anna: "anna-secret", rita: "rita-secret"})
    out = cli.ok(None, "team", "add", anna, "--role", "annotator", "--password-stdin",
                 stdin="anna-secret\n")
    assert out.strip() == f"created the login and added {anna} as annotator"
    cli.ok(None, "team", "add", rita, "--role", "reviewer", "--password-stdin",
           stdin="rita-secret\n")
    listed = json.loads(cli.ok(None, "team", "list", "--json"))
    assert {m["name"]: m["role"] for m in listed} == {
        team.admin: "administrator", anna: "annotator", rita: "reviewer"}

    code, _, err = cli(None, "team", "add", "bad name", "--role", "annotator",
                       "--password-stdin", stdin="x\n")
    assert code == 2 and "bad name cannot be a login name" in err
    code, _, err = cli(anna, "team", "add", team.name("eve"), "--role", "administrator",
                       "--password-stdin", stdin="x\n")
    assert code == 2 and "only administrators may add people" in err
    code, _, err = cli(anna, "--user", rita, "annotations")
    assert code == 2 and f"you act as the login you connected with ({anna})" in err
    code, _, err = cli(None, "users", "add", "ghost", "--role", "reviewer")
    assert code == 2 and "dossier team add" in err

    src = tmp_path / "report.txt"
    src.write_text(TEXT, encoding="utf-8")
    doc = cli.ok(anna, "import", str(src)).split("\t")[0]
    ann = cli.ok(anna, "annotate", doc[:8], "--quote", "confiscated the workers' passports",
                 "--tag", "Retention of identity documents").strip()
    cli.ok(anna, "submit", ann[:8])
    own = cli.ok(rita, "annotate", doc[:8], "--quote", "paid into accounts", "--tag",
                 "Wage deposits to state-controlled accounts").strip()
    cli.ok(rita, "submit", own[:8])
    code, _, err = cli(anna, "review", ann[:8], "--approve")
    assert code == 2 and "only reviewers or administrators may review" in err
    code, _, err = cli(rita, "review", own[:8], "--approve")
    assert code == 2 and "nobody decides on their own annotation" in err
    assert "approved" in cli.ok(rita, "review", ann[:8], "--approve")

    events = json.loads(cli.ok(None, "audit", "--json"))
    steps = [(e["actor"], e["action"]) for e in events if e["object_id"] in (ann, own)]
    assert steps == [(anna, "annotation.create"), (anna, "annotation.submit"),
                     (rita, "annotation.create"), (rita, "annotation.submit"),
                     (rita, "annotation.review")]
    assert "ok:" in cli.ok(anna, "verify")

    code, _, err = cli(None, "team", "set", team.admin, "--role", "reviewer")
    assert code == 2 and "the only administrator" in err
    cli.ok(None, "team", "set", anna, "--role", "reviewer")
    assert "reviewer" in cli.ok(None, "team", "list")
    assert "can no longer act" in cli.ok(None, "team", "disable", anna)
    words = [e["words"] for e in json.loads(cli.ok(None, "audit", "--json"))]
    assert f"{team.admin} set the team dossier's server rules up" in words
    assert f"{team.admin} took {anna}'s role away (was reviewer)" in words
    code, _, err = cli(anna, "annotations")
    assert code == 2 and "internal error" not in err and anna in err
