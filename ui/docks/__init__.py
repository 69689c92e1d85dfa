"""The main window's docks: documents, codebook, annotation list, annotation panel."""
