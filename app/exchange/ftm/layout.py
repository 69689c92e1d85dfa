"""What a Dossier FtM file holds, shared by the writer and the reader.

One JSON object per line, each an FtM entity (``id``, ``schema``, ``properties``, ``datasets``)
that loads as a ``followthemoney`` proxy. Three kinds of lines, in this order:

1. entities (Person, Company, PublicBody...): name, aliases, countries, further properties;
2. source documents as FtM ``Document`` entities: title and ``contentHash`` (the original's
   SHA-256), id ``dossier-doc-<sha256>``;
3. claims as FtM interval entities (Payment, Employment, Ownership, Membership, Directorship or
   UnknownLink): parties, amount, currency, dates, ``proof`` -> the source documents,
   ``recordId`` -> the annotation ids, ``summary`` -> the quotes.

Each line also carries a ``dossier`` object that FtM tools ignore: for a claim, the statement as
Dossier keeps it (amount and date as stated, with their machine ranges) and its ``sources``
(annotation id, quote, document id and SHA-256); for an entity, its mentions. Dossier reads it back
so an export re-imports unchanged.
"""

from __future__ import annotations

DATASET = "dossier"
FORMAT = "dossier-ftm"
VERSION = 1


def document_entity_id(sha256: str) -> str:
    """The FtM id of a source document."""
    return f"dossier-doc-{sha256}"
