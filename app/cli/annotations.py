"""Commands on the codebook and annotations: ``tags``, ``annotate``, ``annotations``."""

from __future__ import annotations

import argparse

from app.annotation_fields import CREDIBILITY, RELIABILITY, STATUSES
from app.cli.output import emit_json, short_id, shorten
from app.errors import BadInput

TYPE_CHECKING = False  # typing is not loaded at run time (see app.cli.main)
if TYPE_CHECKING:
    from typing import Any


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add the codebook and annotation commands."""
    p = sub.add_parser("tags", parents=[common], help="show the codebook as a tree")
    p.add_argument("--json", action="store_true", help="print JSON only")
    p.set_defaults(func=cmd_tags)

    p = sub.add_parser("annotate", parents=[common], help="highlight and tag a passage")
    p.add_argument("doc", metavar="DOC", help="document id or unique prefix")
    p.add_argument("--quote", help="exact text of the passage")
    p.add_argument("--occurrence", type=int, default=1, help="which occurrence of --quote (1-)")
    p.add_argument("--start", type=int, help="start offset (code points)")
    p.add_argument("--end", type=int, help="end offset, exclusive")
    p.add_argument("--tag", action="append", required=True, metavar="TAG",
                   help="tag name or path (repeatable)")
    p.add_argument("--note", default="")
    p.add_argument("--attribution", default="", help="who asserts the claim")
    p.add_argument("--reliability", choices=list(RELIABILITY),
                   help="source reliability A-F")
    p.add_argument("--credibility", type=int, choices=list(CREDIBILITY),
                   help="information credibility 1-6")
    p.add_argument("--json", action="store_true", help="print the annotation as JSON")
    p.set_defaults(func=cmd_annotate)

    p = sub.add_parser("annotations", parents=[common], help="list annotations")
    p.add_argument("--doc", metavar="DOC")
    p.add_argument("--tag", metavar="TAG", help="tag or category (includes its sub-tags)")
    p.add_argument("--status", choices=list(STATUSES))
    p.add_argument("--anchor", choices=["exact", "fuzzy", "orphaned"])
    p.add_argument("--author", metavar="NAME")
    p.add_argument("--json", action="store_true", help="print JSON only")
    p.set_defaults(func=cmd_annotations)


def cmd_tags(args: argparse.Namespace) -> int:
    """Print the codebook tree with colours, shortcuts and counts."""
    from app.cli.context import open_dossier
    from app.services import codebook

    dossier = open_dossier(args)
    with dossier.read() as session:
        tags = codebook.list_tags(session)
        counts = codebook.usage_counts(session)
    if args.json:
        emit_json([{"id": t.id, "parent": t.parent_id, "name": t.name, "path": t.path,
                    "colour": t.colour, "description": t.description, "shortcut": t.shortcut,
                    "codable": t.is_codable, "count": counts.get(t.id, 0)} for t in tags])
        return 0
    for t in tags:
        key = f" [{t.shortcut}]" if t.shortcut else ""
        n = counts.get(t.id, 0)
        print(f"{'  ' * t.depth}{t.name}{key}  {t.colour}" + (f"  ({n})" if n else ""))
    return 0


def cmd_annotate(args: argparse.Namespace) -> int:
    """Create an annotation; print its id."""
    from app.cli.context import open_dossier
    from app.services import annotations as annotation_service
    from app.services import codebook, documents

    dossier = open_dossier(args)
    doc = documents.get_document(dossier, args.doc)
    if args.quote is not None:
        if args.start is not None or args.end is not None:
            raise BadInput("give either --quote or --start/--end, not both")
        text = documents.document_text(dossier, doc.id)
        start, end = annotation_service.find_quote(text, args.quote, args.occurrence)
    elif args.start is not None and args.end is not None:
        start, end = args.start, args.end
    else:
        raise BadInput("give the passage with --quote TEXT or with --start S --end E")
    with dossier.read() as session:
        tag_ids = [codebook.resolve_tag(session, spec).id for spec in args.tag]
    ann = annotation_service.create_annotation(
        dossier, doc.id, start, end, tag_ids, note=args.note, attribution=args.attribution,
        reliability=args.reliability, credibility=args.credibility,
    )
    if args.json:
        emit_json(ann.to_json())
    else:
        print(ann.id, flush=True)
    return 0


def cmd_annotations(args: argparse.Namespace) -> int:
    """List annotations with quote and tags."""
    from app.cli.context import open_dossier
    from app.gcpause import collector_paused
    from app.services import annotations as annotation_service
    from app.services import codebook, documents

    dossier = open_dossier(args)
    doc_id = documents.get_document(dossier, args.doc).id if args.doc else None
    tag_id = None
    if args.tag:
        with dossier.read() as session:
            tag_id = codebook.resolve_tag(session, args.tag).id
    with collector_paused():  # thousands of rows, no reference cycles
        rows = annotation_service.list_annotations(
            dossier, document_id=doc_id, tag_id=tag_id, status=args.status, anchor=args.anchor,
            author=args.author)
        if args.json:
            emit_json([a.to_json() for a in rows])
            return 0
    for a in rows:
        tags = ", ".join(t.path for t in a.tags)
        flag = "" if a.anchor == "exact" else f" [{a.anchor}]"
        if a.conflict_of:
            flag += f" [conflicts with {short_id(a.conflict_of)}]"
        print(f"{short_id(a.id)}\t{short_id(a.document_id)}\t{a.start}-{a.end}{flag}\t"
              f"\u201c{shorten(a.quote, 60)}\u201d\t{tags}")
    return 0
