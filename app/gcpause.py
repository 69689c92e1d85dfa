"""Pausing Python's cyclic garbage collector around bulk work that makes no reference cycles.

Listing thousands of annotations makes tens of thousands of small tuples, dicts and lists that
all stay alive until the listing is printed or shown. Each 700 of them start a collection, and
every few collections walk the whole heap (in the desktop application: every Qt wrapper and
cache), though there is nothing to collect: the objects are freed by reference counting when
the work is done. Pausing the collector for the work's duration saves those walks.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Within the block the cyclic collector does not run (it resumes after, if it ran before)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
