"""One audited row (with its child rows) read, compared and written across two dossiers.

Rows are compared by content: every registered column and child row, with references to users,
tags, documents and annotations translated into the team dossier's ids (a user created offline
may have another number there; a tag of a moved dossier may be the team's tag of the same path).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Table, select

from app.services.sync.tables import Schema, common_columns, comparable, serial_key
from app.state import StateSpec

#: Columns that count changes rather than hold content (optimistic concurrency): not compared.
COUNTERS = frozenset({"version"})


@dataclass
class IdMaps:
    """Local id -> team dossier id, by referred table (``users``, ``tags``, ...)."""

    by_table: dict[str, dict[Any, Any]] = field(default_factory=dict)

    def get(self, table: str) -> dict[Any, Any]:
        """The map of one table (created empty on first use)."""
        return self.by_table.setdefault(table, {})

    def translate(self, refs: Mapping[str, str], row: dict[str, Any]) -> dict[str, Any]:
        """``row`` with each referring column's value mapped (unmapped values stay, except
        users: a user id means another person in each dossier, so one that has no
        counterpart raises :class:`Unmapped` rather than name somebody else)."""
        out = dict(row)
        for column, table in refs.items():
            if column in out and out[column] is not None:
                known = self.by_table.get(table, {})
                if table == "users" and out[column] not in known:
                    raise Unmapped(out[column])
                out[column] = known.get(out[column], out[column])
        return out


class Unmapped(Exception):
    """A row refers to a user who has no counterpart in the team dossier."""


@dataclass
class Side:
    """One dossier's connection and schema, as row sync sees it."""

    conn: Connection
    schema: Schema

    def table(self, name: str) -> Table:
        """A table that must exist."""
        table = self.schema.table(name)
        assert table is not None, name
        return table


def _compared_columns(spec: StateSpec, local: Side, server: Side) -> list[str]:
    a, b = local.table(spec.table), server.table(spec.table)
    both = set(common_columns(a, b))
    names = [*spec.columns, *spec.optional]
    return [c for c in dict.fromkeys(names) if c in both and c != spec.key and c not in COUNTERS]


def content(spec: StateSpec, side: Side, other: Side, object_id: Any,
            maps: IdMaps | None) -> dict[str, Any] | None:
    """A row's comparable content (None when it does not exist); ``maps`` for the local side.

    Nobody changes the row between this comparison and the write: the push is one write
    transaction, and writers are serialised on both engines (SQLite's write lock, the team
    dossier's writer lock).
    """
    table = side.table(spec.table)
    columns = _compared_columns(spec, side, other)
    query = select(*(table.c[c] for c in columns)).where(table.c[spec.key] == object_id)
    row = side.conn.execute(query).first()
    if row is None:
        return None
    values = dict(zip(columns, row, strict=True))
    if maps is not None:
        values = maps.translate(side.schema.references(spec.table), values)
    out = {k: comparable(v) for k, v in values.items()}
    for child in spec.children:
        c_table = side.table(child.table)
        c_cols = [c for c in child.columns if c in c_table.c and c in other.table(child.table).c]
        refs = side.schema.references(child.table)
        kids = []
        for kid in side.conn.execute(c_table.select().with_only_columns(
                *(c_table.c[c] for c in c_cols)).where(c_table.c[child.fk] == object_id)):
            value = dict(zip(c_cols, kid, strict=True))
            if maps is not None:
                value = maps.translate(refs, value)
            kids.append(tuple(comparable(value[c]) for c in c_cols))
        out[f"{child.table}[]"] = sorted(kids, key=repr)
    return out


def differences(a: dict[str, Any] | None, b: dict[str, Any] | None) -> list[str]:
    """Names of the fields that differ between two contents."""
    if a is None or b is None:
        return ["exists"]
    return sorted(k for k in a.keys() | b.keys() if a.get(k) != b.get(k))


def full_row(spec: StateSpec, local: Side, server: Side, object_id: Any,
             maps: IdMaps) -> tuple[dict[str, Any], dict[str, list[dict[str, Any]]]]:
    """Everything of a local row the team dossier's table can hold, mapped; and its children."""
    table = local.table(spec.table)
    columns = common_columns(table, server.table(spec.table))
    row = local.conn.execute(table.select().with_only_columns(*(table.c[c] for c in columns))
                             .where(table.c[spec.key] == object_id)).one()
    values = maps.translate(local.schema.references(spec.table),
                            dict(zip(columns, row, strict=True)))
    children: dict[str, list[dict[str, Any]]] = {}
    for child in spec.children:
        c_local, c_server = local.table(child.table), server.table(child.table)
        skip = serial_key(c_local)
        c_cols = [c for c in common_columns(c_local, c_server) if c != skip]
        refs = local.schema.references(child.table)
        children[child.table] = [
            maps.translate(refs, dict(zip(c_cols, kid, strict=True)))
            for kid in local.conn.execute(c_local.select().with_only_columns(
                *(c_local.c[c] for c in c_cols)).where(c_local.c[child.fk] == object_id))]
    return values, children


def write_row(spec: StateSpec, server: Side, key: Any, values: dict[str, Any],
              children: dict[str, list[dict[str, Any]]], *, exists: bool) -> None:
    """Insert or replace a row (under ``key``) and its child rows in the team dossier."""
    table = server.table(spec.table)
    values = {**values, spec.key: key}
    if exists:
        server.conn.execute(table.update().where(table.c[spec.key] == key).values(
            {k: v for k, v in values.items() if k != spec.key}))
    else:
        server.conn.execute(table.insert().values(values))
    for child in spec.children:
        c_table = server.table(child.table)
        server.conn.execute(c_table.delete().where(c_table.c[child.fk] == key))
        kids = [{**kid, child.fk: key} for kid in children.get(child.table, [])]
        if kids:
            server.conn.execute(c_table.insert(), kids)


def delete_row(spec: StateSpec, server: Side, key: Any) -> None:
    """Delete a row of the team dossier (its child rows go by the foreign keys' cascade)."""
    table = server.table(spec.table)
    server.conn.execute(table.delete().where(table.c[spec.key] == key))
