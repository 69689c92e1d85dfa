"""Hostile sets are refused cleanly, in bounded memory, with nothing written."""

from __future__ import annotations

import json
import stat
import struct
import subprocess
import sys
import tracemalloc
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from app.dossier import Dossier
from app.errors import BadInput
from app.exchange.bundle.read import verify_bundle
from app.exchange.safety.archives import SafeZip, ZipLimits
from app.exchange.safety.json_stream import JsonLimits
from app.services.sets.merge import import_set
from tests.app.test_exchange_jsonld import counts, seed

MANIFEST = json.dumps({"format": "dossier-evidence-bundle", "version": 1, "files": []}).encode()


def make_zip(path: Path, members: dict[str, bytes], *, symlink: str | None = None) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
        if symlink:
            info = zipfile.ZipInfo(symlink)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            zf.writestr(info, "/etc/passwd")
    return path


def refused_unchanged(dossier: Dossier, path: Path, message: str) -> str:
    """Import ``path``; it must raise BadInput matching ``message`` and write nothing."""
    before = counts(dossier)
    with pytest.raises(BadInput, match=message) as caught:
        import_set(dossier, path)
    assert counts(dossier) == before
    assert "\n" not in str(caught.value)
    return str(caught.value)


def peak_memory(action: Callable[[], object]) -> int:
    """Peak bytes allocated by Python while ``action`` runs."""
    tracemalloc.start()
    try:
        action()
    except BadInput:
        pass
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak


# -- ZIP ------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "message"), [
    ("../../evil.txt", "climbs out of the archive"),
    ("originals/../../evil.txt", "climbs out of the archive"),
    ("/etc/cron.d/evil", "absolute path"),
    ("C:/Windows/evil.dll", "absolute path"),
    ("\\\\server\\share\\evil", "absolute path"),
])
def test_zip_with_escaping_paths_is_refused(dossier: Dossier, tmp_path: Path, name: str,
                                            message: str) -> None:
    seed(dossier)
    path = make_zip(tmp_path / "bad.zip", {"manifest.json": MANIFEST, name: b"x"})
    refused_unchanged(dossier, path, message)
    with pytest.raises(BadInput, match=message):
        verify_bundle(path)
    assert not (tmp_path.parent / "evil.txt").exists()


def test_zip_with_a_symlink_is_refused(dossier: Dossier, tmp_path: Path) -> None:
    path = make_zip(tmp_path / "link.zip", {"manifest.json": MANIFEST},
                    symlink="originals/passwd")
    refused_unchanged(dossier, path, "is a symbolic link")


def test_zip_bomb_is_refused_before_it_expands(dossier: Dossier, tmp_path: Path) -> None:
    path = tmp_path / "bomb.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("manifest.json", MANIFEST)
        with zf.open("annotations.jsonld", "w") as fh:
            for _ in range(48):
                fh.write(b"\0" * (1 << 20))
    assert path.stat().st_size < 200_000
    peak = peak_memory(lambda: refused_unchanged(dossier, path, "possible zip bomb"))
    assert peak < 5 * 1024 * 1024  # refused before expanding: 48 MB never exist


def test_member_lying_about_its_size_is_refused_when_read(tmp_path: Path) -> None:
    data = b"A" * 200_000
    path = make_zip(tmp_path / "liar.zip", {"annotations.jsonld": data})
    raw = bytearray(path.read_bytes())
    local, central = raw.find(b"PK\x03\x04"), raw.find(b"PK\x01\x02")
    struct.pack_into("<L", raw, local + 22, 1000)  # uncompressed size in the local header
    struct.pack_into("<L", raw, central + 24, 1000)  # and in the central directory
    path.write_bytes(bytes(raw))
    with SafeZip(path) as z, pytest.raises(BadInput, match="is damaged"):
        z.read("annotations.jsonld", max_bytes=10_000_000)


def test_too_many_members_or_too_much_data_is_refused(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "many.zip", {f"f{i}": b"x" * 100 for i in range(60)})
    with pytest.raises(BadInput, match="holds 60 members, more than the 50"):
        SafeZip(path, limits=ZipLimits(max_entries=50))
    with pytest.raises(BadInput, match="more than 5000 bytes in all"):
        SafeZip(path, limits=ZipLimits(max_total_bytes=5000))
    with pytest.raises(BadInput, match="appears twice"):
        with zipfile.ZipFile(tmp_path / "dup.zip", "w") as zf:
            zf.writestr("a", b"1")
            with pytest.warns(UserWarning):
                zf.writestr("a", b"2")
        SafeZip(tmp_path / "dup.zip")


def test_not_a_zip_with_a_zip_name_is_refused(dossier: Dossier, tmp_path: Path) -> None:
    path = tmp_path / "fake.zip"
    path.write_bytes(b"PK\x03\x04" + b"\0" * 100)
    refused_unchanged(dossier, path, "not a ZIP archive|not a readable ZIP")


# -- XML (REFI-QDA packages) ------------------------------------------------------------------

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE Project [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<Project xmlns="urn:QDA-XML:project:1.0" name="&secret;"/>"""
LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<Project xmlns="urn:QDA-XML:project:1.0" name="&lol3;"/>"""


@pytest.mark.parametrize("xml", [EXTERNAL_ENTITY, LAUGHS], ids=["external-entity",
                                                                "billion-laughs"])
def test_qdpx_with_entities_is_refused(dossier: Dossier, tmp_path: Path, xml: bytes) -> None:
    path = make_zip(tmp_path / "project.qdpx", {"project.qde": xml})
    message = refused_unchanged(dossier, path, "document type|entit|DTD")
    assert "root:" not in message


# -- JSON -----------------------------------------------------------------------------------------

def test_malformed_json_is_refused_with_its_place(dossier: Dossier, tmp_path: Path) -> None:
    path = tmp_path / "broken.jsonld"
    path.write_text('{"@context": "http://www.w3.org/ns/anno.jsonld",\n'
                    '"type": "AnnotationCollection", "first": {"items": [\n'
                    '{"id": "urn:uuid:1", "type": "Annotation"},\n'
                    '{"id": "urn:uuid:2" "type": "Annotation"}]}}', encoding="utf-8")
    message = refused_unchanged(dossier, path, "not valid JSON in annotation 2: .*I expect ','")
    assert '(near: tion"}, {"id": "urn:uuid:2" "type": "Annotation"}]}})' in message


@pytest.mark.parametrize(("text", "message"), [
    ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
    ('{"type": "AnnotationCollection", "total": NaN}',
     "not valid JSON in the value of 'total': .*invalid char .*NaN"),
    ("[1" + "0" * 5000 + "]", "a number too large to read"),
    ('{"type": "Annotation"} {"type": "Annotation"}', "unexpected data after"),
    ("", "the file is empty|not a JSON-LD annotation set"),
])
def test_json_tricks_are_refused(dossier: Dossier, tmp_path: Path, text: str,
                                 message: str) -> None:
    path = tmp_path / "trick.json"
    path.write_text(text, encoding="utf-8")
    refused_unchanged(dossier, path, message)


def test_invalid_utf8_is_refused(dossier: Dossier, tmp_path: Path) -> None:
    path = tmp_path / "latin1.json"
    path.write_bytes(b'[{"id": "caf\xe9"}]')
    refused_unchanged(dossier, path, "not UTF-8")


def write_million_rows(path: Path, row: str, opening: str, closing: str) -> None:
    """Write a file of a million rows in chunks, never holding it whole."""
    with path.open("w", encoding="utf-8") as fh:
        fh.write(opening)
        chunk = (row + ",") * 10_000
        for _ in range(99):
            fh.write(chunk)
        fh.write((row + ",") * 9_999 + row)
        fh.write(closing)


def peak_growth_in_a_child(dossier: Dossier, path: Path) -> tuple[str, int]:
    """Run import-set of ``path`` in a fresh process: its message and how far its peak RSS grew.

    (A process of its own measures real memory without tracemalloc, which slows every small
    allocation of a streaming parser a hundredfold.)
    """
    code = (
        "import resource, sys\n"
        "from app.dossier import Dossier\n"
        "from app.errors import BadInput\n"
        "import app.exchange.jsonld.read, app.exchange.safety.json_stream\n"
        "from app.services.sets.merge import import_set\n"
        "d = Dossier.open(sys.argv[1], user='alice')\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "try:\n"
        "    import_set(d, sys.argv[2]); print('imported')\n"
        "except BadInput as exc:\n"
        "    print(exc)\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code, str(dossier.folder), str(path)],
                          capture_output=True, text=True, timeout=300, check=True,
                          cwd=Path(__file__).resolve().parents[2])
    message, growth_kib = proc.stdout.strip().splitlines()
    return message, int(growth_kib) * 1024


@pytest.mark.slow
def test_json_with_a_million_annotations_is_refused_in_bounded_memory(
        dossier: Dossier, tmp_path: Path) -> None:
    path = tmp_path / "million.jsonld"
    row = '{"id":"urn:uuid:00000000-0000-4000-8000-000000000000","type":"Annotation"}'
    write_million_rows(path, row, '{"@context":"http://www.w3.org/ns/anno.jsonld","type":'
                       '"AnnotationCollection","first":{"type":"AnnotationPage","items":[',
                       "]}}")
    assert path.stat().st_size > 70_000_000
    before = counts(dossier)
    message, growth = peak_growth_in_a_child(dossier, path)
    assert f"more than {JsonLimits().max_items} annotations" in message
    assert growth < 20 * 1024 * 1024, growth  # the file is 70 MB; a parse would take ~1 GB
    assert counts(dossier) == before


@pytest.mark.slow
def test_one_annotation_with_a_million_bodies_is_refused_in_bounded_memory(
        dossier: Dossier, tmp_path: Path) -> None:
    path = tmp_path / "fat.jsonld"
    write_million_rows(path, '{"type":"TextualBody","purpose":"tagging","value":"x"}',
                       '[{"@context":"http://www.w3.org/ns/anno.jsonld","type":"Annotation",'
                       '"id":"urn:uuid:1","body":[', "]}]")
    peak = peak_memory(lambda: refused_unchanged(dossier, path,
                                                 "annotation 1 is larger than"))
    assert peak < 64 * 1024 * 1024, peak


def test_csv_with_a_million_rows_is_refused_without_reading_it(
        dossier: Dossier, tmp_path: Path) -> None:
    path = tmp_path / "million.csv"
    write_million_rows(path, "\r\n1,doc,quote,tag", "annotation_id,document,exact,tag", "\r\n")
    peak = peak_memory(lambda: refused_unchanged(dossier, path, "CSV and XLSX are for reading"))
    assert peak < 1024 * 1024


def test_set_larger_than_the_limit_is_refused_before_parsing(dossier: Dossier,
                                                            tmp_path: Path) -> None:
    path = tmp_path / "huge.jsonld"
    with path.open("wb") as fh:  # sparse: 1.5 GiB that takes no disk
        fh.write(b'{"type": "AnnotationCollection", "first": {"items": [')
        fh.truncate(1536 * 1024 * 1024)
    peak = peak_memory(lambda: refused_unchanged(dossier, path,
                                                 "larger than the 1073741824 bytes"))
    assert peak < 1024 * 1024  # refused from its size, before reading
