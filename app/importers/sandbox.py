"""Run one parsing step over untrusted bytes in a bounded worker process.

:func:`run_bounded` calls ``fn(*args)`` in Dossier's extraction worker — a process forked from the
PDF pool's server (no Qt state is copied), with capped memory, that dies with Dossier — under a
wall-clock budget, and gives back its result or its :class:`~app.errors.DossierError`. A job that
runs out of time or memory, or crashes the worker, becomes one :class:`ImportRefused` naming the
file, and the worker is replaced; Dossier itself never runs out of memory on a hostile file.

:func:`submit_bounded` and :meth:`BoundedJob.collect` are the two halves of :func:`run_bounded`, for
a caller with work of its own to do meanwhile (a batch import stores one file while the next is
read); the worker takes one job at a time.

The worker is kept between jobs (a batch imports trafilatura once), unless a job left it large:
then it exits and the next job starts a fresh one, so an idle Dossier does not hold that memory.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any, Generic, TypeVar

from app.errors import DossierError
from app.importers.base import CancelCheck, ImportCancelled, ImportRefused
from app.importers.bounds import limit_worker

T = TypeVar("T")
_POLL = 0.05
#: Memory for the extraction worker (trafilatura and lxml on a large page need more than a PDF
#: page worker).
SANDBOX_MEMORY = 1024**3
#: A worker whose resident memory exceeds this after a job exits instead of waiting for the next.
KEEP_MAX_RSS = 256 * 1024**2


class _Worker:
    def __init__(self, memory: int) -> None:
        from app.importers.pdf_pool import pool_context

        ctx = pool_context()
        self.memory = memory
        self.busy = False  # a job was sent and is not yet collected or abandoned
        self.conn, child = ctx.Pipe(duplex=True)
        self.proc = ctx.Process(  # type: ignore[attr-defined]
            target=_serve, args=(child, os.getpid(), memory), daemon=True,
            name="dossier-extract")
        self.proc.start()
        child.close()

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            self.conn.close()
        if self.proc.is_alive():
            self.proc.kill()
        self.proc.join(5.0)


_workers: dict[int, _Worker] = {}


def _worker(memory: int) -> _Worker:
    found = _workers.get(memory)
    # An idle worker never writes: anything readable is the end of a worker that chose to exit.
    if found is not None and found.proc.is_alive() and not found.conn.poll(0):
        return found
    if found is not None:
        found.stop()
    _workers[memory] = created = _Worker(memory)
    return created


def shutdown() -> None:
    """Stop the extraction workers (they also stop by themselves when Dossier exits)."""
    for worker in list(_workers.values()):
        worker.stop()
    _workers.clear()


def run_bounded(
    fn: Callable[..., T], *args: Any, name: str, seconds: float,
    memory: int = SANDBOX_MEMORY, cancel: CancelCheck | None = None,
) -> T:
    """``fn(*args)`` in the bounded worker; its DossierError is raised here unchanged."""
    job: BoundedJob[T] = submit_bounded(fn, *args, name=name, seconds=seconds, memory=memory)
    return job.collect(cancel)


def submit_bounded(
    fn: Callable[..., T], *args: Any, name: str, seconds: float, memory: int = SANDBOX_MEMORY,
) -> BoundedJob[T]:
    """Hand ``fn(*args)`` to the bounded worker and return at once; :meth:`BoundedJob.collect`
    waits for its result (the budget of ``seconds`` counts from now). One job at a time per
    worker: a second submit before the first is collected or abandoned is a programming error.
    """
    found = _workers.get(memory)
    if found is not None and found.busy:
        raise RuntimeError("the extraction worker already has a job in flight")
    try:
        worker = _worker(memory)
        try:
            worker.conn.send((fn, args))
        except (BrokenPipeError, EOFError, OSError):  # it exited after its last job
            worker.stop()
            worker = _worker(memory)
            worker.conn.send((fn, args))
    except OSError:  # no worker process can be started here (limits, sandbox): in-process
        return BoundedJob(None, fn, args, name, seconds, memory)
    worker.busy = True
    return BoundedJob(worker, fn, args, name, seconds, memory)


class BoundedJob(Generic[T]):
    """A job handed to the bounded worker, collected (or abandoned) exactly once."""

    def __init__(self, worker: _Worker | None, fn: Callable[..., T], args: tuple[Any, ...],
                 name: str, seconds: float, memory: int) -> None:
        self._worker, self._fn, self._args = worker, fn, args
        self.name, self.seconds, self.memory = name, seconds, memory
        self._deadline = time.monotonic() + seconds

    def collect(self, cancel: CancelCheck | None = None) -> T:
        """The job's result, or its DossierError; :class:`ImportRefused` when it ran out of
        time or memory or crashed the worker (which is replaced), :class:`ImportCancelled`
        when ``cancel()`` turns true while waiting (the worker is stopped)."""
        worker, name, memory = self._worker, self.name, self.memory
        if worker is None:
            return self._fn(*self._args)
        self._worker = None
        ok = False
        try:
            while True:
                if worker.conn.poll(_POLL):
                    try:
                        kind, value = worker.conn.recv()
                    except (EOFError, OSError):
                        worker.proc.join(1.0)
                        raise _died(name, worker.proc.exitcode, memory) from None
                    break
                if cancel is not None and cancel():
                    raise ImportCancelled(f"{name}: import cancelled")
                if time.monotonic() > self._deadline:
                    raise ImportRefused(
                        f"{name}: reading it took longer than {self.seconds:.0f} s, far longer "
                        "than any real document of its kind; nothing was imported — check the "
                        "file")
                if not worker.proc.is_alive() and not worker.conn.poll(0):
                    raise _died(name, worker.proc.exitcode, memory)
            ok = kind != "memory"
        finally:
            worker.busy = False
            if not ok:
                _drop(worker)
        if kind == "ok":
            result: T = value
            return result
        if kind == "error":
            raise value
        if kind == "memory":
            raise _died(name, None, memory)
        raise ImportRefused(f"{name} could not be read ({value}); nothing was imported")

    def abandon(self) -> None:
        """Give the job up without its result (a cancelled batch): the worker is stopped, so
        nothing of the job runs on; the next job starts a fresh one."""
        worker, self._worker = self._worker, None
        if worker is not None:
            worker.busy = False
            _drop(worker)


def _drop(worker: _Worker) -> None:
    worker.stop()
    if _workers.get(worker.memory) is worker:
        del _workers[worker.memory]


def _died(name: str, exitcode: int | None, memory: int) -> ImportRefused:
    return ImportRefused(
        f"{name}: reading it needed more than {memory // 1024**2} MiB of memory (a damaged or "
        "hostile file?); nothing was imported"
        + (f" (reader exit status {exitcode})" if exitcode not in (None, 1) else ""))


def _rss() -> int:
    try:
        with open("/proc/self/statm", encoding="ascii") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _serve(conn: Connection, main_pid: int, memory: int) -> None:
    limit_worker(main_pid, memory)
    while True:
        try:
            fn, args = conn.recv()
        except (EOFError, OSError):
            return
        _run_one(conn, fn, args)
        if _rss() > KEEP_MAX_RSS:
            conn.close()
            return


def _run_one(conn: Connection, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
    try:
        result = fn(*args)
    except DossierError as exc:
        conn.send(("error", exc))
        return
    except MemoryError:
        conn.send(("memory", None))
        return
    except RecursionError:
        conn.send(("crash", "its structure is nested too deeply"))
        return
    except Exception as exc:
        conn.send(("crash", f"{type(exc).__name__}: {exc}".splitlines()[0][:200]))
        return
    try:
        conn.send(("ok", result))
    except MemoryError:
        del result
        conn.send(("memory", None))


@dataclass(frozen=True)
class FileBytes:
    """The bytes of a file Dossier has read and hashed, for the worker to read again itself.

    A page handed over as bytes crossed the pipe in 64 KiB pieces, each waiting for the worker
    to be scheduled to take it; a path crosses at once. What the worker reads must be what
    Dossier hashed and keeps as the original, so it checks the size and the hash.
    """

    path: str
    size: int
    sha256: str

    def read(self, name: str) -> bytes:
        """The file's bytes; :class:`ImportRefused` if they are not the ones Dossier hashed."""
        changed = ImportRefused(
            f"{name}: the file changed while Dossier was importing it; nothing was imported "
            "— import it again once it is complete")
        try:
            with open(self.path, "rb") as fh:
                data = fh.read(self.size + 1)
        except OSError as exc:
            raise changed from exc
        if len(data) != self.size or hashlib.sha256(data).hexdigest() != self.sha256:
            raise changed
        return data


def extract_html_job(data: bytes | FileBytes, url: str | None, name: str,
                     charset: str | None) -> Any:
    """:func:`app.importers.html.extract_html`, imported in the worker only."""
    from app.importers.html import extract_html

    if isinstance(data, FileBytes):
        data = data.read(name)
    return extract_html(data, url=url, name=name, charset=charset)


def extract_text_job(data: bytes | FileBytes, name: str) -> Any:
    """:func:`app.importers.text.extract_text_file`, imported in the worker only."""
    from app.importers.text import extract_text_file

    if isinstance(data, FileBytes):
        data = data.read(name)
    return extract_text_file(data, name)
