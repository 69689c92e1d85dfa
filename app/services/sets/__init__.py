"""Importing annotation sets from other dossiers and tools: the one write path for them.

:mod:`.merge` reads a set (any exchange format) and writes it through one audited transaction;
:mod:`.matching` finds each set's documents and annotations in this dossier; :mod:`.summary`
is what an import reports.
"""
