"""Tables of the money-flow layer: entities, their mentions, structured facts, screening.

Entities and facts follow the FollowTheMoney (FtM) model: ``schema`` holds an FtM schema name
(``Person``, ``PublicBody``, ``Payment``, ``Employment``...). Fact sources and mentions keep the
annotation id *and* a copy of the quote and document hash without a foreign key, so that a fact
keeps its evidence reference when it is exchanged into another dossier (as ``conflict_of`` does).
"""

from __future__ import annotations

from sqlalchemy import Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.models import Base


class Entity(Base):
    """A person, company, organisation, public body, bank account or territory."""

    __tablename__ = "entities"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    schema: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(Text)
    #: ``ascii_text`` + lower-case of the name, for look-ups across scripts.
    name_key: Mapped[str] = mapped_column(Text, index=True)
    country: Mapped[str] = mapped_column(String(64), default="")  # ISO codes, comma-separated
    #: Further FtM properties ({"birthDate": ["1970"], "idNumber": [...]}) as JSON.
    properties_json: Mapped[str] = mapped_column(Text, default="{}")
    #: Set when this entity was merged into another one (kept so a merge can be undone).
    merged_into: Mapped[str | None] = mapped_column(
        ForeignKey("entities.id", ondelete="RESTRICT"), nullable=True, index=True
    )
    created: Mapped[str] = mapped_column(String(32))
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))


class EntityAlias(Base):
    """Another name of an entity (transliteration, former name, abbreviation)."""

    __tablename__ = "entity_aliases"

    entity_id: Mapped[str] = mapped_column(
        ForeignKey("entities.id", ondelete="CASCADE"), primary_key=True
    )
    alias: Mapped[str] = mapped_column(Text, primary_key=True)
    alias_key: Mapped[str] = mapped_column(Text, index=True)


class Mention(Base):
    """An annotation that names an entity (an annotation can name several)."""

    __tablename__ = "mentions"

    entity_id: Mapped[str] = mapped_column(
        ForeignKey("entities.id", ondelete="CASCADE"), primary_key=True
    )
    annotation_id: Mapped[str] = mapped_column(String(36), primary_key=True, index=True)


class Fact(Base):
    """A structured claim: payment, contract/employment, ownership, membership, directorship.

    ``subject`` is the payer / employer / owner / member / director, ``object`` the payee /
    workers / asset / organisation. Amounts and dates are kept as stated, with a machine range.
    """

    __tablename__ = "facts"
    __table_args__ = (Index("ix_facts_flow", "kind", "subject_id", "object_id", "currency",
                            "amount", "amount_min", "amount_max", "date_start", "date_end"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)
    schema: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[str] = mapped_column(ForeignKey("entities.id"), index=True)
    object_id: Mapped[str] = mapped_column(ForeignKey("entities.id"), index=True)
    amount_text: Mapped[str] = mapped_column(Text, default="")
    amount: Mapped[float | None] = mapped_column(Float, nullable=True)
    amount_min: Mapped[float | None] = mapped_column(Float, nullable=True)
    amount_max: Mapped[float | None] = mapped_column(Float, nullable=True)
    currency: Mapped[str] = mapped_column(String(3), default="")
    date_text: Mapped[str] = mapped_column(Text, default="")
    date_start: Mapped[str] = mapped_column(String(10), default="")
    date_end: Mapped[str] = mapped_column(String(10), default="")
    #: Kind-specific fields (purpose, channel, country, duration, wage, deductions, share, role).
    fields_json: Mapped[str] = mapped_column(Text, default="{}")
    created: Mapped[str] = mapped_column(String(32))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))


class FactSource(Base):
    """A passage backing a fact: the annotation and a copy of its quote and document."""

    __tablename__ = "fact_sources"

    fact_id: Mapped[str] = mapped_column(
        ForeignKey("facts.id", ondelete="CASCADE"), primary_key=True
    )
    annotation_id: Mapped[str] = mapped_column(String(36), primary_key=True, index=True)
    document_id: Mapped[str] = mapped_column(String(36), default="")
    document_sha256: Mapped[str] = mapped_column(String(64), default="")
    document_title: Mapped[str] = mapped_column(Text, default="")
    quote: Mapped[str] = mapped_column(Text, default="")


class ScreeningMatch(Base):
    """A candidate match of an entity against a sanctions/PEP list, and a person's decision."""

    __tablename__ = "screening_matches"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    entity_id: Mapped[str] = mapped_column(
        ForeignKey("entities.id", ondelete="CASCADE"), index=True
    )
    list_name: Mapped[str] = mapped_column(Text)
    list_sha256: Mapped[str] = mapped_column(String(64))
    listed_id: Mapped[str] = mapped_column(Text)
    listed_name: Mapped[str] = mapped_column(Text)
    score: Mapped[float] = mapped_column(Float)
    #: What the list says: schema, names, countries, birth dates, programme, authority, date.
    listing_json: Mapped[str] = mapped_column(Text, default="{}")
    status: Mapped[str] = mapped_column(String(12), default="pending", index=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    decided_by: Mapped[str] = mapped_column(String(200), default="")
    decided_at: Mapped[str] = mapped_column(String(32), default="")
    created: Mapped[str] = mapped_column(String(32))


__all__ = ["Entity", "EntityAlias", "Fact", "FactSource", "Mention", "ScreeningMatch"]
