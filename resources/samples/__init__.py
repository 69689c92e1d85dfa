"""Sample documents for the sample dossier (fictional, and marked as samples)."""
