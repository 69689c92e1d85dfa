"""Opening a dossier: one folder holding ``dossier.sqlite`` and ``originals/``, or a team dossier
on a PostgreSQL server (``postgresql://USER:PASSWORD@HOST:PORT/DATABASE``).

:class:`Dossier` owns the database engine, the originals store and the acting user, and hands out
transactions. Services (``app.services``) do all mutations through :meth:`Dossier.write`, which
commits the change and its audit event together, then tells subscribers what changed. Both
engines run the same models, migrations and services; what differs (writer serialisation,
originals, error messages) is decided here and in ``db/``.
"""

from __future__ import annotations

import getpass
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

from sqlalchemy import Engine, select
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from app import audit
from app.changes import Action, ChangeSet
from app.clock import utcnow
from app.errors import BadInput, Conflict
from app.location import DB_FILE, ServerAddress, default_dossier_path, location_of
from app.originals import DatabaseOriginals, Originals, OriginalsStore
from app.storage_faults import read_only, translate
from db.engine import (
    BUSY_TIMEOUT_MS,
    make_engine,
    make_readonly_engine,
    make_session_factory,
    sqlite_url,
)
from db.migrate import LATEST, SchemaTooNew, current_revision, upgrade
from db.models import User

if TYPE_CHECKING:
    from app.team.identity import TeamIdentity
    from db.cursor import Cursor

_T = TypeVar("_T")


def _reraise(exc: BaseException, folder: Path) -> NoReturn:
    """Raise the one-line StorageFault a storage error stands for, else the error itself."""
    fault = translate(exc, folder, BUSY_TIMEOUT_MS / 1000)
    if fault is None:
        raise exc
    raise fault from exc


def _upgrade_team(engine: Engine, address: ServerAddress) -> None:
    """:func:`db.migrate.upgrade` of a team dossier; a login that may not change the schema
    (anyone but its owner) is told who can, instead of a privilege error."""
    from app import server_faults

    try:
        upgrade(engine)
    except DBAPIError as exc:
        if server_faults.sqlstate(exc) != "42501":
            raise
        stored = current_revision(engine)
        engine.dispose()
        raise BadInput(
            f"{address.display}: the team dossier's schema is revision {stored} and this version "
            f"of Dossier needs {LATEST}; only its owner may upgrade it: ask an administrator to "
            f"run 'dossier team init {address.display}' (it upgrades the schema and re-applies "
            "the team's rules), then open it again") from None


def _reraise_server(exc: BaseException, address: ServerAddress) -> NoReturn:
    """:func:`_reraise` for a team dossier's server errors."""
    from app import server_faults

    fault = server_faults.translate(exc, address, BUSY_TIMEOUT_MS / 1000)
    if fault is None:
        raise exc
    raise fault from None  # the driver's error may repeat the connection string


def _moved_on() -> Conflict:
    """The error for a row whose version changed under a transaction (optimistic concurrency)."""
    return Conflict("someone else changed the same annotation at the same moment, so this "
                    "change was not saved; look at it again and redo it if it still applies")


#: Attempts to start a write transaction on a team dossier whose connection failed.
WRITE_ATTEMPTS = 3


def default_user_name() -> str:
    """The display name chosen at first run (:mod:`app.userconfig`), else the login name."""
    from app.userconfig import display_name

    chosen = display_name()
    if chosen:
        return chosen
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return "unknown"


@dataclass
class _Listeners:
    items: list[Callable[[ChangeSet], None]] = field(default_factory=list)


class Dossier:
    """An open dossier: a folder (SQLite) or a team dossier (PostgreSQL).

    ``folder`` is the dossier's folder; for a team dossier it is this machine's cache folder
    of it (``address`` then names the server, ``location`` is the URL without password).
    """

    def __init__(self, folder: Path, engine: Engine, user_name: str, *,
                 originals: Originals | None = None,
                 address: ServerAddress | None = None) -> None:
        self.folder = folder
        self.engine = engine
        self.address = address
        self.originals: Originals = originals or OriginalsStore(folder / "originals")
        self._write_sessions: sessionmaker[Session] = make_session_factory(engine)
        self._read_sessions: sessionmaker[Session] = make_session_factory(engine, readonly=True)
        self.user_name = user_name
        self._user_id: int | None = None
        self._listeners = _Listeners()
        self._text_cache: dict[str, str] = {}
        #: Tags by id with their paths (``codebook.cached_tags``); dropped when a tag changes.
        self.tag_cache: dict[str, Any] | None = None
        #: Unpacked page geometry of the last few PDFs read (a document version never changes;
        #: see ``documents.page_geometry``), newest last.
        self.geometry_cache: dict[str, Any] = {}
        #: Page ranges (start, end) of documents, by id (``services.new_annotation``).
        self.page_cache: dict[str, list[tuple[int, int]]] = {}
        #: Passwords of encrypted originals given in this session, by SHA-256; kept in memory
        #: only (never written to the dossier), so the reader can render those pages.
        self.passwords: dict[str, str] = {}
        #: True when the dossier's files cannot be written: every write raises ReadOnly.
        self.readonly = False
        #: A team dossier's group roles and login (app.team.identity); None for other dossiers.
        self.team: TeamIdentity | None = None
        #: The pooled connection :meth:`write_late` keeps between its transactions on a team
        #: dossier (checked out once: no liveness round trip per write), and its guard.
        self._lean_connection: Any = None
        self._lean_guard = threading.Lock()

    @property
    def is_team(self) -> bool:
        """True for a team dossier (PostgreSQL)."""
        return self.address is not None

    @property
    def location(self) -> str:
        """Where the dossier is, for people: its folder, or its URL without the password."""
        return self.address.display if self.address is not None else str(self.folder)

    # -- opening -------------------------------------------------------------------------------
    @classmethod
    def open(
        cls, folder: Path | str | None = None, *, user: str | None = None, create: bool = True
    ) -> Dossier:
        """Open (and, if ``create``, create) the dossier in ``folder`` — or the team dossier a
        ``postgresql://`` URL names; upgrade its schema."""
        where = location_of(folder)
        if isinstance(where, str):
            return cls._open_server(where, user, create=create)
        path = where
        db_path = path / DB_FILE
        is_new = not db_path.exists()
        if is_new and not create:
            raise BadInput(f"no dossier at {path}: create it with 'dossier --dossier {path} tags'")
        if path.exists() and not path.is_dir():
            raise BadInput(f"{path} is a file, not a dossier folder; choose a folder")
        if not is_new and not (os.access(db_path, os.W_OK) and os.access(path, os.W_OK)):
            return cls._open_readonly(path, user)
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            _reraise(exc, path)
        engine = make_engine(sqlite_url(db_path))
        try:
            upgrade(engine)
            dossier = cls(path, engine, user or default_user_name())
            from app.services import codebook

            codebook.ensure_default(dossier)
        except SchemaTooNew as exc:
            engine.dispose()
            raise BadInput(f"{path}: {exc}") from exc
        except (OperationalError, OSError) as exc:
            engine.dispose()
            _reraise(exc, path)
        return dossier

    @classmethod
    def _open_server(cls, url: str, user: str | None, *, create: bool = True) -> Dossier:
        """Open the team dossier at ``url`` (an empty database gets the schema if ``create``)."""
        address = ServerAddress.parse(url)
        try:
            engine = make_engine(url)
        except Exception as exc:  # a malformed URL: say which part, never echo the password
            raise BadInput(f"{address.display} is not a usable team dossier address "
                           f"({type(exc).__name__}): write "
                           "postgresql://USER:PASSWORD@HOST:PORT/DATABASE") from None
        cache = address.cache_folder()
        with suppress(OSError):  # only copies live there; reading them again is the fallback
            cache.mkdir(parents=True, exist_ok=True)
        try:
            if not create and current_revision(engine) is None:
                engine.dispose()
                raise BadInput(f"no team dossier in {address.display} (the database is empty): "
                               f"set it up with 'dossier team init {address.display}'")
            _upgrade_team(engine, address)
            dossier = cls(cache, engine, user or default_user_name(),
                          originals=DatabaseOriginals(engine, cache / "originals"),
                          address=address)
            from app.team.identity import attach

            attach(dossier)  # a team dossier acts as its login, whatever ``user`` says
            from app.services import codebook

            codebook.ensure_default(dossier)
        except SchemaTooNew as exc:
            engine.dispose()
            raise BadInput(f"{address.display}: {exc}") from exc
        except DBAPIError as exc:
            engine.dispose()
            _reraise_server(exc, address)
        return dossier

    @classmethod
    def _open_readonly(cls, path: Path, user: str | None) -> Dossier:
        """Open a dossier whose files cannot be written: reading works, writing says why not."""
        engine = make_readonly_engine(path / DB_FILE)
        try:
            with engine.connect() as conn:
                stored = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
        except OperationalError as exc:
            engine.dispose()
            raise BadInput(f"{path}: the dossier is read-only and its database cannot be read "
                           f"({str(exc.orig).splitlines()[0]})") from exc
        if stored != LATEST:
            engine.dispose()
            raise BadInput(f"{path}: the dossier is read-only and was written by another "
                           f"version of Dossier (schema {stored}, this version uses {LATEST}); "
                           "open it once where it can be written")
        dossier = cls(path, engine, user or default_user_name())
        dossier.readonly = True
        return dossier

    def close(self) -> None:
        """Release the database connections."""
        kept, self._lean_connection = self._lean_connection, None
        if kept is not None:
            with suppress(Exception):
                kept.close()
        self.engine.dispose()

    # -- transactions --------------------------------------------------------------------------
    @contextmanager
    def write(self) -> Iterator[Session]:
        """A write transaction (``BEGIN IMMEDIATE``); committed when the block ends cleanly.

        A full disk, a read-only dossier or a write lock held by another program for longer than
        :data:`~db.engine.BUSY_TIMEOUT_MS` raise a :class:`~app.errors.StorageFault` (nothing
        was written).
        """
        if self.readonly:
            raise read_only(self.folder)
        if self.address is not None:
            with self._write_team() as session:
                yield session
            return
        with self._write_sessions() as session:
            try:
                with session.begin():
                    yield session
            except (OperationalError, OSError) as exc:
                self._user_id = None  # the user row may have been created in the rolled-back txn
                _reraise(exc, self.folder)
            except StaleDataError as exc:  # a row's version moved on under this transaction
                self._user_id = None
                raise _moved_on() from exc
            except BaseException:
                self._user_id = None
                raise

    def _raise_if_refused(self, exc: DBAPIError) -> None:
        """Raise a team dossier server's refusal (privileges, row-level security, the review
        rules' triggers) as the application's error; return for any other error."""
        if self.team is not None:
            from app.team.identity import refusal

            problem = refusal(exc)
            if problem is not None:
                raise problem from None

    @contextmanager
    def _write_team(self) -> Iterator[Session]:
        """:meth:`write` on a team dossier: the transaction first takes the writer slot (an
        advisory lock: writers are serialised as on SQLite, so the audit chain never forks,
        and no two Dossier writers can deadlock or make each other's transaction fail).

        Retried here, where it is safe because the block has not run yet: a connection that
        fails (or a deadlock / serialization failure) while the transaction starts. Once the
        block has run, a failure rolls everything back and becomes one-line StorageFault; a
        connection lost while committing says the outcome is unknown.
        """
        from app import server_faults
        from db.cursor import of_session

        assert self.address is not None
        for attempt in range(WRITE_ATTEMPTS):
            session = self._write_sessions()
            try:
                session.begin()
                of_session(session).lock_writers()
                session.info[audit.WRITER_LOCKED] = True
                break
            except DBAPIError as exc:
                session.close()
                if attempt + 1 < WRITE_ATTEMPTS and (
                        server_faults.is_connection_error(exc)
                        or server_faults.sqlstate(exc) in server_faults.RETRYABLE):
                    time.sleep(0.2 * (attempt + 1))  # back off before reconnecting
                    continue
                self._user_id = None
                _reraise_server(exc, self.address)
        try:
            with session:
                try:
                    yield session
                except BaseException:
                    with suppress(DBAPIError):  # a lost connection has nothing to roll back
                        session.rollback()
                    raise
                try:
                    session.commit()
                except DBAPIError as exc:
                    if server_faults.is_connection_error(exc):
                        self._user_id = None
                        raise server_faults.unknown_commit(self.address) from None
                    raise
        except StaleDataError as exc:  # a row's version moved on under this transaction
            self._user_id = None
            raise _moved_on() from exc
        except (DBAPIError, OSError) as exc:
            self._user_id = None  # the user row may have been created in the rolled-back txn
            if isinstance(exc, OSError):
                _reraise(exc, self.folder)
            self._raise_if_refused(exc)
            _reraise_server(exc, self.address)
        except BaseException:
            self._user_id = None
            raise

    def write_late(self, work: Callable[[Cursor], _T]) -> _T:
        """Run ``work`` in a write transaction on a plain cursor (no ORM session) and commit.

        The lean write path (e.g. creating an annotation): on a team dossier the writer slot is
        *not* taken when the transaction begins; ``work`` takes it just before it appends its
        audit event (:func:`app.audit.append` does), so concurrent writers' own work overlaps
        and only the chain's append is serialised. A deadlock or serialisation failure anywhere in
        ``work`` runs it again from the start, so it must write only through the cursor and
        be safe to repeat. Errors are those of :meth:`write`, and :class:`db.cursor.Moved`
        when a kept write's guard found its row changed since it was read (nothing written).
        On SQLite the transaction begins ``IMMEDIATE`` as every write does.

        (psycopg's pipeline mode would save round trips, but it polls the socket without
        sleeping while it waits for answers: on a loaded machine the waiting clients then take
        the CPU the server needs; measured with ``benchmarks/team.py``, it cost more than it
        saved.)
        """
        if self.readonly:
            raise read_only(self.folder)
        if self.address is None:
            return self._write_late_sqlite(work)
        from app import server_faults
        from db.cursor import MOVED_SQLSTATE, Moved

        for attempt in range(WRITE_ATTEMPTS):
            try:
                return self._write_late_server(work)
            except DBAPIError as exc:
                if server_faults.sqlstate(exc) == MOVED_SQLSTATE:
                    raise Moved(str(exc.orig)) from None
                if attempt + 1 < WRITE_ATTEMPTS and (
                        server_faults.sqlstate(exc) in server_faults.RETRYABLE
                        or server_faults.is_connection_error(exc)):  # nothing committed
                    time.sleep(0.05 * (attempt + 1))
                    continue
                self._raise_if_refused(exc)
                _reraise_server(exc, self.address)
        raise AssertionError("unreachable")  # pragma: no cover

    def _write_late_sqlite(self, work: Callable[[Cursor], _T]) -> _T:
        from db.cursor import Cursor

        try:
            with self.engine.begin() as conn:  # BEGIN IMMEDIATE (db.engine)
                raw = conn.connection.dbapi_connection
                assert raw is not None
                return work(Cursor(raw.cursor(), "sqlite"))
        except (OperationalError, OSError) as exc:
            _reraise(exc, self.folder)

    def _write_late_server(self, work: Callable[[Cursor], _T]) -> _T:
        assert self.address is not None
        if not self._lean_guard.acquire(blocking=False):  # another thread writes: a pool one
            with self.engine.connect() as conn:
                return self._write_late_on(conn.connection, work)
        try:
            if self._lean_connection is None:
                self._lean_connection = self.engine.raw_connection()  # checked when taken
            try:
                return self._write_late_on(self._lean_connection, work)
            except BaseException:
                if self._lean_connection is not None and self._lean_connection.is_valid is False:
                    self._lean_connection = None
                raise
        finally:
            self._lean_guard.release()

    def _write_late_on(self, pooled: Any, work: Callable[[Cursor], _T]) -> _T:
        """One :meth:`write_late` transaction on a pooled connection (invalidated when lost:
        the next transaction takes a fresh one)."""
        import psycopg

        from app import server_faults
        from db.cursor import LateCursor

        assert self.address is not None
        raw = pooled.dbapi_connection
        assert raw is not None
        committing = False
        raw.autocommit = True  # the cursor opens the transaction itself, in its first message
        cur = LateCursor(raw.cursor(), "postgresql")
        try:
            result = work(cur)
            committing = True  # from here a lost connection leaves the outcome unknown
            cur.commit()  # with the writes kept back, the audit append among them
            return result
        except psycopg.Error as exc:
            with suppress(psycopg.Error):
                raw.rollback()
            lost = server_faults.is_connection_error(exc) or raw.closed
            if lost:
                pooled.invalidate()
            if committing and lost:
                outcome = self._commit_outcome(cur.proof)
                if outcome is True:
                    return result
                if outcome is None:
                    raise server_faults.unknown_commit(self.address) from None
                # not committed: the connection error below is retried on a new connection
            raise DBAPIError.instance(None, None, exc, psycopg.Error) from None
        except BaseException:
            with suppress(psycopg.Error):
                raw.rollback()
            raise
        finally:
            with suppress(psycopg.Error):
                raw.autocommit = False  # as the pool lends its connections

    def _commit_outcome(self, proof: tuple[str, Sequence[Any]] | None) -> bool | None:
        """Whether a lean transaction whose connection was lost while it committed did commit:
        its ``proof`` read on a new connection (None when there is no proof or no server)."""
        if proof is None:
            return None
        from db.cursor import of_connection

        try:
            with self.engine.connect() as conn:
                return of_connection(conn.connection).read(*proof).fetchone() is not None
        except DBAPIError:
            return None

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only session that does not block writers (one snapshot of the dossier).

        On a team dossier a server that cannot be reached raises a one-line StorageFault.
        """
        if self.address is None:
            with self._read_sessions() as session:
                yield session
            return
        try:
            with self._read_sessions() as session:
                yield session
        except DBAPIError as exc:
            from app import server_faults

            if not server_faults.is_connection_error(exc):
                raise
            _reraise_server(exc, self.address)

    def user_id(self, session: Session) -> int:
        """The acting user's id, creating (and auditing) the user on first use."""
        if self._user_id is not None:
            return self._user_id
        if self.team is not None:  # the login, with the role the server gives it
            self._user_id = self.team.user_id(self, session)
            return self._user_id
        found = session.scalar(select(User.id).where(User.name == self.user_name))
        if found is None:
            # the first user of a dossier administers it; later ones start as annotators
            has_admin = session.scalar(
                select(User.id).where(User.role == "administrator").limit(1))
            user = User(
                name=self.user_name, display_name=self.user_name,
                guid=str(uuid.uuid4()), created=utcnow(),
                role="annotator" if has_admin is not None else "administrator",
            )
            session.add(user)
            session.flush()
            audit.record(session, self.user_name, "user.create", "user", str(user.id),
                         {"name": user.name, "guid": user.guid, "role": user.role})
            found = user.id
        self._user_id = found
        return found

    def known_user_id(self) -> int | None:
        """The acting user's id if this session has resolved it already (else None)."""
        return self._user_id

    def act_as(self, user_name: str) -> None:
        """Attribute what follows to ``user_name`` (e.g. after the display name changed)."""
        if self.team is not None:  # a team dossier always acts as its login
            return
        self.user_name = user_name
        self._user_id = None

    # -- change notification -------------------------------------------------------------------
    def subscribe(self, listener: Callable[[ChangeSet], None]) -> None:
        """Call ``listener`` after every committed change."""
        self._listeners.items.append(listener)

    def unsubscribe(self, listener: Callable[[ChangeSet], None]) -> None:
        """Stop calling ``listener``."""
        if listener in self._listeners.items:
            self._listeners.items.remove(listener)

    def notify(self, changes: ChangeSet) -> None:
        """Tell subscribers about a committed change; drop the caches it makes stale."""
        if changes.tags:
            self.tag_cache = None
        for listener in list(self._listeners.items):
            listener(changes)

    def notify_change(self, kind: str, action: Action, *ids: str) -> None:
        """Shorthand for :meth:`notify` with ``ChangeSet.of(kind, action, ids)``."""
        self.notify(ChangeSet.of(kind, action, ids))

    # -- caches --------------------------------------------------------------------------------
    def text_of(self, document_id: str) -> str:
        """:meth:`document_text` outside a transaction (read in a snapshot when not cached)."""
        text = self._text_cache.get(document_id)
        if text is None:
            with self.read() as session:
                text = self.document_text(session, document_id)
        return text

    def document_text(self, session: Session, document_id: str) -> str:
        """A document's canonical text (immutable per document version, so cached)."""
        text = self._text_cache.get(document_id)
        if text is None:
            from db.models import Document

            text = session.scalar(select(Document.text).where(Document.id == document_id))
            if text is None:
                raise BadInput(f"no document {document_id}")
            self._text_cache[document_id] = text
        return text


__all__ = ["DB_FILE", "Dossier", "default_dossier_path", "default_user_name"]
