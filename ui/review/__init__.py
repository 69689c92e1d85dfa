"""Review and audit in the GUI: review queue, audit log view, agreement side by side."""
