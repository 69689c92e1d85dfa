"""The PostgreSQL search index on a real server: migration 0010's tables under the index's own
functions (the rows a team dossier's services write are tested through dossiers in
tests/app/test_search.py)."""

from __future__ import annotations

import importlib
import json
from collections.abc import Iterator
from typing import Any

import pytest

from app import search_query
from db.search import Filters, postgres
from db.search.common import MARK_END, MARK_START
from db.search.lexemes import config_for, tokens

_SCHEMA = (
    "CREATE TABLE users (id integer PRIMARY KEY, name text, display_name text)",
    "CREATE TABLE documents (id varchar(36) PRIMARY KEY, title text, metadata_json text, "
    "is_current boolean NOT NULL DEFAULT true)",
    "CREATE TABLE pages (document_id varchar(36), number integer, ocr text)",
    "CREATE TABLE annotations (id varchar(36) PRIMARY KEY, author_id integer, status text)",
    "CREATE TABLE annotation_tags (annotation_id varchar(36), tag_id varchar(36))",
)


@pytest.fixture
def cur(pg_server: Any, pg_database: str) -> Iterator[Any]:
    """A cursor on a database with the tables search reads plus migration 0010's."""
    from alembic.migration import MigrationContext
    from alembic.operations import Operations
    from sqlalchemy import create_engine

    url = pg_server.url(pg_database).replace("postgresql://", "postgresql+psycopg://", 1)
    engine = create_engine(url)
    migration = importlib.import_module("db.migrations.versions.0010_search_passages")
    with engine.begin() as conn:
        for statement in _SCHEMA:
            conn.exec_driver_sql(statement)
        with Operations.context(MigrationContext.configure(conn)):
            migration.upgrade()
    engine.dispose()
    conn = pg_server.connect(pg_database)
    try:
        with conn.cursor() as c:
            c.execute("INSERT INTO users VALUES (1, 'alice', 'Alice A.')")
            yield c
    finally:
        conn.close()


def add_document(cur: Any, doc_id: str, text: str, *, language: str | None = None,
                 current: bool = True) -> None:
    meta = json.dumps({"language": language} if language else {})
    cur.execute("INSERT INTO documents VALUES (%s, %s, %s, %s)", (doc_id, doc_id, meta, current))
    postgres.index_document(cur, doc_id, [(None, text, 0)])


def find(cur: Any, text: str, filters: Filters | None = None) -> list[Any]:
    return postgres.find(cur, search_query.parse(text), filters or Filters(), 50)


ARTICLE = ("Recruiters promised factory work abroad. On arrival the workers' passports were "
           "taken by the agency, and forced labour followed for two years.")


def test_words_phrases_prefixes_and_exclusions(cur: Any) -> None:
    add_document(cur, "a", ARTICLE)
    add_document(cur, "b", "The labour ministry said the agency was licensed; labour forced "
                           "nobody. Budget 3.5 million.")
    assert {h.ref for h in find(cur, "labour")} == {"a", "b"}
    assert [h.ref for h in find(cur, '"forced labour"')] == ["a"]
    assert [h.ref for h in find(cur, "forced-labour")] == ["a"]
    assert [h.ref for h in find(cur, "passp*")] == ["a"]
    assert find(cur, "passp") == []
    assert [h.ref for h in find(cur, "labour -ministry")] == ["a"]
    assert {h.ref for h in find(cur, "passports OR ministry")} == {"a", "b"}
    assert [h.ref for h in find(cur, "3.5")] == ["b"]
    hit = find(cur, '"forced labour"')[0]
    assert f"{MARK_START}forced labour{MARK_END}" in hit.snippet


def test_language_of_the_document_stems_its_words(cur: Any) -> None:
    add_document(cur, "en", ARTICLE, language="en-GB")
    add_document(cur, "plain", "Their passport was kept.")
    # English stemming finds "passports" for "passport"; the simple vector finds the word as is.
    assert {h.ref for h in find(cur, "passport")} == {"en", "plain"}
    assert [h.ref for h in find(cur, "promise")] == ["en"]
    hit = find(cur, "promise")[0]
    assert f"{MARK_START}promised{MARK_END}" in hit.snippet
    # A stop word of English is still found (the 'simple' half keeps every word).
    assert [h.ref for h in find(cur, '"on arrival"')] == ["en"]
    # An annotation is indexed in its document's language; re-indexing replaces its entries.
    postgres.index_annotation(cur, "ann", "en", "the workers' passports", "first note", None)
    postgres.index_annotation(cur, "ann", "en", "the workers' passports", "promises kept", None)
    assert {(h.kind, h.ref) for h in find(cur, "promise")} == {("document", "en"),
                                                               ("note", "ann")}
    assert find(cur, "first") == []
    cur.execute("SELECT count(*) FROM search_passages WHERE ref = 'ann'")
    assert cur.fetchone()[0] == 2


def test_snippets_mark_stems_accents_and_fall_back_to_ts_headline(cur: Any) -> None:
    add_document(cur, "en", "The workers were happy there. " + "Filler words go here. " * 20
                 + "Later the Café closed.", language="en")
    (hit,) = find(cur, "cafe")
    assert hit.snippet.startswith("…") and f"{MARK_START}Café{MARK_END}" in hit.snippet
    # "happiness" stems to 'happi', not a prefix of "happy": the server's ts_headline marks it.
    (hit,) = find(cur, "happiness")
    assert f"{MARK_START}happy{MARK_END}" in hit.snippet and hit.snippet.endswith("…")


def test_cjk_arabic_and_russian_text_is_found(cur: Any) -> None:
    add_document(cur, "zh", "据报道，工人在北京的工厂被扣留护照。")
    add_document(cur, "ar", "صادرت الوكالة جوازات سفر العمال في الميناء.", language="ar")
    add_document(cur, "ru", "Агентство забрало паспорта рабочих в порту.", language="ru")
    hits = find(cur, "北京")
    assert [h.ref for h in hits] == ["zh"] and f"{MARK_START}北京{MARK_END}" in hits[0].snippet
    assert [h.ref for h in find(cur, "护照")] == ["zh"]
    assert [h.ref for h in find(cur, "جوازات")] == ["ar"]
    assert [h.ref for h in find(cur, "جَوازات")] == ["ar"]  # typed with a vowel mark
    assert [h.ref for h in find(cur, "паспорт")] == ["ru"]  # Russian stemming
    assert [h.ref for h in find(cur, "паспорта")] == ["ru"]


def test_filters_and_superseded_versions(cur: Any) -> None:
    add_document(cur, "old", ARTICLE, current=False)
    add_document(cur, "doc", ARTICLE)
    cur.execute("INSERT INTO annotations VALUES ('ann', 1, 'draft')")
    cur.execute("INSERT INTO annotation_tags VALUES ('ann', 'tag1')")
    postgres.index_annotation(cur, "ann", "doc", "passports were taken", "two witnesses", None)
    assert {(h.kind, h.ref) for h in find(cur, "passports")} == {("document", "doc"),
                                                                 ("quote", "ann")}
    assert [h.kind for h in find(cur, "witnesses", Filters(author="Alice A."))] == ["note"]
    assert find(cur, "witnesses", Filters(author="bob")) == []
    assert [h.ref for h in find(cur, "passports", Filters(tag_ids=("tag1",)))] == ["ann"]
    assert find(cur, "passports", Filters(tag_ids=("tag2",))) == []
    assert find(cur, "passports", Filters(status="approved")) == []
    assert {h.ref for h in find(cur, "passports", Filters(document_id="doc"))} == {"doc", "ann"}
    postgres.remove(cur, "ann")
    assert [h.ref for h in find(cur, "witnesses")] == []


def test_any_text_is_a_valid_query(cur: Any) -> None:
    add_document(cur, "a", ARTICLE)
    for text in ['"', "passport*", "forced-labour", "NEAR(", "a OR", "(((", "AND", "-", "*",
                 "NOT x", 'say "unfinished', "a OR OR b", "^col:", "'", "\\", "", "':*",
                 "a & !b | c <-> d", "x:* y:A", "__", "a" * 3000, "'a' <2> 'b'", "!!", "@@"]:
        find(cur, text)
        postgres.find(cur, search_query.parse(text, as_you_type=True), Filters(), 50)


def test_a_common_word_is_ranked_among_its_newest_matches(
        cur: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    for i in range(30):
        repeats = " wages" * (3 if i == 2 else 1)
        add_document(cur, f"r{i:02}", f"Report {i}: the workers said the{repeats} were late.")
    assert [h.ref for h in find(cur, "wages")][:3] == ["r02", "r29", "r28"]
    monkeypatch.setattr(postgres, "RANK_CANDIDATES", 10)
    hits = postgres.find(cur, search_query.parse("wages"), Filters(), 5)
    assert [h.ref for h in hits] == ["r29", "r28", "r27", "r26", "r25"]  # r02 is not a candidate
    assert len(find(cur, "wages")) == 30  # never fewer candidates than hits asked for
    assert all(MARK_START in h.snippet for h in hits)


def test_the_ocr_language_of_a_scan_is_its_language(cur: Any) -> None:
    cur.execute("INSERT INTO documents VALUES ('scan', 'scan', '{}', true)")
    cur.execute("INSERT INTO pages VALUES ('scan', 1, %s)",
                (json.dumps({"engine": "tesseract", "lang": "rus"}),))
    postgres.index_document(cur, "scan", [(1, "Агентство забрало паспорта рабочих.", 0)])
    cur.execute("SELECT DISTINCT config FROM search_passages WHERE ref = 'scan'")
    assert cur.fetchall() == [("russian",)]
    assert [h.ref for h in find(cur, "паспорт")] == ["scan"]


def test_tokens_and_languages() -> None:
    assert tokens("Forced-labour, 3.5 café") == ["forced", "labour", "3", "5", "cafe"]
    assert tokens("在北京") == ["在", "北", "京"]
    assert config_for("en-GB") == "english" and config_for("eng+ara") == "english"
    assert config_for("rus") == "russian" and config_for("xx") == config_for(None) == "simple"
