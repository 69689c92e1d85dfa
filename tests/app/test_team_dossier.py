"""A team dossier on a real PostgreSQL server: opening by URL, clear faults, the same row states
as SQLite, originals in the database, concurrent writers on one linear chain, lost connections."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from app import state
from app.dossier import Dossier
from app.errors import ServerUnavailable, StorageFault
from app.originals import sha256_bytes
from app.services import annotations, codebook, documents, imports
from app.services.integrity import verify
from tests.helpers.cli import REPO, run_cli
from tests.helpers.corpus import corpus_dir, requires_corpus
from tests.helpers.documents import add_text_document
from tests.helpers.engines import raw_database
from tests.helpers.pg import PgServer

TEXT = "Managers confiscated the workers' passports on arrival. Wages went to the state."


def _one_line_without(message: str, secret: str) -> None:
    assert "\n" not in message and secret not in message


def test_unreachable_server_wrong_password_and_missing_database_are_one_line(
        pg_server: PgServer, pg_template: str) -> None:
    with pytest.raises(ServerUnavailable) as refused:
        Dossier.open(pg_server.url(pg_template, user=pg_server.user, password="not-it-x9"))
    assert "refused the login" in str(refused.value) and pg_template in str(refused.value)
    _one_line_without(str(refused.value), "not-it-x9")

    with pytest.raises(ServerUnavailable) as missing:
        Dossier.open(pg_server.url("no_such_dossier_db"))
    assert "there is no database 'no_such_dossier_db'" in str(missing.value)
    _one_line_without(str(missing.value), pg_server.password)

    with pytest.raises(ServerUnavailable) as unreachable:
        Dossier.open("postgresql://alice:hunter2secret@127.0.0.1:1/team")
    assert "cannot reach the server" in str(unreachable.value)
    assert "127.0.0.1:1" in str(unreachable.value)
    _one_line_without(str(unreachable.value), "hunter2secret")


def test_cli_takes_a_url_and_dossier_path(team_dossier: Dossier, pg_server: PgServer,
                                          tmp_path: Path) -> None:
    url = pg_server.url(team_dossier.address.database) if team_dossier.address else ""
    note = tmp_path / "note.txt"
    note.write_text(TEXT, encoding="utf-8")
    imported = run_cli(url, "import", str(note), check=True).stdout
    assert "Managers confiscated" in imported
    doc_id = imported.split("\t", 1)[0]
    run_cli(url, "annotate", doc_id, "--quote", "passports", "--tag", "Deception",
            user="bob", check=True)
    env = dict(os.environ, DOSSIER_PATH=url)
    ok = subprocess.run([sys.executable, "-m", "app", "verify"], capture_output=True, text=True,
                        env=env, cwd=REPO, timeout=120, check=True).stdout
    assert ok.startswith("ok: 1 originals intact")
    wrong = run_cli(url.replace(pg_server.password, "wrong-pw-77"), "documents")
    assert wrong.returncode == 2 and "Traceback" not in wrong.stderr
    assert wrong.stderr.startswith("dossier: the server at ") and "wrong-pw-77" not in wrong.stderr


@requires_corpus
def test_pdf_original_lives_in_the_database_once(team_dossier: Dossier) -> None:
    root = corpus_dir()
    assert root is not None
    pdf = root / "pdf" / "2023-06-20-PV.pdf"
    first = imports.import_file(team_dossier, pdf)
    again = imports.import_file(team_dossier, pdf)
    sha = first.document.sha256
    assert again.document.id == first.document.id
    with raw_database(team_dossier) as cur:
        rows = cur.execute("SELECT size, length(data) FROM originals WHERE sha256 = ?",
                           (sha,)).fetchall()
    assert rows == [(pdf.stat().st_size, pdf.stat().st_size)]
    assert team_dossier.originals.read(sha) == pdf.read_bytes()
    cached = team_dossier.originals.path_for(sha)  # the renderer's file: a read-only copy
    assert cached.read_bytes() == pdf.read_bytes() and cached.stat().st_mode & 0o222 == 0
    assert not (team_dossier.folder / "dossier.sqlite").exists()
    assert verify(team_dossier).ok


def test_a_failed_import_leaves_no_original(team_dossier: Dossier) -> None:
    from app.importers.base import ExtractedDocument

    extracted = ExtractedDocument(kind="text", text="abc", title="t", extractor="test")
    with pytest.raises(RuntimeError), team_dossier.write() as session:
        team_dossier.originals.put(b"abc")
        documents.insert_document(session, team_dossier, sha256_bytes(b"abc"), 3,
                                  extracted, source="test", filename="t.txt")
        raise RuntimeError("the import fails after the document row")
    with raw_database(team_dossier) as cur:
        assert cur.execute("SELECT count(*) FROM originals").fetchone()[0] == 0
        assert cur.execute("SELECT count(*) FROM documents").fetchone()[0] == 0


_ROWS = [
    ("INSERT INTO users (id, name, display_name, guid, created, role) VALUES (?, ?, ?, ?, ?, ?)",
     (77, "o'brien 👷", "O'Brien", "g-77", "2026-01-01T00:00:00Z", "reviewer")),
    ("INSERT INTO documents (id, title, kind, sha256, size, filename, source, text, text_sha256, "
     "page_count, author, published, site_name, url, metadata_json, structure_json, custody_json,"
     " extractor, imported_at, imported_by, version, previous_id, is_current, text_length) "
     "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
     ("d1", "Title ‘q’", "pdf", "ab" * 32, 2**31 - 1, "f.pdf", "", "text\nwith 'quotes' and 🇰🇵",
      "cd" * 32, 1, None, None, None, None, "{}", "[]", "{}", "x", "2026-01-01T00:00:00Z", 77,
      1, None, False, 25)),
    ("INSERT INTO pages (id, document_id, number, label, start, \"end\", width, height, rotation,"
     " boxes, synthetic, ocr, confidence) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
     (1, "d1", 1, "i", 0, 25, 612.0, 0.1 + 0.2, -90, b"\x00\x01\xff'\x00", b"", None,
      b"\x00")),
    ("INSERT INTO tags (id, parent_id, name, colour, description, shortcut, position, "
     "is_codable, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
     ("t1", None, "Tag", "#123456", "", None, 3, True, "2026-01-01T00:00:00Z")),
    ("INSERT INTO annotations (id, document_id, start, \"end\", quote, prefix, suffix, "
     "page_start, page_end, note, attribution, reliability, credibility, status, anchor, "
     "anchor_score, author_id, created, modified, conflict_of, provenance, region) "
     "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
     ("a1", "d1", 0, 4, "text", "", "\nwith", None, 1, "n", "", "B", 2, "draft", "fuzzy",
      1 / 3, 77, "2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z", None, None,
      '{"page": 1}')),
    ("INSERT INTO annotation_tags (annotation_id, tag_id) VALUES (?, ?)", ("a1", "t1")),
]


def test_row_states_are_identical_on_both_engines(dossier: Dossier,
                                                  team_dossier: Dossier) -> None:
    """The same rows (bytes, booleans, big and negative integers, awkward floats, NULLs,
    quotes and emoji in text) hash to the same state on SQLite and on PostgreSQL."""
    found: list[dict[str, str]] = []
    for each in (dossier, team_dossier):
        with raw_database(each) as cur:
            for sql, params in _ROWS:
                cur.execute(sql, params)
            found.append({f"{t}:{i}": state.row_state(cur, t, i) for t, i in (
                ("user", "77"), ("document", "d1"), ("tag", "t1"), ("annotation", "a1"))})
            assert found[-1]["annotation:a1"] != state.DELETED
            # the bulk readers verify uses agree with the one-row reader
            bulk = dict(state.current_states(cur, state.REGISTRY["annotation"]))
            assert bulk["annotation:a1"] == found[-1]["annotation:a1"]
            assert state.states_of(cur, "document", ["d1"])["d1"] == found[-1]["document:d1"]
    assert found[0] == found[1]


def test_concurrent_writers_keep_one_linear_chain(team_dossier: Dossier,
                                                  pg_server: PgServer) -> None:
    assert team_dossier.address is not None
    url = pg_server.url(team_dossier.address.database)
    doc = add_text_document(team_dossier, TEXT)
    with team_dossier.read() as session:
        tag = codebook.resolve_tag(session, "Deception").id
    errors: list[BaseException] = []
    made: list[str] = []

    def writer(name: str) -> None:
        mine = Dossier.open(url, user=name)
        try:
            for i in range(12):
                ann = annotations.create_annotation(mine, doc.id, i, i + 5, [tag], note=name)
                annotations.update_annotation(mine, ann.id, note=f"{name} {i}")
                made.append(ann.id)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            mine.close()

    threads = [threading.Thread(target=writer, args=(f"writer{n}",)) for n in range(4)]
    for t in threads:
        t.start()
    while any(t.is_alive() for t in threads):  # verify sees one consistent snapshot meanwhile
        during = verify(team_dossier)
        assert during.ok, during.problems
    for t in threads:
        t.join()
    assert errors == []
    assert len(made) == 48
    assert {a.id for a in annotations.list_annotations(team_dossier)} >= set(made)
    report = verify(team_dossier)
    assert report.ok, report.problems


def test_a_dropped_connection_is_replaced_before_the_next_write(
        team_dossier: Dossier, pg_server: PgServer) -> None:
    assert team_dossier.address is not None
    add_text_document(team_dossier, TEXT)  # the pool now holds an open connection
    with pg_server.connect() as admin:
        admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                      "WHERE datname = %s AND pid <> pg_backend_pid()",
                      (team_dossier.address.database,))
    doc = add_text_document(team_dossier, "A second text after the server dropped us.", "B")
    assert documents.get_document(team_dossier, doc.id).title == "B"
    assert verify(team_dossier).ok


def test_a_connection_lost_inside_a_write_is_one_line_and_writes_nothing(
        team_dossier: Dossier, pg_server: PgServer) -> None:
    assert team_dossier.address is not None
    database = team_dossier.address.database
    before = verify(team_dossier).events_checked
    with pytest.raises(StorageFault) as lost, team_dossier.write() as session:
        with pg_server.connect() as admin:
            admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                          "WHERE datname = %s AND pid <> pg_backend_pid()", (database,))
        from sqlalchemy import text

        session.execute(text("SELECT 1"))
    assert "lost the connection" in str(lost.value) and "\n" not in str(lost.value)
    assert verify(team_dossier).events_checked == before


def test_a_set_from_a_folder_dossier_imports_into_a_team_dossier(
        dossier: Dossier, team_dossier: Dossier, tmp_path: Path) -> None:
    """The bulk paths of a set import (DB-API inserts, states in bulk, chained events, the
    sender's users and reviews) on PostgreSQL; a second import writes nothing."""
    from app.services.sets.merge import import_set
    from tests.app.test_exchange_jsonld import exported, fields, same_documents, seed

    sent = seed(dossier)
    path = tmp_path / "set.jsonld"
    exported(dossier, path)
    same_documents(team_dossier)
    summary = import_set(team_dossier, path)
    assert len(summary.added) == 5 and summary.reviews_added == 1 and not summary.conflicts
    assert ({a.id: fields(a) for a in annotations.list_annotations(team_dossier)}
            == {a.id: fields(a) for a in sent["anns"]})
    head = verify(team_dossier)
    assert head.ok, head.problems
    again = import_set(team_dossier, path)
    assert again.identical == 5 and not again.added
    assert verify(team_dossier).head_hash == head.head_hash


def test_people_opening_a_new_team_dossier_at_once_get_one_schema_and_codebook(
        pg_server: PgServer, pg_database: str) -> None:
    url = pg_server.url(pg_database)
    errors: list[BaseException] = []

    def first_open(name: str) -> None:
        try:
            Dossier.open(url, user=name).close()
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=first_open, args=(f"person{n}",)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    opened = Dossier.open(url, user="person0")
    try:
        with opened.read() as session:
            names = [t.path for t in codebook.list_tags(session)]
        assert len(names) == len(set(names)) > 10
        assert verify(opened).ok
    finally:
        opened.close()


def test_a_server_that_stops_answering_is_one_line_for_reads_and_writes(
        team_dossier: Dossier, pg_server: PgServer) -> None:
    assert team_dossier.address is not None
    database = team_dossier.address.database
    add_text_document(team_dossier, TEXT)
    with pg_server.connect() as admin:
        admin.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS false')
        admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                      "WHERE datname = %s AND pid <> pg_backend_pid()", (database,))
    try:
        with pytest.raises(ServerUnavailable) as reading:
            documents.list_entries(team_dossier)
        with pytest.raises(ServerUnavailable) as writing:
            add_text_document(team_dossier, "Written while the server refused us.", "C")
    finally:
        with pg_server.connect() as admin:
            admin.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS true')
    for fault in (reading.value, writing.value):
        assert "not accepting connections" in str(fault) and "\n" not in str(fault)
    assert [d.title for d in documents.list_entries(team_dossier)] == ["Test document"]  # back


def test_the_password_may_come_from_the_environment_instead_of_the_url(
        team_dossier: Dossier, pg_server: PgServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """libpq's own PGPASSWORD (or ~/.pgpass): no password on a command line or in a URL."""
    assert team_dossier.address is not None
    monkeypatch.setenv("PGPASSWORD", pg_server.password)
    bare = pg_server.url(team_dossier.address.database, user=pg_server.user, password="")
    assert pg_server.password not in bare
    opened = Dossier.open(bare, user="alice")
    try:
        assert opened.address == team_dossier.address
        add_text_document(opened, TEXT)
        assert verify(opened).ok
    finally:
        opened.close()


def test_the_window_is_not_handed_a_url_as_a_folder_name(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import argparse

    from app.cli.gui import run_gui
    from app.errors import BadInput

    monkeypatch.chdir(tmp_path)
    for given, env in (("postgresql://ann:s3cret-pw@db.example.org/team", None),
                       (None, "postgresql://ann:s3cret-pw@db.example.org/team")):
        if env:
            monkeypatch.setenv("DOSSIER_PATH", env)
        with pytest.raises(BadInput, match="File > Open Team Dossier") as refused:
            run_gui(argparse.Namespace(dossier=given, user=None, gui=lambda *a: 0))
        assert "s3cret" not in str(refused.value)
    assert list(tmp_path.iterdir()) == []  # no folder named after the URL


def test_an_empty_database_is_not_made_a_dossier_when_only_reading(
        pg_server: PgServer, pg_database: str) -> None:
    from app.errors import BadInput

    with pytest.raises(BadInput, match="team init"):
        Dossier.open(pg_server.url(pg_database), create=False)
    tables = pg_server.psql(pg_database, "SELECT count(*) FROM pg_tables "
                                         "WHERE schemaname = 'public'").stdout
    assert tables.split()[2] == "0"
