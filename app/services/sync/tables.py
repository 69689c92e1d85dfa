"""Reading and writing rows of any dossier table on either engine (SQLAlchemy Core).

Clone and push move rows between a SQLite folder and a PostgreSQL database without the ORM: the
tables are reflected from each database, so a column one side has and the other lacks (an older
schema, an engine-only table) never breaks a copy, and values pass through SQLAlchemy's types.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, MetaData, Table, inspect, select

#: Tables that belong to one engine or to the migrations, never copied between dossiers.
SKIPPED = frozenset({"alembic_version", "originals", "original_blobs"})
#: Prefixes of engine-specific tables (the full-text index and its shadow tables).
SKIPPED_PREFIXES = ("search_", "sqlite_")
BATCH = 500


def copied(name: str) -> bool:
    """True for a table whose rows are part of a dossier's record."""
    return name not in SKIPPED and not name.startswith(SKIPPED_PREFIXES)


@dataclass
class Schema:
    """The reflected tables of one database, loaded on first use."""

    conn: Connection
    _tables: dict[str, Table | None] = field(default_factory=dict)
    _names: set[str] | None = None
    metadata: MetaData = field(default_factory=MetaData)

    def names(self) -> set[str]:
        """Names of the database's tables."""
        if self._names is None:
            self._names = set(inspect(self.conn).get_table_names())
        return self._names

    def table(self, name: str) -> Table | None:
        """The reflected table, or None when the database has no such table."""
        if name not in self._tables:
            self._tables[name] = (Table(name, self.metadata, autoload_with=self.conn)
                                  if name in self.names() else None)
        return self._tables[name]

    def references(self, name: str) -> dict[str, str]:
        """``column -> referred table`` for each single-column foreign key of a table."""
        table = self.table(name)
        out: dict[str, str] = {}
        if table is None:
            return out
        for fk in table.foreign_keys:
            out[fk.parent.name] = fk.column.table.name
        return out

    def sorted_names(self, names: set[str]) -> list[str]:
        """``names`` in an order where every table comes after those it refers to."""
        for name in names:
            self.table(name)
        return [t.name for t in self.metadata.sorted_tables if t.name in names]


def common_columns(a: Table, b: Table) -> list[str]:
    """Columns both tables have, in ``a``'s order."""
    other = {c.name for c in b.columns}
    return [c.name for c in a.columns if c.name in other]


def serial_key(table: Table) -> str | None:
    """The name of a table's own integer counter key (e.g. ``pages.id``), if it has one."""
    keys = list(table.primary_key.columns)
    if len(keys) == 1 and keys[0].autoincrement in (True, "auto") \
            and keys[0].type.python_type is int and not keys[0].foreign_keys:
        return str(keys[0].name)
    return None


def rows(conn: Connection, table: Table, columns: list[str],
         where: Any = None) -> Iterator[dict[str, Any]]:
    """Every row of ``table`` (or those matching ``where``) as ``{column: value}``."""
    query = select(*(table.c[c] for c in columns))
    if where is not None:
        query = query.where(where)
    for row in conn.execute(query):
        yield dict(zip(columns, row, strict=True))


def insert_all(conn: Connection, table: Table, values: Iterator[Mapping[str, Any]]) -> int:
    """Insert rows in batches; return how many."""
    count = 0
    batch: list[Mapping[str, Any]] = []
    for value in values:
        batch.append(value)
        if len(batch) >= BATCH:
            conn.execute(table.insert(), batch)
            count += len(batch)
            batch = []
    if batch:
        conn.execute(table.insert(), batch)
        count += len(batch)
    return count


def comparable(value: Any) -> Any:
    """A value as both engines give it back (booleans as integers, memoryviews as bytes)."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, memoryview):
        return value.tobytes()
    return value
