"""Search entries know where their text starts (``search_refs.start``); listing documents never
walks their texts (a covering index).

Revision ID: 0007
Revises: 0008 (branch ``workspace`` was given down_revision 0002; it follows 0008, which it
merged from ``ops``)
Create Date: 2026-11-30

Long texts are indexed in passages of a few thousand characters (snippets stay quick and a hit
opens at its passage); each entry records the code-point offset where its passage starts in the
document text. A plain nullable column added in place; older entries keep NULL (the page or the
document's start is used for them).

SQLite stores a row's columns in order, and every column after ``documents.text`` (current flag,
length, version, import date...) sits behind the text's overflow pages: listing 2,000 documents
read every text. ``ix_documents_listing`` holds the columns a listing and search's "is it
current" check need, so both are answered from the index alone.
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0008"
branch_labels = None
depends_on = None


LISTING = ("is_current", "imported_at", "id", "title", "kind", "page_count", "filename",
           "site_name", "imported_by", "version", "previous_id", "text_length", "author",
           "source", "url")


def upgrade() -> None:
    op.execute("ALTER TABLE search_refs ADD COLUMN start INTEGER")
    op.execute(f"CREATE INDEX ix_documents_listing ON documents ({', '.join(LISTING)})")


def downgrade() -> None:
    op.execute("DROP INDEX ix_documents_listing")
    with op.batch_alter_table("search_refs", recreate="never") as batch:
        batch.drop_column("start")
