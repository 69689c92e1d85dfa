"""Evidence bundles: :mod:`.write` makes them, :mod:`.read` verifies and reads them.

:mod:`.layout` holds the names of the files inside a bundle.
"""
