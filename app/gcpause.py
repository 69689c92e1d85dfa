"""Pausing Python's cyclic garbage collector around bulk work that makes no reference cycles.

Listing thousands of annotations makes tens of thousands of small tuples, dicts and lists that
all stay alive until the listing is printed or shown. Every 700 of them start a collection, and
every few collections walk the whole heap (in the desktop application: every Qt wrapper and
cache, 100-200 ms a walk at 2,000 documents), though there is nothing to collect: the objects
are freed by reference counting once the work is done. Pausing the collector for the work's
duration saves those walks; it resumes when the last paused block (of any thread) ends.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0
_resume = False


@contextmanager
def collector_paused() -> Iterator[None]:
    """Within the block the cyclic collector does not run (it resumes after, if it ran before)."""
    global _depth, _resume  # noqa: PLW0603 (one collector per process)
    with _lock:
        if _depth == 0:
            _resume = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _resume:
                gc.enable()
