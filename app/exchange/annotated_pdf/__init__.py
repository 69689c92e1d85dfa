"""A PDF with its annotations as highlights: :mod:`.export` plans them, :mod:`.writer` draws."""
