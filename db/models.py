"""SQLAlchemy 2.0 typed models of a dossier.

Identifiers of documents, annotations, tags and reviews are UUID strings (lowercase hex with
dashes) so that sets exchanged between dossiers keep their identity. Times are ISO 8601 UTC strings
ending in ``Z``: they sort as text and survive every export unchanged.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    """Declarative base of every table of a dossier."""


class User(Base):
    """Somebody who imported, annotated or reviewed something."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    guid: Mapped[str] = mapped_column(String(36), unique=True)
    created: Mapped[str] = mapped_column(String(32))
    #: annotator | reviewer | administrator (app.services.roles)
    role: Mapped[str] = mapped_column(String(16), default="annotator")


class Document(Base):
    """One imported version of a document; its original lives in ``originals/`` by SHA-256."""

    __tablename__ = "documents"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    title: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(16))  # pdf | html | text
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    size: Mapped[int] = mapped_column(Integer)
    filename: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(Text, default="")  # file path or URL it came from
    #: Loaded only when read (listings never need it; :meth:`Dossier.document_text` caches it).
    text: Mapped[str] = mapped_column(Text, deferred=True)
    #: ``len(text)`` in code points, so listings need not read the text.
    text_length: Mapped[int | None] = mapped_column(Integer, nullable=True)
    text_sha256: Mapped[str] = mapped_column(String(64))
    page_count: Mapped[int] = mapped_column(Integer, default=0)
    author: Mapped[str | None] = mapped_column(Text, nullable=True)
    published: Mapped[str | None] = mapped_column(String(40), nullable=True)
    site_name: Mapped[str | None] = mapped_column(Text, nullable=True)
    url: Mapped[str | None] = mapped_column(Text, nullable=True)
    metadata_json: Mapped[str] = mapped_column(Text, default="{}")
    structure_json: Mapped[str] = mapped_column(Text, default="[]")
    custody_json: Mapped[str] = mapped_column(Text, default="{}")
    extractor: Mapped[str] = mapped_column(Text, default="")
    imported_at: Mapped[str] = mapped_column(String(32))
    imported_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)
    previous_id: Mapped[str | None] = mapped_column(
        ForeignKey("documents.id"), nullable=True, index=True
    )
    is_current: Mapped[bool] = mapped_column(default=True)

    pages: Mapped[list[Page]] = relationship(
        back_populates="document", order_by="Page.number", cascade="all, delete-orphan"
    )


class Page(Base):
    """A PDF page: its [start, end) in the document text, size, rotation and packed geometry.

    ``boxes`` is a little-endian float32 array, 4 values (x0, top, x1, bottom) per code point of the
    page text, in points on the displayed page with a top-left origin; ``synthetic`` has one
    byte per code point, 1 where the extractor inserted the character. Both are zlib-compressed.
    """

    __tablename__ = "pages"
    __table_args__ = (UniqueConstraint("document_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)  # 1-based
    label: Mapped[str | None] = mapped_column(String(40), nullable=True)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    width: Mapped[float] = mapped_column(Float)
    height: Mapped[float] = mapped_column(Float)
    rotation: Mapped[int] = mapped_column(Integer, default=0)
    boxes: Mapped[bytes] = mapped_column(LargeBinary)
    synthetic: Mapped[bytes] = mapped_column(LargeBinary)
    #: For a page whose text came from OCR: JSON (engine, version, lang, dpi, words).
    ocr: Mapped[str | None] = mapped_column(Text, nullable=True)
    #: For an OCR'd page: zlib-compressed confidences (0-100, 255 synthetic), one per code point.
    confidence: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)

    document: Mapped[Document] = relationship(back_populates="pages")


class Tag(Base):
    """A code of the codebook; tags form a tree through ``parent_id``."""

    __tablename__ = "tags"
    __table_args__ = (UniqueConstraint("parent_id", "name"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    parent_id: Mapped[str | None] = mapped_column(
        ForeignKey("tags.id", ondelete="RESTRICT"), nullable=True, index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    colour: Mapped[str] = mapped_column(String(9), default="#808080")
    description: Mapped[str] = mapped_column(Text, default="")
    shortcut: Mapped[str | None] = mapped_column(String(32), nullable=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    is_codable: Mapped[bool] = mapped_column(default=True)
    created: Mapped[str] = mapped_column(String(32))


class Annotation(Base):
    """A highlighted passage ``[start, end)`` of a document's text, with selectors and fields."""

    __tablename__ = "annotations"
    __table_args__ = (Index("ix_annotations_document_start", "document_id", "start"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id", ondelete="RESTRICT"))
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    quote: Mapped[str] = mapped_column(Text)
    prefix: Mapped[str] = mapped_column(Text, default="")
    suffix: Mapped[str] = mapped_column(Text, default="")
    page_start: Mapped[int | None] = mapped_column(Integer, nullable=True)
    page_end: Mapped[int | None] = mapped_column(Integer, nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")
    attribution: Mapped[str] = mapped_column(Text, default="")
    reliability: Mapped[str | None] = mapped_column(String(1), nullable=True)  # A-F
    credibility: Mapped[int | None] = mapped_column(Integer, nullable=True)  # 1-6
    status: Mapped[str] = mapped_column(String(24), default="draft", index=True)
    anchor: Mapped[str] = mapped_column(String(12), default="exact", index=True)
    anchor_score: Mapped[float] = mapped_column(Float, default=1.0)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created: Mapped[str] = mapped_column(String(32))
    modified: Mapped[str] = mapped_column(String(32))
    #: Set on an annotation that arrived in an imported set with the id of a local annotation
    #: it contradicts: both are kept and this one is flagged (app.services.sets.merge). No foreign
    #: key: the flag stays until an investigator resolves it, even if the other is deleted.
    conflict_of: Mapped[str | None] = mapped_column(String(36), nullable=True, index=True)
    #: JSON on annotations that arrived in a set: the set, its importer, the sender's status and
    #: flags (a claimed local author, placed by quote). NULL for annotations made here.
    provenance: Mapped[str | None] = mapped_column(Text, nullable=True)
    #: A region annotation: JSON ``{"page", "x", "y", "w", "h"}`` in page points, else NULL.
    region: Mapped[str | None] = mapped_column(Text, nullable=True)
    #: Raised by one on every change of the row (migration 0011): an edit states the version it
    #: was based on, and the ORM's UPDATE and DELETE match it (optimistic concurrency).
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    __mapper_args__ = {"version_id_col": version}

    author: Mapped[User] = relationship()
    tags: Mapped[list[Tag]] = relationship(secondary="annotation_tags", order_by="Tag.name")


class AnnotationTag(Base):
    """Link of an annotation to one of its tags."""

    __tablename__ = "annotation_tags"

    annotation_id: Mapped[str] = mapped_column(
        ForeignKey("annotations.id", ondelete="CASCADE"), primary_key=True
    )
    tag_id: Mapped[str] = mapped_column(
        ForeignKey("tags.id", ondelete="RESTRICT"), primary_key=True, index=True
    )


class Review(Base):
    """A reviewer's decision on an annotation, with its reason."""

    __tablename__ = "reviews"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    annotation_id: Mapped[str] = mapped_column(
        ForeignKey("annotations.id", ondelete="CASCADE"), index=True
    )
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    decision: Mapped[str] = mapped_column(String(24))
    reason: Mapped[str] = mapped_column(Text, default="")
    created: Mapped[str] = mapped_column(String(32))


class AuditEvent(Base):
    """One link of the tamper-evident audit chain (see :mod:`app.audit`)."""

    __tablename__ = "audit_events"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[str] = mapped_column(String(64))
    payload: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    #: The state of the rows the event changed (app.state); None on events older than states.
    state: Mapped[str | None] = mapped_column(Text, nullable=True)


class Setting(Base):
    """Small key/value facts about the dossier itself (e.g. the audit chain head)."""

    __tablename__ = "dossier_meta"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Comment(Base):
    """A remark threaded under an annotation (reviewers and authors discuss it)."""

    __tablename__ = "comments"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    annotation_id: Mapped[str] = mapped_column(
        ForeignKey("annotations.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    text: Mapped[str] = mapped_column(Text)
    created: Mapped[str] = mapped_column(String(32))


class Claim(Base):
    """A short statement that annotations from different documents support or contradict."""

    __tablename__ = "claims"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    statement: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created: Mapped[str] = mapped_column(String(32))


class ClaimLink(Base):
    """An annotation linked to a claim as ``support`` or ``contradict``."""

    __tablename__ = "claim_links"

    claim_id: Mapped[str] = mapped_column(
        ForeignKey("claims.id", ondelete="CASCADE"), primary_key=True
    )
    annotation_id: Mapped[str] = mapped_column(
        ForeignKey("annotations.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    role: Mapped[str] = mapped_column(String(12))


class Original(Base):
    """An imported file's bytes in a team dossier, by SHA-256 (:mod:`app.originals`); a dossier
    folder keeps them in ``originals/`` instead and leaves this table empty."""

    __tablename__ = "originals"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    stored_at: Mapped[str] = mapped_column(String(32))
