"""Search: any typed text is a valid query; phrases, prefixes, OR, exclusions and filters.

Every test taking ``dossier`` runs on both engines: a dossier folder (SQLite FTS5) and a team
dossier (PostgreSQL tsvector), with the same assertions.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from app import search_query
from app.dossier import Dossier
from app.services import annotations as annotation_service
from app.services import codebook
from app.services import search as search_service
from app.services.search import MARK_END, MARK_START
from tests.helpers.corpus import corpus_dir, requires_corpus
from tests.helpers.documents import add_text_document

ARTICLE = ("Recruiters promised factory work abroad. On arrival the workers' passports were "
           "taken by the agency, and forced labour followed for two years. A passport office "
           "near the port issued new papers.")
OTHER = "The labour ministry said the agency was licensed and that labour forced nobody."

TRICKY = ['"', "passport*", "forced-labour", "NEAR(", "a OR", "(((", "AND", "-", "*", "NOT x",
          'say "unfinished phrase', "NEAR(a b", "a OR OR b", "^col:", "'", "\\", ""]


@pytest.fixture
def dossier(any_dossier: Dossier) -> Dossier:
    """The dossier of this run's engine."""
    return any_dossier


def tag_id(dossier: Dossier, name: str) -> str:
    with dossier.read() as session:
        return codebook.resolve_tag(session, name).id


@pytest.mark.parametrize("text", TRICKY)
def test_any_text_is_a_valid_query(dossier: Dossier, text: str) -> None:
    add_text_document(dossier, ARTICLE)
    search_service.search(dossier, text)  # never raises
    search_service.search(dossier, text, as_you_type=True)


def test_phrase_matches_words_in_order_only(dossier: Dossier) -> None:
    doc = add_text_document(dossier, ARTICLE, "Article")
    add_text_document(dossier, OTHER, "Ministry")
    hits = search_service.search(dossier, '"forced labour"')
    assert [h.document_id for h in hits] == [doc.id]
    assert f"{MARK_START}forced labour{MARK_END}" in hits[0].snippet
    # A hyphenated word is the same phrase.
    assert [h.document_id for h in search_service.search(dossier, "forced-labour")] == [doc.id]


def test_prefix_or_and_exclusion(dossier: Dossier) -> None:
    doc = add_text_document(dossier, ARTICLE, "Article")
    other = add_text_document(dossier, OTHER, "Ministry")
    assert {h.document_id for h in search_service.search(dossier, "passport*")} == {doc.id}
    assert search_service.search(dossier, "passpo") == []
    assert {h.document_id for h in search_service.search(dossier, "passpo",
                                                         as_you_type=True)} == {doc.id}
    assert {h.document_id for h in search_service.search(dossier, "passports OR ministry")} \
        == {doc.id, other.id}
    assert {h.document_id for h in search_service.search(dossier, "labour -ministry")} \
        == {doc.id}
    assert {h.document_id for h in search_service.search(dossier, "a OR")} == {doc.id}


def test_filters_by_tag_status_author_and_document(dossier: Dossier) -> None:
    doc = add_text_document(dossier, ARTICLE, "Article")
    text = ARTICLE
    start = text.index("passports were taken")
    ann = annotation_service.create_annotation(
        dossier, doc.id, start, start + len("passports were taken"),
        [tag_id(dossier, "Retention of identity documents")], note="seen by two witnesses")
    hits = search_service.search(dossier, "passports")
    assert {h.kind for h in hits} == {"document", "quote"}
    tagged = search_service.search(dossier, "passports", tag="Retention of identity documents")
    assert [(h.kind, h.ref) for h in tagged] == [("quote", ann.id)]
    assert search_service.search(dossier, "passports", tag="Deception") == []
    assert [h.kind for h in search_service.search(dossier, "witnesses", author="alice")] \
        == ["note"]
    assert search_service.search(dossier, "witnesses", author="bob") == []
    assert search_service.search(dossier, "witnesses", status="approved") == []
    assert search_service.search(dossier, "passports", document_id="nothing") == []


def test_locate_finds_the_passage_to_show(dossier: Dossier) -> None:
    doc = add_text_document(dossier, ARTICLE, "Article")
    hit = search_service.search(dossier, '"forced labour"')[0]
    start, end = search_service.locate(dossier, hit, '"forced labour"')
    assert ARTICLE[start:end] == "forced labour"
    hit = search_service.search(dossier, "passport*")[0]
    start, end = search_service.locate(dossier, hit, "passport*")
    assert ARTICLE[start:end] == "passports"
    assert hit.document_id == doc.id


def test_translation_quotes_every_word() -> None:
    assert search_query.to_fts('NEAR(') == ""
    assert search_query.to_fts("near") == '"near"'
    assert search_query.to_fts("forced-labour") == '"forced labour"'
    assert search_query.to_fts("passport*") == '"passport"*'
    assert search_query.to_fts("a b OR c") == '"a" AND ("b" OR "c")'
    assert search_query.to_fts('say "to them') == '"say" AND "to them"'


def test_long_texts_are_indexed_in_passages_and_a_hit_opens_at_its_own(dossier: Dossier) -> None:
    filler = "Nothing of note happened on this day at the yard.\n\n" * 120
    text = filler + "The broker kept the passports of new arrivals.\n\n" + filler
    add_text_document(dossier, "Passports appear in the summary too. " + text, "Long")
    hits = search_service.search(dossier, '"kept the passports"')
    assert len(hits) == 1 and hits[0].start is not None and hits[0].start > 0
    full = "Passports appear in the summary too. " + text
    start, end = search_service.locate(dossier, hits[0], '"kept the passports"')
    assert full[start:end] == "kept the passports"
    hit = search_service.search(dossier, "arrivals")[0]
    start, end = search_service.locate(dossier, hit, "passports")  # nearest to the passage
    assert full[start:end] == "passports" and start > len(filler)


def test_a_query_too_common_to_rank_in_time_lists_the_newest_matches(
        dossier: Dossier, monkeypatch: pytest.MonkeyPatch) -> None:
    from db import search as index

    for i in range(30):
        add_text_document(dossier, f"Report {i}: the workers said the wages were late.", f"R{i}")
    ranked = search_service.search(dossier, "wages")
    monkeypatch.setattr(index, "RANK_BUDGET_S", 0.0)
    monkeypatch.setattr(index, "PROGRESS_STEPS", 1)
    newest = search_service.search(dossier, "wages")
    assert len(newest) == len(ranked) == 30
    assert [h.title for h in newest[:2]] == ["R29", "R28"]
    assert all(MARK_START in h.snippet for h in newest)


def test_cjk_arabic_and_russian_text_is_findable(dossier: Dossier, engine_name: str) -> None:
    zh = add_text_document(dossier, "调查报告：工人的护照被扣留。北京，上海。", "ZH")
    ar = add_text_document(dossier, "صادرت الوكالة جوازات سفر العمال في الميناء.", "AR")
    ru = add_text_document(dossier, "Агентство забрало Паспорта рабочих в порту.", "RU")
    for query, doc in (("北京", zh), ("جوازات", ar), ("паспорта", ru), ("паспорт*", ru),
                       ('"забрало паспорта"', ru), ("الميناء", ar)):
        hits = search_service.search(dossier, query)
        assert [h.document_id for h in hits] == [doc.id], query
        assert MARK_START in hits[0].snippet
    hit = search_service.search(dossier, "паспорта")[0]
    assert f"{MARK_START}Паспорта{MARK_END}" in hit.snippet
    if engine_name == "postgresql":
        # The team index also finds a word inside an unspaced CJK sentence (FTS5 reads the
        # whole run between punctuation as one word).
        hits = search_service.search(dossier, "护照")
        assert [h.document_id for h in hits] == [zh.id]
        assert f"{MARK_START}护照{MARK_END}" in hits[0].snippet


def test_quotes_and_notes_are_found_with_their_own_snippets(dossier: Dossier) -> None:
    doc = add_text_document(dossier, ARTICLE, "Article")
    start = ARTICLE.index("passports were taken")
    ann = annotation_service.create_annotation(
        dossier, doc.id, start, start + len("passports were taken"),
        note="Two witnesses confirmed it to the Гардиан reporter")
    hits = {(h.kind, h.ref): h for h in search_service.search(dossier, "passports")}
    assert set(hits) == {("document", doc.id), ("quote", ann.id)}
    assert hits[("quote", ann.id)].plain_snippet() == "[passports] were taken"
    assert hits[("quote", ann.id)].title == "Article"
    (note,) = search_service.search(dossier, "гардиан")
    assert (note.kind, note.ref, note.document_id) == ("note", ann.id, doc.id)
    assert "[Гардиан]" in note.plain_snippet()
    annotation_service.update_annotation(dossier, ann.id, note="nothing left")
    assert search_service.search(dossier, "гардиан") == []
    annotation_service.delete_annotation(dossier, ann.id)
    assert [h.kind for h in search_service.search(dossier, "passports")] == ["document"]


def test_annotations_of_an_imported_set_are_searchable(
        dossier: Dossier, template_dossier: Path, tmp_path: Path) -> None:
    from app.exchange import export
    from app.exchange.filters import build_filter
    from app.services.sets.merge import import_set
    from tests.app.test_exchange_jsonld import open_empty

    source = open_empty(template_dossier, tmp_path / "source")
    try:
        doc = add_text_document(source, ARTICLE, "Article")
        start = ARTICLE.index("forced labour")
        annotation_service.create_annotation(source, doc.id, start, start + 13,
                                             note="reported by the harbour chaplain")
        path = tmp_path / "set.zip"
        export(source, "bundle", path, build_filter(source, documents=[doc.id]))
    finally:
        source.close()
    import_set(dossier, path)
    assert [h.kind for h in search_service.search(dossier, "chaplain")] == ["note"]
    assert {h.kind for h in search_service.search(dossier, '"forced labour"')} \
        == {"document", "quote"}


@requires_corpus
def test_a_web_page_is_searched_in_the_language_it_declares(
        dossier: Dossier, engine_name: str) -> None:
    from app.services import imports

    page = corpus_dir() / "html" / "spiegel.de.albtraum.html"
    (result,) = imports.import_many(dossier, [str(page)])
    assert result.document is not None and result.document.metadata["language"] == "de"
    exact = search_service.search(dossier, "gefälschten")
    assert {h.document_id for h in exact} == {result.document.id}
    # On a team dossier German stemming finds other forms of the word; FTS5 does not stem.
    stemmed = search_service.search(dossier, "Faktor")  # the text has "Faktoren" only
    if engine_name == "sqlite":
        assert stemmed == []
    else:
        assert {h.document_id for h in stemmed} == {result.document.id}
        assert any(f"{MARK_START}Faktoren{MARK_END}" in h.snippet for h in stemmed)


def test_the_search_command_on_both_engines(dossier: Dossier,
                                            any_dossier_path: Path | str) -> None:
    from tests.helpers.cli import cli_json, run_cli

    doc = add_text_document(dossier, ARTICLE, "Article")
    start = ARTICLE.index("forced labour")
    ann = annotation_service.create_annotation(dossier, doc.id, start, start + 13,
                                               note="confirmed by the chaplain")
    found = cli_json(any_dossier_path, "search", '"forced labour"')
    assert {(h["kind"], h["id"]) for h in found} == {("document", doc.id), ("quote", ann.id)}
    assert all("[forced labour]" in h["snippet"] and h["title"] == "Article" for h in found)
    assert [h["kind"] for h in cli_json(any_dossier_path, "search", "chaplain",
                                        "--author", "alice")] == ["note"]
    proc = run_cli(any_dossier_path, "search", 'NEAR( "unclosed -')
    assert proc.returncode == 0 and "Traceback" not in proc.stderr
