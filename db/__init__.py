"""Storage layer: SQLAlchemy models, engine set-up, Alembic migrations and the search index."""
