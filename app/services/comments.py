"""Comments threaded under an annotation (audited like every other change)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from app import audit
from app.clock import utcnow
from app.errors import BadInput
from app.services.lookup import resolve_prefix
from db.models import Annotation, Comment, User

if TYPE_CHECKING:
    from app.dossier import Dossier


@dataclass(frozen=True)
class CommentView:
    """One comment."""

    id: str
    annotation_id: str
    author: str
    text: str
    created: str

    def to_json(self) -> dict[str, Any]:
        """JSON shape of the CLI."""
        return {"id": self.id, "annotation": self.annotation_id, "author": self.author,
                "text": self.text, "created": self.created}


def add_comment(dossier: Dossier, annotation_spec: str, text: str) -> CommentView:
    """Add a comment under an annotation (anyone with a role may comment)."""
    text = text.strip()
    if not text:
        raise BadInput("the comment is empty")
    with dossier.write() as session:
        ann = resolve_prefix(session, Annotation, annotation_spec, "annotation")
        author_id = dossier.user_id(session)
        comment = Comment(id=str(uuid.uuid4()), annotation_id=ann.id, author_id=author_id,
                          text=text, created=utcnow())
        session.add(comment)
        session.flush()
        audit.record(session, dossier.user_name, "comment.create", "comment", comment.id,
                     {"annotation_id": ann.id, "text": text, "created": comment.created})
        view = CommentView(comment.id, ann.id, dossier.user_name, text, comment.created)
    dossier.notify_change("comment", "created", view.id)
    return view


def list_comments(dossier: Dossier, annotation_id: str) -> list[CommentView]:
    """An annotation's comments, oldest first."""
    with dossier.read() as session:
        rows = session.execute(
            select(Comment, User.name).join(User, User.id == Comment.author_id)
            .where(Comment.annotation_id == annotation_id).order_by(Comment.created, Comment.id)
        ).all()
        return [CommentView(c.id, c.annotation_id, name, c.text, c.created) for c, name in rows]
