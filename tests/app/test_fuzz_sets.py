"""Seeded fuzzing of ``import-set`` (the short CI run; ``benchmarks/fuzz_imports.py`` runs many
more): a JSON-LD set, an evidence bundle and a REFI-QDA project, mutated by structure and by bytes,
each end imported or refused with one line naming the file, a refusal writing nothing;
``verify`` passes afterwards."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from app.dossier import Dossier
from app.services.integrity import verify
from tests.helpers.documents import add_text_document
from tests.helpers.fuzz_sets import SET_TEXT, import_set_one, mutated_sets, source_sets

SEED = 20261130


def test_mutated_sets_end_well(dossier: Dossier, tmp_path: Path) -> None:
    sets = source_sets(tmp_path, 16)
    add_text_document(dossier, SET_TEXT, "Set source")
    scratch = tmp_path / "in"
    scratch.mkdir()
    outcomes = [import_set_one(dossier, scratch, data, name)
                for name, data in mutated_sets(sets, random.Random(SEED), 4)]
    statuses = {o.status for o in outcomes}
    assert statuses <= {"imported", "present", "warned", "refused"}
    assert "refused" in statuses and statuses - {"refused"}
    report = verify(dossier)
    assert report.ok, report.problems


def test_a_refi_date_out_of_range_is_refused_in_one_line(tmp_path: Path) -> None:
    from app.errors import BadInput
    from app.exchange.refi.model import read_qdpx
    from tests.app.test_exchange_refi import SOURCE, _package, _project, _selection, _text_source

    text = "They took our passports at the border."
    selection = _selection(5, 23).replace("2024-05-01T09:30:00Z", "0001-01-01T00:00:00+14:00")
    path = _package(tmp_path / "old.qdpx", _project(_text_source(selection)),
                    {f"sources/{SOURCE}.txt": text.encode()})
    with pytest.raises(BadInput) as caught:  # the fuzz run found an internal error here
        read_qdpx(path)
    message = str(caught.value)
    assert "\n" not in message and message.startswith("old.qdpx")
    assert "creation date '0001-01-01T00:00:00+14:00' is out of range" in message
