"""Limits on the work one untrusted input may cause, and worker processes that die with Dossier.

Every process that parses untrusted bytes (PDF page workers, the sandbox that opens PDFs and
extracts HTML and text) calls :func:`limit_worker` first: its address space is capped (a flate
bomb or a runaway page fails with ``MemoryError`` inside that process, never in Dossier's) and it
dies with its parent — by the kernel's parent-death signal where there is one, and by a watchdog
thread that notices the main process is gone on every platform.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys
import threading
import time

#: Address space one worker may map (Python and pdfminer take ~150 MiB of it).
WORKER_MEMORY = 640 * 1024**2
#: Characters one PDF page may draw (a dense real page draws ~10,000).
MAX_PAGE_GLYPHS = 400_000
#: Form XObjects one PDF page may run (counted across nesting levels).
MAX_PAGE_FORMS = 20_000
#: Seconds one PDF page may take, counted across every form, pattern and font it uses.
PAGE_SECONDS = 30.0
#: Seconds for opening a PDF (its page tree and metadata) and for extracting an HTML or text file.
OPEN_SECONDS = 60.0
EXTRACT_SECONDS = 120.0

_PR_SET_PDEATHSIG = 1
_WATCH_INTERVAL = 0.5


def limit_worker(main_pid: int | None, memory: int = WORKER_MEMORY) -> None:
    """Cap this process's memory and make it die when ``main_pid`` (Dossier) is gone."""
    with contextlib.suppress(ImportError, ValueError, OSError):
        import resource

        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        cap = memory if hard == resource.RLIM_INFINITY else min(memory, hard)
        resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if main_pid is not None:
        threading.Thread(target=_watch, args=(main_pid, os.getppid()), daemon=True,
                         name="dossier-parent-watch").start()


def _watch(main_pid: int, parent: int) -> None:
    while True:
        if os.getppid() != parent or not _alive(main_pid):
            os._exit(1)
        time.sleep(_WATCH_INTERVAL)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
