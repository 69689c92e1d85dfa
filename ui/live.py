"""Working together live in the window: colleagues' changes arrive, the connection is shown.

:class:`LiveBridge` runs :class:`app.live.LiveUpdates` for a team dossier and brings what it
reports onto the GUI thread: a colleague's committed change is announced through the dossier to
the operations layer (:meth:`app.dossier.Dossier.notify` → ``Operations.changed``), so item models
insert, move or update exactly those rows and the open document redraws those highlights, as for
the user's own changes, without reloading the document. :class:`ConnectionIndicator` shows the
connection in the status bar; while it is down, edits that could not be sent stay in the panel
and are sent again once it is back (``AnnotationPanel.retry_unsent``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, Signal, Slot
from PySide6.QtWidgets import QLabel, QWidget

from app.changes import ChangeSet
from app.live import LiveUpdates, is_team_dossier
from ui.operations import Operations

if TYPE_CHECKING:
    from ui.main_window import MainWindow

#: What the status bar says for each state of the connection.
STATE_TEXT = {
    "connecting": "Team dossier: connecting…",
    "connected": "Team dossier: live",
    "disconnected": "Team dossier: disconnected — reconnecting…",
    "stopped": "Team dossier: not connected",
}
_STATE_STYLE = {
    "connected": "color: palette(text);",
    "disconnected": "color: white; background: #b3261e; border-radius: 3px; padding: 0 6px;",
}


class LiveBridge(QObject):
    """Brings a team dossier's changes by others into this process, on the GUI thread.

    Signals: ``state_changed(str state, str detail)`` for the listening connection
    ("connecting", "connected", "disconnected", "stopped"; ``detail`` says why it dropped);
    ``reconnected()`` when it is back after having dropped.
    """

    state_changed = Signal(str, str)
    reconnected = Signal()

    # Emitted on the listening thread; queued onto the GUI thread this object lives in.
    _arrived = Signal(object)
    _state = Signal(str, str)

    def __init__(self, ops: Operations, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ops = ops
        self.state = "stopped"
        self._dropped = False
        self._arrived.connect(self._apply)
        self._state.connect(self._state_arrived)
        self.live = LiveUpdates(ops.dossier, self._arrived.emit, self._state.emit)

    def start(self) -> None:
        """Start listening."""
        self.live.start()

    def stop(self) -> None:
        """Stop listening (before the dossier closes)."""
        self.live.stop()

    @Slot(object)
    def _apply(self, changes: ChangeSet) -> None:
        self.ops.dossier.notify(changes)  # -> Operations.changed, as for the user's own changes

    @Slot(str, str)
    def _state_arrived(self, state: str, detail: str) -> None:
        self.state = state
        self.state_changed.emit(state, detail)
        if state == "disconnected":
            self._dropped = True
        elif state == "connected" and self._dropped:
            self._dropped = False
            self.reconnected.emit()


class ConnectionIndicator(QLabel):
    """The team dossier's connection, as a permanent field of the status bar."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("connection_indicator")
        self.setTextFormat(Qt.TextFormat.PlainText)  # the reason comes from the server
        self.setContentsMargins(6, 0, 6, 0)
        # as wide as the longest state, so the status bar never cuts it short
        self.setMinimumWidth(max(self.fontMetrics().horizontalAdvance(t)
                                 for t in STATE_TEXT.values()) + 28)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.show_state("connecting", "")

    @Slot(str, str)
    def show_state(self, state: str, detail: str) -> None:
        """Show the connection's state (and, as a tooltip, why it dropped)."""
        self.setText(STATE_TEXT.get(state, state))
        self.setStyleSheet(_STATE_STYLE.get(state, ""))
        tip = {"connected": "Colleagues' changes appear here as they are made.",
               "disconnected": "The connection to the team dossier's server was lost"
                               + (f" ({detail})" if detail else "")
                               + ". Dossier reconnects by itself; what you type is kept and "
                               "saved once the connection is back."}.get(state, "")
        self.setToolTip(tip)


class _StopOnClose(QObject):
    def __init__(self, window: QWidget, bridge: LiveBridge) -> None:
        super().__init__(window)
        self.bridge = bridge
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if event.type() == QEvent.Type.Close:
            self.bridge.stop()
        return False


def install(window: MainWindow) -> LiveBridge | None:
    """Live updates and the connection field for a window on a team dossier (None otherwise)."""
    if not is_team_dossier(window.dossier):
        return None
    bridge = LiveBridge(window.ops, window)
    indicator = ConnectionIndicator(window.status)
    window.status.addPermanentWidget(indicator)
    bridge.state_changed.connect(indicator.show_state)
    bridge.reconnected.connect(window.panel.retry_unsent)
    _StopOnClose(window, bridge)
    bridge.start()
    return bridge
