"""File > Open Team Dossier…: address and password, the password kept in the (test's own)
system keyring and never in the settings, refusals shown in the dialog."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, QTimer

from app import keychain
from app.dossier import Dossier
from app.location import ServerAddress
from tests.helpers.keyring_memory import MemoryKeyring, memory_keyring
from tests.helpers.main_window import OFFSCREEN_LIMITS
from tests.helpers.screenshots import save_screenshot
from ui.settings import Settings
from ui.team_open import OpenTeamDossierDialog

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_LIMITS)


@pytest.fixture
def kept() -> Iterator[MemoryKeyring]:
    with memory_keyring() as backend:
        yield backend


@pytest.fixture
def settings_file(tmp_path: Path) -> Path:
    return tmp_path / "settings.ini"


def _settings(path: Path) -> Settings:
    return Settings(QSettings(str(path), QSettings.Format.IniFormat))


def _address(pg_server: Any, database: str) -> str:
    return f"{pg_server.user}@{pg_server.host}:{pg_server.port}/{database}"


def test_open_keeps_the_password_in_the_keyring_only(
        pg_server: Any, pg_template: str, kept: MemoryKeyring, settings_file: Path,
        qtbot: Any, tmp_path: Path) -> None:
    database = pg_server.create_database(template=pg_template)
    opened: list[Dossier] = []
    try:
        def opener(url: str) -> Dossier:
            dossier = Dossier.open(url, user="alice", create=False)
            opened.append(dossier)
            return dossier

        settings = _settings(settings_file)
        dialog = OpenTeamDossierDialog(opener, settings)
        qtbot.addWidget(dialog)
        dialog.show()
        dialog.address.setText(_address(pg_server, database))
        dialog.password.setText(pg_server.password)
        save_screenshot(dialog.grab().toImage(), "open_team_dossier.png", tmp_path)
        dialog.accept()
        assert dialog.result() == dialog.DialogCode.Accepted
        assert opened and opened[0].address is not None
        assert opened[0].address.database == database
        account = f"{pg_server.user}@{pg_server.host}:{pg_server.port}/{database}"
        assert kept.passwords == {(keychain.SERVICE, account): pg_server.password}
        settings.store.sync()
        settings_text = settings_file.read_text(encoding="utf-8")
        assert database in settings_text  # the address is remembered ...
        assert pg_server.password not in settings_text  # ... the password never

        # next time the address is filled in, and the password comes from the keyring
        again = OpenTeamDossierDialog(opener, _settings(settings_file))
        qtbot.addWidget(again)
        assert again.address.text() == _address(pg_server, database)
        assert again.password.text() == pg_server.password
        assert "keyring" in again.message.text()
    finally:
        for dossier in opened:
            dossier.close()
        pg_server.drop_database(database)


def test_a_refused_login_is_said_in_the_dialog_and_nothing_is_kept(
        pg_server: Any, pg_template: str, kept: MemoryKeyring, settings_file: Path,
        qtbot: Any, tmp_path: Path) -> None:
    dialog = OpenTeamDossierDialog(lambda url: Dossier.open(url, user="alice", create=False),
                                   _settings(settings_file))
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.address.setText(_address(pg_server, pg_template))
    dialog.password.setText("not-the-password")
    dialog.accept()
    assert dialog.result() != dialog.DialogCode.Accepted and dialog.isVisible()
    message = dialog.message.text()
    assert "refused the login" in message and "not-the-password" not in message
    assert kept.passwords == {}
    save_screenshot(dialog.grab().toImage(), "open_team_dossier_refused.png", tmp_path)
    dialog.address.setText("postgresql://bob:secret@db.example.org:5432/team")
    dialog.accept()
    assert "leave the password out of the address" in dialog.message.text()
    dialog.address.setText("just-a-name")
    dialog.accept()
    assert "not a team dossier address" in dialog.message.text()


def test_addresses_are_written_the_short_way() -> None:
    assert keychain.normalise_address("ann@db.example.org:6543/team") == \
        "postgresql://ann@db.example.org:6543/team"
    url = keychain.with_password("postgresql://ann@db.example.org:6543/team", "p@ss:/word")
    assert url == "postgresql://ann:p%40ss%3A%2Fword@db.example.org:6543/team"
    assert keychain.account_of(ServerAddress.parse(url)) == "ann@db.example.org:6543/team"


def test_file_menu_opens_a_team_dossier_in_a_new_window(
        pg_server: Any, pg_template: str, kept: MemoryKeyring, dossier: Dossier,
        qtbot: Any, tmp_path: Path) -> None:
    from tests.helpers.main_window import open_window
    from ui import dossiers

    database = pg_server.create_database(template=pg_template)  # never the template itself
    window = open_window(dossier, qtbot, tmp_path)
    action = next(a for a in window.menus["file"].actions() if a.text() == "Open &Team Dossier…")
    action.trigger()
    dialog = window.findChild(OpenTeamDossierDialog)
    assert dialog is not None and dialog.isVisible()
    dialog.address.setText(_address(pg_server, database))
    dialog.password.setText(pg_server.password)
    before = list(dossiers._WINDOWS)
    dialog.accept()
    qtbot.waitUntil(lambda: len(dossiers._WINDOWS) > len(before))
    team = dossiers._WINDOWS[-1]
    qtbot.addWidget(team)
    try:
        assert team.dossier.address is not None and team.dossier.address.database == database
        assert team.windowTitle().startswith(f"{database} on ")
        assert not window.isVisible()
        qtbot.waitUntil(lambda: team.live is not None and team.live.state == "connected",
                        timeout=10000)
    finally:
        team.close()
        qtbot.waitUntil(lambda: team not in dossiers._WINDOWS)
        for timer in team.findChildren(QTimer):  # none may read the database dropped next
            timer.stop()
        pg_server.drop_database(database)
