"""Plain-text and Markdown import: encodings, normalisation, titles and structure."""

from __future__ import annotations

import codecs
import unicodedata

import pytest

from app.importers.base import ImportRefused
from app.importers.text import extract_text_file
from tests.helpers.corpus import corpus_dir, requires_corpus

NEWS = "the-week-north-korea-overseas-workers.txt"

# Realistic paragraphs: encoding detection needs more than a word or two to go on.
FRENCH = (
    "L’enquête révèle que l’entreprise a versé 1 200 € à l’agence de recrutement — "
    "« une pratique courante », selon un employé. Les ouvriers n’ont jamais reçu ce salaire.\n"
) * 3
JAPANESE = (
    "北朝鮮の海外労働者は、中国やロシアなどで強制労働に従事していると報告されている。"
    "企業は契約書と資金の流れを隠している。\n"
) * 3
CHINESE = (
    "朝鲜海外劳工在中国和俄罗斯等国从事强迫劳动，相关公司隐瞒了合同和资金流向。"
    "调查人员发现了证据。\n"
) * 3


@requires_corpus
def test_news_article_imports_as_plain_text() -> None:
    corpus = corpus_dir()
    assert corpus is not None
    data = (corpus / "text" / NEWS).read_bytes()
    doc = extract_text_file(data, NEWS)
    assert doc.kind == "text"
    assert doc.title == "Why does secretive North Korea have no problem sending workers overseas?"
    assert doc.metadata["encoding"] == "utf-8"
    # Inline Markdown shows as the words it marks; the link targets go to the metadata.
    raw = unicodedata.normalize("NFC", data.decode("utf-8"))
    assert doc.text == raw.replace("[", "").replace("](#)", "").replace("*any*", "any")
    assert "[The New Yorker](#)" not in doc.text and "The New Yorker" in doc.text
    links = doc.metadata["links"]
    assert isinstance(links, list) and links
    assert all(link["url"] == "#" for link in links)
    assert "The New Yorker" in [doc.text[link["start"]:link["end"]] for link in links]
    assert "North Korea also sends many forced laborers overseas." in doc.text
    paragraphs = [doc.text[s:e] for kind, s, e in doc.structure if kind == "paragraph"]
    assert "What did the commentators say?" in paragraphs
    assert any(p.startswith("North Korea is often considered") for p in paragraphs)
    assert all(p == p.strip() and "\n\n" not in p for p in paragraphs)
    assert doc.extractor.startswith("dossier.text/")


@pytest.mark.parametrize(
    ("text", "encoding", "expected_codecs"),
    [
        (FRENCH, "cp1252", {"cp1252"}),
        (JAPANESE, "shift_jis", {"shift_jis", "cp932"}),
        (CHINESE, "gb18030", {"gb18030"}),
    ],
)
def test_legacy_encodings_are_detected(text: str, encoding: str, expected_codecs: set[str]) -> None:
    doc = extract_text_file(text.encode(encoding), "notes.txt")
    assert doc.text == text
    assert doc.metadata["encoding"] in expected_codecs
    assert doc.metadata["encoding_detection"] == "detected"


@pytest.mark.parametrize(
    ("bom", "codec"),
    [
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
        (codecs.BOM_UTF32_LE, "utf-32-le"),
        (codecs.BOM_UTF32_BE, "utf-32-be"),
    ],
)
def test_byte_order_marks_win_and_are_removed(bom: bytes, codec: str) -> None:
    text = "Zeugenaussage: „Wir wurden nie bezahlt.“ 北朝鮮 😀\n"
    doc = extract_text_file(bom + text.encode(codec), "statement.txt")
    assert doc.text == text
    assert not doc.text.startswith("\ufeff")
    assert doc.metadata["encoding"] == codec
    assert doc.metadata["encoding_detection"] == "bom"


def test_utf16_with_bom_from_python_codec() -> None:
    text = "Line one\r\nLine two — ünïcödé\r\n"
    doc = extract_text_file(text.encode("utf-16"), "win.txt")
    assert doc.text == "Line one\nLine two — ünïcödé\n"
    assert doc.metadata["line_endings"] == "crlf"


def test_normalisation_nfc_and_line_ends() -> None:
    data = "Cafe\u0301 report\r\nsecond line\rthird line\n".encode()
    doc = extract_text_file(data, "r.txt")
    assert doc.text == "Café report\nsecond line\nthird line\n"
    assert doc.metadata["line_endings"] == "mixed"


def test_title_from_markdown_heading_and_structure() -> None:
    text = (
        "---\nlayout: post\n---\n\n"
        "Intro line before the heading.\n\n"
        "# Contracts and funding flows\n\n"
        "First paragraph,\nwrapped over two lines.\n\n"
        "## Payments\n\n"
        "- Agency A: €400,000\n- Agency B: €250,000\n\n"
        "> A quoted statement\n> over two lines.\n\n"
        "Setext heading\n==============\n\n"
        "```\n# not a heading inside code\n```\n"
    )
    doc = extract_text_file(text.encode(), "notes.md")
    assert doc.text == text  # markup kept
    assert doc.title == "Contracts and funding flows"
    assert doc.metadata["markup"] == "markdown"
    got = [(kind, doc.text[s:e]) for kind, s, e in doc.structure]
    assert ("heading", "# Contracts and funding flows") in got
    assert ("heading", "## Payments") in got
    assert ("heading", "Setext heading") in got
    assert ("paragraph", "First paragraph,\nwrapped over two lines.") in got
    assert ("list-item", "- Agency A: €400,000") in got
    assert ("list-item", "- Agency B: €250,000") in got
    assert ("quote", "> A quoted statement\n> over two lines.") in got
    assert ("paragraph", "```\n# not a heading inside code\n```") in got
    assert ("heading", "# not a heading inside code") not in got


def test_title_from_front_matter() -> None:
    doc = extract_text_file(b"---\ntitle: 'Field notes, March'\n---\n\nBody.\n", "n.md")
    assert doc.title == "Field notes, March"


def test_title_is_first_line_clipped_to_200_chars() -> None:
    first = "word " * 100
    doc = extract_text_file(f"\n\n  {first}\n\nBody text.\n".encode(), "long.txt")
    assert len(doc.title) <= 200
    assert doc.title.endswith("…")
    assert doc.title.startswith("word word")


def test_plain_text_does_not_take_hash_lines_as_title() -> None:
    doc = extract_text_file(b"Shell session notes\n\n# echo hello\nhello\n", "session.txt")
    assert doc.title == "Shell session notes"
    assert doc.metadata["markup"] == "plain"


def test_empty_and_blank_files_are_refused() -> None:
    with pytest.raises(ImportRefused, match=r"^empty\.txt is empty \(0 bytes\)"):
        extract_text_file(b"", "empty.txt")
    with pytest.raises(ImportRefused, match="only white space"):
        extract_text_file(b" \n\t\r\n", "blank.txt")


def test_binary_data_is_refused() -> None:
    with pytest.raises(ImportRefused, match=r"^blob\.txt: not a supported file"):
        extract_text_file(bytes(range(256)) * 4, "blob.txt")


@pytest.mark.parametrize(("markdown", "shown"), [
    ("See [the ministry](https://gov.example/a) deny it.", "See the ministry deny it."),
    ("They **denied** it *twice* and __again__.", "They denied it twice and again."),
    ("snake_case_name, 2*3*4 and a * lone star * stay.", "snake_case_name, 2*3*4 and a * lone "
     "star * stay."),
    ("![map](m.png) of `site_7`.", "map of site_7."),
    ("```\n[kept](as written)\n```", "```\n[kept](as written)\n```"),
])
def test_markdown_inline_markup_is_shown_as_text(markdown: str, shown: str) -> None:
    doc = extract_text_file(("# Report\n\n" + markdown + "\n").encode(), "report.md")
    assert doc.text == "# Report\n\n" + shown + "\n"


def test_link_targets_are_kept_with_their_words() -> None:
    doc = extract_text_file(b"# Wages\n\nPaid to [a state account](https://b.example/x).\n",
                            "wages.md")
    (link,) = doc.metadata["links"]  # type: ignore[misc]
    assert doc.text[link["start"]:link["end"]] == "a state account"
    assert link["url"] == "https://b.example/x"
