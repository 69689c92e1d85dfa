"""The money commands as a user types them: entities, merge, screening, FtM export."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers.cli import cli_json, run_cli
from tests.helpers.screening_list import write_list


@pytest.fixture
def dossier_path(any_dossier_path: Path | str) -> Path | str:
    """Every test runs on a dossier folder and on a team dossier (PostgreSQL)."""
    return any_dossier_path


def test_entities_merge_screen_and_export(dossier_path: Path | str, tmp_path: Path) -> None:
    run_cli(dossier_path, "entity", "add", "Petr Ivanovich Sidorov", "--schema", "person",
            "--alias", "Pyotr Sidorov", "--country", "Russia", "--birth-date", "1968",
            check=True)
    run_cli(dossier_path, "entity", "add", "П. И. Сидоров", "--schema", "Person", check=True)
    merged = run_cli(dossier_path, "entity", "merge", "Pyotr Sidorov", "П. И. Сидоров",
                     check=True)
    assert "1 alias(es) moved" in merged.stdout
    entities = cli_json(dossier_path, "entities")
    assert [(e["name"], e["countries"], e["properties"]) for e in entities] == [
        ("Petr Ivanovich Sidorov", ["ru"], {"birthDate": ["1968"]})]
    assert set(entities[0]["aliases"]) == {"Pyotr Sidorov", "П. И. Сидоров"}

    listing = write_list(tmp_path / "list.ftm.json")
    screened = cli_json(dossier_path, "screen", "--list", str(listing))
    assert [c["listed_id"] for c in screened["candidates"]] == ["fict-person-sidorov"]
    assert screened["candidates"][0]["status"] == "pending"
    match = screened["candidates"][0]["id"]
    run_cli(dossier_path, "screening", match[:8], "--confirm", "--reason", "same person",
            check=True)

    out = tmp_path / "entities.ftm.json"
    run_cli(dossier_path, "export", "--format", "ftm", "--out", str(out), check=True)
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert lines[0]["schema"] == "Person" and lines[0]["properties"]["birthDate"] == ["1968"]
