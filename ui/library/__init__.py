"""The library: the dossier's documents, and getting documents into it."""
