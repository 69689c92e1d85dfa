"""The evidence report (HTML and PDF), see :mod:`.render`."""
