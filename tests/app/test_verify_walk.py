"""verify's fast walk: each event's canonical text is exactly what the chain hashes, whatever its
strings hold, and the whole check reads one snapshot, so work saved while it runs is not taken
for tampering."""

from __future__ import annotations

import pytest

from app import audit
from app.dossier import Dossier
from app.services import annotations
from app.services.integrity import verify
from tests.helpers.documents import add_text_document

AWKWARD = ['plain', 'quote " and backslash \\', "tab\tnew line\ncarriage\rbell\x07",
           "nul \x00 and \x1f unit separator", "non-ASCII: Łódź, 東京, emoji 🙂",
           "line separator \u2028 and \u2029", "", "delete \x7f"]


@pytest.mark.parametrize("text", AWKWARD)
@pytest.mark.parametrize("state", [None, "annotation:a=" + "f" * 64, "x:y=-\nz:w=ab"])
def test_the_event_text_is_the_canonical_json_the_chain_hashes(text: str,
                                                               state: str | None) -> None:
    entry = {"seq": 12, "at": "2026-01-01T00:00:00Z", "actor": text, "action": "annotation.add",
             "object_type": "annotation", "object_id": text, "payload": '{"note":' + repr(text)}
    if state is not None:
        entry["state"] = state
    assert audit._entry_text(12, entry["at"], text, "annotation.add", "annotation", text,
                             entry["payload"], state) == audit.canonical_json(entry)


def test_a_value_of_another_type_is_left_to_the_general_encoder() -> None:
    assert audit._entry_text(1, None, "a", "b", "c", "d", "e", None) == ""
    assert audit._entry_text("1", "t", "a", "b", "c", "d", "e", None) == ""


def test_work_saved_while_verify_runs_is_not_taken_for_tampering(dossier: Dossier) -> None:
    doc = add_text_document(dossier, "Brokers kept the workers' passports.")
    added: list[str] = []

    def meanwhile() -> bool:  # called at each of verify's checkpoints: someone keeps working
        added.append(annotations.create_annotation(dossier, doc.id, 0, 7).id)
        return False

    report = verify(dossier, cancel=meanwhile)
    assert report.ok, report.problems
    assert len(added) > 3  # before, during and after the walk of the chain
    assert verify(dossier).ok
