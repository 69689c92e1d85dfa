"""Full-text search across the dossier: a dock with results as you type."""
