"""Progress and Cancel for long work (exports, set imports, re-imports).

The entry point of long work takes ``progress(done, total)`` and ``cancel() -> bool`` callbacks
(what the GUI's operations pass) and runs its body inside :func:`reporting`; the loops deep
inside (a writer's rows, a set's annotations) call :func:`checkpoint`, which reports how far the
work has come and raises :class:`~app.errors.Cancelled` once the user asked to stop. Raised inside
a write transaction it rolls everything back, so a cancelled import leaves nothing behind.

The callbacks live in a context variable, so the formats' writers need no extra parameters and
work started without callbacks (the command line) pays one lookup per checkpoint.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from app.errors import Cancelled

ProgressCallback = Callable[[int, int], None]
CancelCheck = Callable[[], bool]

#: Progress is passed on at most this often (seconds), except the last step.
REPORT_EVERY = 0.05


@dataclass
class _Reporting:
    what: str
    progress: ProgressCallback | None
    cancel: CancelCheck | None
    last: float = 0.0


_current: ContextVar[_Reporting | None] = ContextVar("dossier_progress", default=None)


@contextmanager
def reporting(what: str, progress: ProgressCallback | None = None,
              cancel: CancelCheck | None = None) -> Iterator[None]:
    """Within the block, :func:`checkpoint` reports to ``progress`` and obeys ``cancel``.

    ``what`` names the work in the cancellation message ("export of annotations.csv").
    """
    token = _current.set(_Reporting(what, progress, cancel))
    try:
        checkpoint()
        yield
    finally:
        _current.reset(token)


def checkpoint(done: int = -1, total: int = 0) -> None:
    """Raise :class:`Cancelled` if the user asked to stop; report ``done`` of ``total``."""
    state = _current.get()
    if state is None:
        return
    if state.cancel is not None and state.cancel():
        raise Cancelled(f"{state.what} cancelled; nothing was written")
    if state.progress is not None and done >= 0:
        now = time.monotonic()
        if now - state.last >= REPORT_EVERY or done >= total:
            state.last = now
            state.progress(done, total)
