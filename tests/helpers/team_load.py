"""Writers for the team-dossier load: a process that annotates and reviews as a colleague does.

Run as ``python -m tests.helpers.team_load LOCATION DOCUMENT_ID INDEX [ANNOTATIONS] [DECISIONS]
[--wait-go] [--hold-open] [--login]``
(LOCATION a dossier folder or a team dossier's URL; DOSSIER_LOAD_REVIEWER_URL may name the
reviewer's own login when identities come from the server). The writer acts as ``writer-INDEX``
and as reviewer ``reviewer-INDEX`` (both created beforehand by :func:`prepare`), or, with
``--login``, as the logins of LOCATION and DOSSIER_LOAD_REVIEWER_URL (a dossier made with
``team init``, set up by :func:`prepare_team`; nobody is self-declared there): it creates
ANNOTATIONS annotations and, on every ANNOTATIONS/DECISIONS-th one, submits it and has its
reviewer approve it. After each commit it prints ``ann ID MS TIME`` / ``review ID MS`` (MS:
the call's wall time; TIME: the clock at the commit), flushed, so whoever watches knows what was
committed; at the end ``cpu SECONDS``, the CPU time of that work in this process. Any error is
printed as ``error ...`` and the exit status is 1.

With ``--wait-go`` it opens its dossiers, prints ``ready`` and waits for a line on its input
before it starts, so that a benchmark's writers start working together, after their start-up
(importing the application costs a second of CPU per process).

With ``--hold-open`` it then starts one more annotation's transaction, prints ``pending ID``
and waits inside the transaction (for a kill) without committing.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
import time
import traceback
import uuid
from dataclasses import dataclass
from pathlib import Path

from app.dossier import Dossier
from app.services import annotations, roles, workflow
from tests.helpers.documents import add_text_document
from tests.helpers.pg import PgServer
from tests.helpers.team import Team, make_team

TEXT = " ".join(
    f"Paragraph {i}: the agency kept the workers' passports and paid wages into accounts "
    f"controlled by the site manager; the fees reached {i * 10} dollars." for i in range(400))


def prepare(location: str, writers: int, admin: str = "admin") -> str:
    """Create the users of ``writers`` writers (and their reviewers) and a document; its id."""
    dossier = Dossier.open(location, user=admin)
    try:
        with dossier.write() as session:
            dossier.user_id(session)
        for index in range(writers):
            for name, role in ((f"writer-{index}", "annotator"),
                               (f"reviewer-{index}", "reviewer")):
                if roles.role_of(dossier, name) is None:
                    roles.add_user(dossier, name, role)
        return add_text_document(dossier, TEXT, "Load test report").id
    finally:
        dossier.close()


@dataclass
class TeamLoad:
    """A team dossier made with ``team init`` for the load: one annotator login and one
    reviewer login per writer, and the document (added by the first administrator)."""

    team: Team
    document_id: str
    writers: list[str]
    reviewers: list[str]

    def writer_url(self, index: int) -> str:
        return self.team.url(self.writers[index])

    def reviewer_url(self, index: int) -> str:
        return self.team.url(self.reviewers[index])


def prepare_team(server: PgServer, database: str, writers: int) -> TeamLoad:
    """Run ``team init`` on ``database`` (a fresh login that may create roles, as the README
    tells), add ``writers`` annotator logins and as many reviewer logins, and a document.
    Login names end with a suffix of the database's (roles belong to the whole server);
    ``TeamLoad.team.drop()`` removes them with the database."""
    with contextlib.redirect_stdout(io.StringIO()):  # team init's own report
        team = make_team(server, database)
    names = [team.add(f"writer{i}", "annotator") for i in range(writers)]
    checkers = [team.add(f"reviewer{i}", "reviewer") for i in range(writers)]
    with team.open() as dossier:
        document_id = add_text_document(dossier, TEXT, "Load test report").id
    return TeamLoad(team, document_id, names, checkers)


def _say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def run(location: str, document_id: str, index: int, count: int, decisions: int,
        hold_open: bool = False, wait_go: bool = False, login: bool = False) -> None:
    """The writer's work (see the module)."""
    writer = Dossier.open(location, user=None if login else f"writer-{index}", create=False)
    reviewer = Dossier.open(os.environ.get("DOSSIER_LOAD_REVIEWER_URL") or location,
                            user=None if login else f"reviewer-{index}", create=False)
    if wait_go:
        _say("ready")
        sys.stdin.readline()
    every = max(1, count // decisions) if decisions else 0
    length = len(TEXT)
    made = 0
    cpu = time.process_time()
    try:
        for k in range(count):
            start = (index * 7919 + k * 131) % (length - 60)
            begun = time.perf_counter()
            ann = annotations.create_annotation(writer, document_id, start, start + 40,
                                                note=f"writer {index} note {k}")
            _say(f"ann {ann.id} {(time.perf_counter() - begun) * 1000:.3f} {time.time():.6f}")
            if every and k % every == every - 1 and made < decisions:
                workflow.submit(writer, [ann.id])
                begun = time.perf_counter()
                (review,) = workflow.decide(reviewer, [ann.id], "approve")
                _say(f"review {review.id} {(time.perf_counter() - begun) * 1000:.3f}")
                made += 1
        _say(f"cpu {time.process_time() - cpu:.4f}")
        if hold_open:
            _hold(writer, document_id)
    finally:
        writer.close()
        reviewer.close()


def _hold(dossier: Dossier, document_id: str) -> None:
    """Begin a transaction that inserts an annotation, say so, and wait in it."""
    from app import audit
    from app.clock import utcnow
    from db.models import Annotation

    pending = str(uuid.uuid4())
    with dossier.write() as session:
        user_id = dossier.user_id(session)
        now = utcnow()
        session.add(Annotation(id=pending, document_id=document_id, start=0, end=9,
                               quote=TEXT[:9], prefix="", suffix=TEXT[9:41], note="pending",
                               attribution="", status="draft", anchor="exact",
                               anchor_score=1.0, author_id=user_id, created=now, modified=now))
        audit.record(session, dossier.user_name, "annotation.create", "annotation", pending, {})
        _say(f"pending {pending}")
        sys.stdin.readline()  # killed while waiting here


def main(argv: list[str]) -> int:
    """Entry point; see the module."""
    hold = "--hold-open" in argv
    wait_go = "--wait-go" in argv
    login = "--login" in argv
    args = [a for a in argv if a not in ("--hold-open", "--wait-go", "--login")]
    location, document_id, index = args[0], args[1], int(args[2])
    count = int(args[3]) if len(args) > 3 else 200
    decisions = int(args[4]) if len(args) > 4 else 50
    try:
        run(location, document_id, index, count, decisions, hold, wait_go, login)
    except Exception as exc:  # the test asserts that no error ever reaches a user
        _say(f"error {type(exc).__name__}: {exc}")
        traceback.print_exc()
        return 1
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    sys.exit(main(sys.argv[1:]))
