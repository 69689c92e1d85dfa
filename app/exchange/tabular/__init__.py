"""Tabular exports (CSV, Excel): one row per annotation and tag, see :mod:`.write`."""
