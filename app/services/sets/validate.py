"""The staged check of an incoming set, run before anything is written (outside the write lock).

Every text must be storable (no lone surrogates), every note within the one note limit of all
formats (:data:`app.limits.MAX_NOTE_CHARS`), every number in range. The first problem refuses the
whole set with one line naming the file and the annotation; nothing is written.
"""

from __future__ import annotations

from app.errors import BadInput
from app.exchange.incoming import IncomingAnnotation, IncomingSet
from app.limits import MAX_FIELD_CHARS, MAX_NOTE_CHARS, invalid_text

#: Largest offset or page number accepted from a set.
MAX_NUMBER = 2**31 - 1


def check_set(incoming: IncomingSet) -> None:
    """Refuse ``incoming`` (BadInput) at its first unusable value."""
    for ann in incoming.annotations:
        _check_annotation(incoming.name, ann)
    for tag in incoming.tags:
        for label, value in (("name", tag.name), ("description", tag.description)):
            if invalid_text(value):
                raise BadInput(f"{incoming.name}: tag {tag.id}: its {label} holds an invalid "
                               "character (a lone UTF-16 surrogate); nothing was imported")


def _check_annotation(name: str, ann: IncomingAnnotation) -> None:
    def fail(problem: str) -> BadInput:
        return BadInput(f"{name}: {ann.label}: {problem}; nothing was imported")

    texts = {"note": ann.note, "attribution": ann.attribution, "creator": ann.author,
             "quote": ann.exact or "", "prefix": ann.prefix, "suffix": ann.suffix}
    for review in ann.reviews:
        texts.update({"review reason": review.reason, "reviewer": review.reviewer})
    for ref in ann.tags:
        texts[f"tag {ref.path or ref.id}"] = ref.path or ""
    for label, value in texts.items():
        if invalid_text(value):
            raise fail(f"its {label} holds an invalid character (a lone UTF-16 surrogate)")
    if len(ann.note) > MAX_NOTE_CHARS:
        raise fail(f"its note has {len(ann.note):,} characters, more than the {MAX_NOTE_CHARS:,} "
                   "a note may have")
    for label in ("attribution", "creator"):
        if len(texts[label]) > MAX_FIELD_CHARS:
            raise fail(f"its {label} is longer than {MAX_FIELD_CHARS:,} characters")
    for label, number in (("start", ann.start), ("end", ann.end), ("page", ann.page),
                          ("page start", ann.page_start), ("page end", ann.page_end)):
        if number is not None and not 0 <= number <= MAX_NUMBER:
            raise fail(f"its {label} is out of range")
