"""Importers turn an original file into an :class:`~app.importers.base.ExtractedDocument`."""
