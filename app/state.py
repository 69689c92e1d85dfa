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

Values are canonicalised to text (``None`` stays null; integral floats and booleans become
integers first; bytes become their SHA-256) so SQLite's type affinity, the ORM's Python types and a
raw ``sqlite3`` read all give the same hash.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

DELETED = "-"


class _Cursor(Protocol):
    def execute(self, sql: str, params: Sequence[Any] = ..., /) -> Any: ...


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


REGISTRY: dict[str, StateSpec] = {}


def register(spec: StateSpec) -> None:
    """Add (or replace) the state spec of one object type."""
    REGISTRY[spec.object_type] = spec


def _canon(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, bytes | bytearray | memoryview):
        return hashlib.sha256(bytes(value)).hexdigest()
    return str(value)


def _row_part(spec: StateSpec, row: Sequence[Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in zip(_all_columns(spec), row, strict=True):
        if name in spec.optional and value == spec.optional[name]:
            continue
        out[name] = _canon(value)
    return out


def _all_columns(spec: StateSpec) -> tuple[str, ...]:
    return spec.columns + tuple(c for c in spec.optional if c not in spec.columns)


def _dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def hash_row(spec: StateSpec, row: Sequence[Any],
             children: Mapping[str, list[list[Any]]] | None = None) -> str:
    """The state hash of a row given its column values (in spec order) and child rows."""
    kids = {table: sorted(rows, key=_dumps) for table, rows in (children or {}).items() if rows}
    body = _dumps([spec.object_type, _row_part(spec, row), kids])
    return hashlib.sha256(body.encode("utf-8", "surrogatepass")).hexdigest()


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _select(spec: StateSpec) -> str:
    cols = ", ".join(_quote(c) for c in _all_columns(spec))
    return f"SELECT {cols} FROM {_quote(spec.table)}"


def _child_rows(cur: _Cursor, child: Child, where: str = "", params: Sequence[Any] = ()
                ) -> Iterator[tuple[str, list[Any]]]:
    cols = ", ".join(_quote(c) for c in child.columns)
    sql = f"SELECT {_quote(child.fk)}, {cols} FROM {_quote(child.table)} {where}"
    for row in cur.execute(sql, params):
        yield str(row[0]), [_canon(v) for v in row[1:]]


def row_state(cur: _Cursor, object_type: str, object_id: str) -> str:
    """The state token value of one row now: its hash, or ``-`` when it does not exist."""
    spec = REGISTRY[object_type]
    row = cur.execute(f"{_select(spec)} WHERE {_quote(spec.key)} = ?", (object_id,)).fetchone()
    if row is None:
        return DELETED
    children: dict[str, list[list[Any]]] = {}
    for child in spec.children:
        children[child.table] = [
            values for _, values in
            _child_rows(cur, child, f"WHERE {_quote(child.fk)} = ?", (object_id,))]
    return hash_row(spec, row, children)


def state_string(cur: _Cursor, objects: Iterable[tuple[str, str]]) -> str | None:
    """The ``state`` of an event that changed ``objects`` (unregistered types are skipped)."""
    tokens = sorted({f"{t}:{i}={row_state(cur, t, i)}" for t, i in set(objects)
                     if t in REGISTRY})
    return "\n".join(tokens) if tokens else None


def parse_state(state: str) -> Iterator[tuple[str, str]]:
    """(``type:id``, hash or ``-``) for each token of an event's state."""
    for token in state.split("\n"):
        key, _, value = token.rpartition("=")
        yield key, value


def dependents(cur: _Cursor, object_type: str, object_id: str) -> list[tuple[str, str]]:
    """Registered rows that a deletion of this object cascades to (call before deleting)."""
    out: list[tuple[str, str]] = []
    for spec in REGISTRY.values():
        if spec.parent is not None and spec.parent[0] == object_type and table_exists(
                cur, spec.table):
            rows = cur.execute(f"SELECT {_quote(spec.key)} FROM {_quote(spec.table)} "
                               f"WHERE {_quote(spec.parent[1])} = ?", (object_id,)).fetchall()
            out.extend((spec.object_type, str(r[0])) for r in rows)
    return out


def table_exists(cur: _Cursor, table: str) -> bool:
    """True when the database has this table (a registered table may be newer than the file)."""
    row = cur.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                      (table,)).fetchone()
    return row is not None


def current_states(cur: _Cursor, spec: StateSpec) -> Iterator[tuple[str, str]]:
    """(``type:id``, hash) of every row of a registered table, read in bulk."""
    children: dict[str, dict[str, list[list[Any]]]] = {}
    for child in spec.children:
        by_owner: dict[str, list[list[Any]]] = {}
        for owner, values in _child_rows(cur, child):
            by_owner.setdefault(owner, []).append(values)
        children[child.table] = by_owner
    rows = cur.execute(f"{_select(spec)}").fetchall()
    key_index = _all_columns(spec).index(spec.key)
    for row in rows:
        oid = str(row[key_index])
        kids = {table: owners.get(oid, []) for table, owners in children.items()}
        yield f"{spec.object_type}:{oid}", hash_row(spec, row, kids)


def baseline_state(cur: _Cursor) -> str | None:
    """Tokens for every current row of every registered table (the state of a baseline event)."""
    tokens = [f"{key}={digest}" for spec in REGISTRY.values() if table_exists(cur, spec.table)
              for key, digest in current_states(cur, spec)]
    return "\n".join(sorted(tokens)) if tokens else None


# -- the core tables ------------------------------------------------------------------------------

register(StateSpec(
    "user", "users", key="id", columns=("id", "name", "display_name", "guid", "created")))
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
    optional={"region": None},  # migration 0004: region annotations
    children=(Child("annotation_tags", fk="annotation_id", columns=("tag_id",)),)))
register(StateSpec(
    "review", "reviews", key="id",
    columns=("id", "annotation_id", "reviewer_id", "decision", "reason", "created"),
    parent=("annotation", "annotation_id")))


def record_baseline(cur: _Cursor, reason: str) -> bool:
    """Append a ``state.baseline`` event holding every current row's state, if there are rows.

    For migrations: one that adds rows to a registered table without events calls this after.
    """
    from app import audit

    state = baseline_state(cur)
    if state is None:
        return False
    audit.append(cur, "dossier", "state.baseline", "dossier", "",
                 audit.canonical_json({"reason": reason}), state)
    return True

# Tables of other packages register themselves in their own module; import it so that verify
# knows them even when nothing else has loaded that package.
from app.money import audit_state as _money_state  # noqa: E402, F401
