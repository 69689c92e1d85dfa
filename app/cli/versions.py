"""``dossier reimport DOC PATH``: a new version of a document, with every annotation re-anchored."""

from __future__ import annotations

import argparse

from app.cli.output import emit_json

TYPE_CHECKING = False  # typing is not loaded at run time (see app.cli.main)
if TYPE_CHECKING:
    from typing import Any


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add the ``reimport`` command."""
    p = sub.add_parser("reimport", parents=[common],
                       help="import a new version of a document and re-anchor its annotations")
    p.add_argument("doc", metavar="DOC", help="document id or unique prefix")
    p.add_argument("path", metavar="PATH", help="the new file (or URL)")
    p.add_argument("--password", help="password of an encrypted PDF")
    p.add_argument("--json", action="store_true", help="print JSON only")
    p.set_defaults(func=cmd_reimport)


def cmd_reimport(args: argparse.Namespace) -> int:
    """Print the new version's id and the counts of exact, fuzzy and orphaned annotations."""
    from app.cli.context import open_dossier
    from app.services.versions import reimport_document

    dossier = open_dossier(args)
    report = reimport_document(dossier, args.doc, args.path, password=args.password)
    counts = report.counts()
    if args.json:
        emit_json({
            "document": report.document.id, "previous": report.previous.id,
            "version": report.document.version, "counts": counts,
            "annotations": [a.to_json() for a in report.annotations],
        })
        return 0
    print(f"{report.document.id}\t{report.document.title}")
    print(f"exact {counts['exact']}\tfuzzy {counts['fuzzy']}\torphaned {counts['orphaned']}")
    if counts["fuzzy"] or counts["orphaned"]:
        print("review them with: dossier annotations --anchor fuzzy / --anchor orphaned")
    return 0
