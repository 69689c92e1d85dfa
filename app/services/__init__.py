"""Domain services: every mutation of a dossier goes through here and is audited."""
