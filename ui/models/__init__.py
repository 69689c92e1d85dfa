"""Item models of the main window: codebook tree, annotation table, documents, tag choices."""
