"""Row states: what the audit chain says each audited row holds, so ``verify`` can prove the data.

Every audit event carries, next to its payload, the *state* of the rows it changed: one token
``type:id=HASH`` per row (``type:id=-`` when the row is gone), where HASH is SHA-256 over a
canonical serialisation of the row's registered columns and its registered child rows (an
annotation's tag links, a document's pages). :func:`app.audit.record` fills it in by itself for the
event's own object; an event that changes other rows names them with ``touches``.

``verify`` keeps the newest token per row while it walks the chain, then hashes every current row
of every registered table the same way: a row that differs, a row the chain never mentions and a
row the chain says exists but is missing are each named.

A table joins by one call to :func:`register` at import time of the module that owns it::

    state.register(state.StateSpec(
        "claim", "claims", key="id", columns=("id", "statement", "created", ...),
        children=(state.Child("claim_links", fk="claim_id", columns=("annotation_id", "role")),),
        parent=None))

Columns added to a registered table later go into ``optional`` with the value the migration gives
existing rows: a column holding that value is left out of the hash, so states recorded before the
column existed still match.

The row is serialised by SQLite itself (``quote()`` of each column, see :func:`_row_sql`), both
when an event is recorded (inside its transaction, after the change) and when ``verify`` reads
the table, so the ORM's Python types never enter the hash. On PostgreSQL the columns are read
plain and rendered by an in-memory SQLite's ``quote()`` (:func:`sqlite_quote`), so the same data
has the same state on both engines (a team dossier cloned to a folder verifies unchanged).
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from db.cursor import Cursor, portable

DELETED = "-"


@dataclass(frozen=True)
class Child:
    """Rows of another table that belong to the object (e.g. an annotation's tag links)."""

    table: str
    fk: str
    columns: tuple[str, ...]


@dataclass(frozen=True)
class StateSpec:
    """How one audited table is hashed. ``object_type`` is the audit events' ``object_type``."""

    object_type: str
    table: str
    key: str
    columns: tuple[str, ...]
    optional: Mapping[str, Any] = field(default_factory=dict)
    children: tuple[Child, ...] = ()
    #: (object_type, fk column) of an owning object whose deletion cascades to these rows; a
    #: service deleting the owner passes :func:`dependents` as ``touches``.
    parent: tuple[str, str] | None = None
    #: Columns deliberately left out of the hash: bookkeeping of the store, not part of the
    #: record (e.g. a concurrency counter). Named so that leaving them out is a decision.
    unhashed: tuple[str, ...] = ()


REGISTRY: dict[str, StateSpec] = {}


def register(spec: StateSpec) -> None:
    """Add (or replace) the state spec of one object type."""
    REGISTRY[spec.object_type] = spec


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


_LOCAL = threading.local()


def sqlite_quote(values: Sequence[Any]) -> str:
    """``quote(v1) || ',' || quote(v2) ...`` exactly as SQLite renders it, for values read from
    another engine (PostgreSQL): the same data gives the same row state on both engines.

    Booleans bind as SQLite stores them (1/0), bytes as blobs, floats as doubles.
    """
    conn = getattr(_LOCAL, "conn", None)
    if conn is None:
        conn = _LOCAL.conn = sqlite3.connect(":memory:")
    row = conn.execute("SELECT " + " || ',' || ".join(["quote(?)"] * len(values)),
                       [bytes(v) if isinstance(v, memoryview) else v for v in values]).fetchone()
    return str(row[0])


def _same(value: Any, default: Any) -> bool:
    """SQL ``value IS default``."""
    if value is None or default is None:
        return value is None and default is None
    return bool(value == default)


class _RowText:
    """How one registered table's rows become their canonical text on the cursor's engine.

    On SQLite the text is built by SQLite itself (:attr:`expr`, binding :attr:`params`); on
    PostgreSQL the columns are selected plain (:attr:`expr` lists them) and :meth:`text` renders
    them with :func:`sqlite_quote`.
    """

    def __init__(self, spec: StateSpec, cur: Cursor) -> None:
        self.native = not cur.is_postgresql
        present = set(cur.columns(spec.table)) if spec.optional else set()
        self.optional = [(name, default) for name, default in spec.optional.items()
                         if name not in spec.columns and name in present]
        self.width = len(spec.columns)
        if not self.native:
            self.expr = ", ".join(_quote(c) for c in
                                  (*spec.columns, *(n for n, _ in self.optional)))
            self.params: list[Any] = []
            return
        self.expr, self.params = _row_sql(spec, self.optional)

    def text(self, values: Sequence[Any]) -> str:
        """The canonical text of a row from the values :attr:`expr` selected."""
        if self.native:
            return str(values[0])
        out = sqlite_quote(values[:self.width])
        for (name, default), value in zip(self.optional, values[self.width:], strict=True):
            if not _same(value, default):
                out += f",{name}=" + sqlite_quote((value,))
        return out


def _row_sql(spec: StateSpec, optional: list[tuple[str, Any]]) -> tuple[str, list[Any]]:
    """An SQLite expression giving a row's canonical text, and the parameters it binds.

    An optional column the table does not have yet (a migration in the middle of the chain
    records states before a later one adds it) is left out, exactly as if it held its default:
    naming it would make SQLite read the double-quoted name as a string literal.

    SQLite's ``quote()`` renders every value as an exact SQL literal (text escaped, blobs in hex,
    numbers as stored), so the serialisation is done in SQLite, identically when an event is
    recorded and when ``verify`` reads the row back.
    """
    expr = " || ',' || ".join(f"quote({_quote(c)})" for c in spec.columns)
    params: list[Any] = []
    for name, default in optional:
        expr += (f" || CASE WHEN {_quote(name)} IS ? THEN '' "
                 f"ELSE ',{name}=' || quote({_quote(name)}) END")
        params.append(default)
    return expr, params


def _child_rows(cur: Cursor, child: Child, where: str = "",
                params: Sequence[Any] = ()) -> list[tuple[str, str]]:
    """(owner key, canonical text) of the child rows (optionally ``WHERE ...``)."""
    if cur.is_postgresql:
        cols = ", ".join(_quote(c) for c in child.columns)
        rows = cur.execute(f"SELECT {_quote(child.fk)}, {cols} FROM {_quote(child.table)} "
                           f"{where}", params).fetchall()
        return [(str(r[0]), sqlite_quote(r[1:])) for r in rows]
    cols = " || ',' || ".join(f"quote({_quote(c)})" for c in child.columns)
    return [(str(r[0]), r[1]) for r in cur.execute(
        f"SELECT {_quote(child.fk)}, {cols} FROM {_quote(child.table)} {where}",
        params).fetchall()]


def _digest(object_type: str, row_text: str, children: Mapping[str, list[str]]) -> str:
    parts = [object_type, row_text]
    for table in sorted(children):
        rows = children[table]
        if rows:  # a child table with no rows adds nothing (old states stay valid)
            parts.append(table + ":" + "\x1e".join(sorted(rows)))
    return hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


def row_state(cur: Any, object_type: str, object_id: str) -> str:
    """The state token value of one row now: its hash, or ``-`` when it does not exist."""
    cur = portable(cur)
    spec = REGISTRY[object_type]
    row_text = _RowText(spec, cur)
    row = cur.execute(
        f"SELECT {row_text.expr} FROM {_quote(spec.table)} WHERE {_quote(spec.key)} = ?",
        (*row_text.params, object_id)).fetchone()
    if row is None:
        return DELETED
    children = {
        child.table: [text for _, text in _child_rows(
            cur, child, f"WHERE {_quote(child.fk)} = ?", (object_id,))]
        for child in spec.children}
    return _digest(object_type, row_text.text(row), children)


def state_of_values(object_type: str, values: Mapping[str, Any],
                    children: Mapping[str, Sequence[Sequence[Any]]] | None = None) -> str:
    """The state token value of a row about to be written with ``values`` (every registered
    column, by name) and child rows (each child table's registered columns, in order) — what
    :func:`row_state` would read back, without reading: a new row's writer knows it already.

    The values must have the Python types the columns give back (int, float, str, None), so
    SQLite's ``quote()`` renders them as it renders the stored row on either engine.
    """
    spec = REGISTRY[object_type]
    text = sqlite_quote([values[c] for c in spec.columns])
    for name, default in spec.optional.items():
        if name not in spec.columns and not _same(values.get(name, default), default):
            text += f",{name}=" + sqlite_quote((values[name],))
    rows = {child.table: [sqlite_quote(r) for r in (children or {}).get(child.table, ())]
            for child in spec.children}
    return _digest(object_type, text, rows)


def state_string(cur: Any, objects: Iterable[tuple[str, str]]) -> str | None:
    """The ``state`` of an event that changed ``objects`` (unregistered types are skipped)."""
    cur = portable(cur)
    tokens = sorted({f"{t}:{i}={row_state(cur, t, i)}" for t, i in set(objects)
                     if t in REGISTRY})
    return "\n".join(tokens) if tokens else None


def parse_state(state: str) -> Iterator[tuple[str, str]]:
    """(``type:id``, hash or ``-``) for each token of an event's state."""
    for token in state.split("\n"):
        key, _, value = token.rpartition("=")
        yield key, value


def dependents(cur: Any, object_type: str, object_id: str) -> list[tuple[str, str]]:
    """Registered rows that a deletion of this object cascades to (call before deleting)."""
    cur = portable(cur)
    out: list[tuple[str, str]] = []
    for spec in REGISTRY.values():
        if spec.parent is not None and spec.parent[0] == object_type and table_exists(
                cur, spec.table):
            rows = cur.execute(f"SELECT {_quote(spec.key)} FROM {_quote(spec.table)} "
                               f"WHERE {_quote(spec.parent[1])} = ?", (object_id,)).fetchall()
            out.extend((spec.object_type, str(r[0])) for r in rows)
    return out


def table_exists(cur: Any, table: str) -> bool:
    """True when the database has this table (a registered table may be newer than the file)."""
    return portable(cur).table_exists(table)


def current_states(cur: Any, spec: StateSpec) -> Iterator[tuple[str, str]]:
    """(``type:id``, hash) of every row of a registered table, read in bulk."""
    yield from current_state_map(cur, spec).items()


def current_state_map(cur: Any, spec: StateSpec) -> dict[str, str]:
    """``type:id`` -> hash of every row of a registered table, read in bulk (for ``verify``).

    On SQLite the text each hash covers (see :func:`_digest`) is put together by SQLite for the
    row itself and once per owner for its child rows, so what is left per row is one SHA-256.
    """
    cur = portable(cur)
    if cur.is_postgresql:
        return dict(_current_states_rendered(cur, spec))
    prefix = spec.object_type + ":"
    suffixes: dict[str, str] = {}
    for child in sorted(spec.children, key=lambda c: c.table):
        owner_rows: dict[str, list[str]] = {}
        cols = " || ',' || ".join(f"quote({_quote(c)})" for c in child.columns)
        for owner, text in cur.execute(
                f"SELECT ? || {_key_text(child.fk)}, {cols} FROM {_quote(child.table)}",
                (prefix,)):
            rows = owner_rows.get(owner)
            if rows is None:
                owner_rows[owner] = [text]
            else:
                rows.append(text)
        head = "\x1f" + child.table + ":"
        for owner, rows in owner_rows.items():
            if len(rows) > 1:
                rows.sort()
            suffixes[owner] = suffixes.get(owner, "") + head + "\x1e".join(rows)
    row_text = _RowText(spec, cur)
    sha = hashlib.sha256
    found = cur.execute(f"SELECT ? || {_key_text(spec.key)}, ? || char(31) || {row_text.expr} "
                        f"FROM {_quote(spec.table)}", (prefix, spec.object_type,
                                                       *row_text.params))
    if not suffixes:
        return {key: sha(text.encode("utf-8", "surrogatepass")).hexdigest()
                for key, text in found}
    get = suffixes.get
    return {key: sha((text + get(key, "")).encode("utf-8", "surrogatepass")).hexdigest()
            for key, text in found}


def _key_text(column: str) -> str:
    """SQL for an id column as the text Python's ``str()`` gives its value (NULL: ``None``)."""
    return f"coalesce({_quote(column)}, 'None')"


def _current_states_rendered(cur: Cursor, spec: StateSpec) -> Iterator[tuple[str, str]]:
    """:func:`current_states` with each row's text rendered by :class:`_RowText` (any engine)."""
    children: dict[str, dict[str, list[str]]] = {}
    for child in spec.children:
        by_owner: dict[str, list[str]] = {}
        for owner, text in _child_rows(cur, child):
            by_owner.setdefault(owner, []).append(text)
        children[child.table] = by_owner
    row_text = _RowText(spec, cur)
    prefix = spec.object_type + ":"
    otype = spec.object_type
    rows = cur.execute(f"SELECT {_quote(spec.key)}, {row_text.expr} FROM {_quote(spec.table)}",
                       row_text.params)
    for row in rows:
        oid = str(row[0])
        kids = {table: owners.get(oid, []) for table, owners in children.items()}
        yield prefix + oid, _digest(otype, row_text.text(row[1:]), kids)


def states_of(cur: Any, object_type: str, ids: Sequence[str]) -> dict[str, str]:
    """Hash of each of ``ids`` (rows of a registered table), read in bulk; missing ones ``-``."""
    cur = portable(cur)
    spec = REGISTRY[object_type]
    row_text = _RowText(spec, cur)
    out: dict[str, str] = {}
    for i in range(0, len(ids), 500):
        chunk = list(ids[i:i + 500])
        marks = ", ".join("?" * len(chunk))
        kids: dict[str, dict[str, list[str]]] = {}
        for child in spec.children:
            by_owner: dict[str, list[str]] = {}
            for owner, text in _child_rows(cur, child, f"WHERE {_quote(child.fk)} IN ({marks})",
                                           chunk):
                by_owner.setdefault(owner, []).append(text)
            kids[child.table] = by_owner
        for row in cur.execute(
                f"SELECT {_quote(spec.key)}, {row_text.expr} FROM {_quote(spec.table)} "
                f"WHERE {_quote(spec.key)} IN ({marks})", (*row_text.params, *chunk)).fetchall():
            oid = str(row[0])
            out[oid] = _digest(object_type, row_text.text(row[1:]),
                               {table: owners.get(oid, []) for table, owners in kids.items()})
    for oid in ids:
        out.setdefault(oid, DELETED)
    return out


def baseline_state(cur: Any) -> str | None:
    """Tokens for every current row of every registered table (the state of a baseline event)."""
    cur = portable(cur)
    tokens = [f"{key}={digest}" for spec in REGISTRY.values() if table_exists(cur, spec.table)
              for key, digest in current_states(cur, spec)]
    return "\n".join(sorted(tokens)) if tokens else None


# -- the core tables ------------------------------------------------------------------------------

register(StateSpec(
    "user", "users", key="id", columns=("id", "name", "display_name", "guid", "created"),
    optional={"role": "annotator"}))
register(StateSpec(
    "tag", "tags", key="id",
    columns=("id", "parent_id", "name", "colour", "description", "shortcut", "position",
             "is_codable", "created")))
register(StateSpec(
    "document", "documents", key="id",
    columns=("id", "title", "kind", "sha256", "size", "filename", "source", "text",
             "text_sha256", "page_count", "author", "published", "site_name", "url",
             "metadata_json", "structure_json", "custody_json", "extractor", "imported_at",
             "imported_by", "version", "previous_id", "is_current"),
    children=(Child("pages", fk="document_id",
                    columns=("number", "label", "start", "end", "width", "height", "rotation",
                             "boxes", "synthetic")),)))
register(StateSpec(
    "annotation", "annotations", key="id",
    columns=("id", "document_id", "start", "end", "quote", "prefix", "suffix", "page_start",
             "page_end", "note", "attribution", "reliability", "credibility", "status", "anchor",
             "anchor_score", "author_id", "created", "modified", "conflict_of"),
    optional={"provenance": None,
              "region": None},  # migration 0004: region annotations
    # migration 0011: the edit counter of optimistic concurrency; every change it counts is in
    # the chain already, and a restored or cloned row may start it afresh.
    unhashed=("version",),
    children=(Child("annotation_tags", fk="annotation_id", columns=("tag_id",)),)))
register(StateSpec(
    "review", "reviews", key="id",
    columns=("id", "annotation_id", "reviewer_id", "decision", "reason", "created"),
    parent=("annotation", "annotation_id")))
# review and audit (migration 0003): comments under annotations; claims with their links
register(StateSpec(
    "comment", "comments", key="id",
    columns=("id", "annotation_id", "author_id", "text", "created"),
    parent=("annotation", "annotation_id")))
register(StateSpec(
    "claim", "claims", key="id", columns=("id", "statement", "author_id", "created"),
    children=(Child("claim_links", fk="claim_id", columns=("annotation_id", "role")),)))


def record_baseline(cur: Any, reason: str) -> bool:
    """Append a ``state.baseline`` event holding every current row's state, if there are rows.

    For migrations: one that adds rows to a registered table without events calls this after.
    """
    from app import audit
    from db.cursor import forget_schema

    forget_schema()  # a migration may just have added a column
    state = baseline_state(cur)
    if state is None:
        return False
    audit.append(cur, "dossier", "state.baseline", "dossier", "",
                 audit.canonical_json({"reason": reason}), state)
    return True

# Tables of other packages register themselves in their own module; import it so that verify
# knows them even when nothing else has loaded that package.
from app.money import audit_state as _money_state  # noqa: E402, F401
