"""Seeded mutation of annotation sets (JSON-LD, evidence bundles, REFI-QDA projects) and the
check that one ``import-set`` ended well: imported, or refused with one line naming the file,
and the dossier unchanged by a refusal.

JSON-LD sets are mutated by structure as well as by bytes: values are replaced by hostile ones
(huge and negative numbers, out-of-range dates, lone surrogates, long strings, wrong types), keys
dropped and items doubled, so that the file still parses and the set import's own checks are
what is exercised.
"""

from __future__ import annotations

import io
import json
import random
import zipfile
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from app.dossier import Dossier
from app.errors import DossierError
from app.services.sets.merge import import_set
from db.models import Annotation, AuditEvent
from tests.helpers.fuzz import Outcome, mutate

#: Stands for a number of 5,000 digits (written into the JSON text after encoding).
HUGE = "huge-number-of-5000-digits"
HOSTILE_VALUES: list[Any] = [
    -1, 0, 2**31, 2**63, HUGE, -(2**40), 1e308, 0.5, True, None, "", [], {},
    "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "2026-13-45T99:99:99Z",
    "\ud800", "a\udfffb", "x" * 100_000, "\x00", "urn:uuid:../../etc/passwd", "<b>bold</b>",
    "A1", "approved", "Z9",
]


def mutate_json(value: Any, rng: random.Random, edits: int) -> Any:
    """``value`` (parsed JSON) with ``edits`` random structural changes."""
    for _ in range(edits):
        path = _random_path(value, rng)
        if not path:
            continue
        *parents, last = path
        holder = value
        for key in parents:
            holder = holder[key]
        kind = rng.randrange(4)
        if kind == 0 and isinstance(holder, dict):
            del holder[last]
        elif kind == 1 and isinstance(holder, list):
            holder.insert(last, json.loads(json.dumps(holder[last])))
        else:
            holder[last] = rng.choice(HOSTILE_VALUES)
    return value


def _dumps(value: Any) -> bytes:
    text = json.dumps(value, ensure_ascii=True)
    return text.replace(f'"{HUGE}"', "1" + "0" * 4999).encode("utf-8")


def _random_path(value: Any, rng: random.Random) -> list[Any]:
    path: list[Any] = []
    while isinstance(value, dict | list) and value:
        key = rng.choice(list(value)) if isinstance(value, dict) else rng.randrange(len(value))
        path.append(key)
        value = value[key]
        if rng.random() < 0.2:
            break
    return path


def mutate_xml(data: bytes, rng: random.Random, edits: int) -> bytes:
    """An XML document with ``edits`` attribute values replaced by hostile ones."""
    from xml.etree import ElementTree

    root = ElementTree.fromstring(data)
    elements = [e for e in root.iter() if e.attrib]
    for _ in range(edits):
        if not elements:
            break
        element = rng.choice(elements)
        key = rng.choice(list(element.attrib))
        value = rng.choice(HOSTILE_VALUES)
        text = "1" + "0" * 4999 if value == HUGE else (
            value if isinstance(value, str) else json.dumps(value))
        element.attrib[key] = "".join(c for c in text if not 0xD800 <= ord(c) <= 0xDFFF)
    return ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)


def _mutate_member(data: bytes, rng: random.Random) -> bytes:
    """A ZIP set with one member mutated by structure (JSON, XML) and re-packed."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        members = {info.filename: z.read(info) for info in z.infolist()}
    candidates = [n for n in members if n.endswith((".jsonld", ".json", ".qde", ".jsonl"))]
    if not candidates:
        return mutate(data, rng)
    name = rng.choice(candidates)
    body = members[name]
    if name.endswith(".qde"):
        members[name] = mutate_xml(body, rng, rng.randrange(1, 6))
    elif name.endswith(".jsonl"):
        lines = body.split(b"\n")
        at = rng.randrange(len(lines))
        if lines[at].strip():
            lines[at] = _dumps(mutate_json(json.loads(lines[at]), rng, 2))
        members[name] = b"\n".join(lines)
    else:
        members[name] = _dumps(mutate_json(json.loads(body), rng, rng.randrange(1, 6)))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for member, content in members.items():
            z.writestr(member, content)
    return out.getvalue()


def mutated_sets(sets: dict[str, bytes], rng: random.Random,
                 count: int) -> list[tuple[str, bytes]]:
    """``count`` mutations of each set: two in three by structure (JSON-LD values; for the
    ZIP-based formats one member's JSON or XML, re-packed), the others by bytes."""
    out: list[tuple[str, bytes]] = []
    for name, data in sets.items():
        for i in range(count):
            if i % 3 == 2:
                mutated = mutate(data, rng, edits=rng.randrange(1, 8))
            elif name.endswith(".jsonld"):
                mutated = _dumps(mutate_json(json.loads(data), rng, rng.randrange(1, 6)))
            else:
                mutated = _mutate_member(data, rng)
            out.append((f"m{i}-{name}", mutated))
    return out


SET_TEXT = " ".join(f"Passport {i} was kept by the agency; wages {i % 97} went to the state "
                    "account." for i in range(2_000))


def source_sets(folder: Path, count: int) -> dict[str, bytes]:
    """A JSON-LD set, a bundle and a .qdpx of ``count`` annotations (tags, grades, notes, and
    reviews for a tenth of them), exported from a dossier made in ``folder``."""
    from app.exchange import export
    from app.services import annotations, codebook, roles, workflow
    from tests.helpers.documents import add_text_document

    sender = Dossier.open(folder / "sender", user="sender")
    doc = add_text_document(sender, SET_TEXT, "Set source")
    with sender.read() as session:
        tags = [t.id for t in codebook.list_tags(session) if t.is_codable]
    ids = []
    for i in range(count):
        start = (i * 331) % (len(SET_TEXT) - 80)
        ann = annotations.create_annotation(
            sender, doc.id, start, start + 20 + i % 50, tags[i % 3: i % 3 + i % 4],
            note=f"note {i} \u00e9\u4e2d" * (i % 5), reliability="ABCDEF"[i % 6],
            credibility=1 + i % 6)
        ids.append(ann.id)
    workflow.submit(sender, ids[:count // 5])
    roles.add_user(sender, "reviewer", "reviewer")
    sender.act_as("reviewer")
    workflow.decide(sender, ids[:count // 10], "approve", reason="checked")
    out = {}
    for fmt, name in (("jsonld", "set.jsonld"), ("bundle", "set.zip"), ("qdpx", "set.qdpx")):
        export(sender, fmt, folder / name)
        out[name] = (folder / name).read_bytes()
    sender.close()
    return out


def _counts(dossier: Dossier) -> tuple[int, int]:
    with dossier.read() as session:
        return (session.scalar(select(func.count()).select_from(Annotation)) or 0,
                session.scalar(select(func.count()).select_from(AuditEvent)) or 0)


def import_set_one(dossier: Dossier, folder: Path, data: bytes, name: str) -> Outcome:
    """Import ``data`` as the set file ``name``; raise AssertionError unless it ended well."""
    path = folder / name
    path.write_bytes(data)
    before = _counts(dossier)
    try:
        summary = import_set(dossier, path)
    except DossierError as exc:
        message = str(exc)
        assert "\n" not in message, f"{name}: refusal is not one line: {message!r}"
        assert "internal error" not in message and "Traceback" not in message, message
        assert name in message, f"{name}: refusal does not name the file: {message!r}"
        assert _counts(dossier) == before, f"{name}: a refused set changed the dossier"
        return Outcome(name, "refused", message)
    finally:
        path.unlink()
    for warning in summary.warnings:
        assert "\n" not in warning, warning
    if summary.changed_anything:
        return Outcome(name, "imported")
    return Outcome(name, "warned" if summary.warnings else "present")
