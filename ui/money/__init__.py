"""The money-flow window: graph and timeline of claims, the claim form, screening."""
