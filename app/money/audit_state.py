"""How the money-flow tables are hashed into audit events' row states (see :mod:`app.state`)."""

from __future__ import annotations

from app.state import Child, StateSpec, register

register(StateSpec(
    "entity", "entities", key="id",
    columns=("id", "schema", "name", "name_key", "country", "properties_json", "merged_into",
             "created", "created_by"),
    children=(Child("entity_aliases", fk="entity_id", columns=("alias", "alias_key")),
              Child("mentions", fk="entity_id", columns=("annotation_id",)))))
register(StateSpec(
    "fact", "facts", key="id",
    columns=("id", "kind", "schema", "subject_id", "object_id", "amount_text", "amount",
             "amount_min", "amount_max", "currency", "date_text", "date_start", "date_end",
             "fields_json", "created", "author_id"),
    children=(Child("fact_sources", fk="fact_id",
                    columns=("annotation_id", "document_id", "document_sha256", "document_title",
                             "quote")),)))
register(StateSpec(
    "screening_match", "screening_matches", key="id",
    columns=("id", "entity_id", "list_name", "list_sha256", "listed_id", "listed_name", "score",
             "listing_json", "status", "reason", "decided_by", "decided_at", "created"),
    parent=("entity", "entity_id")))
