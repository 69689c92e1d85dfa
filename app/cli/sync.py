"""``dossier clone`` and ``dossier push``: work on a team dossier where there is no server."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from app.cli.output import emit_json


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add the ``clone`` and ``push`` commands."""
    p = sub.add_parser("clone", parents=[common],
                       help="copy a team dossier (URL) or a dossier folder into a new folder")
    p.add_argument("source", metavar="URL", help="postgresql://USER@HOST:PORT/DB or a folder")
    p.add_argument("folder", metavar="FOLDER", help="a new folder for the local copy")
    p.add_argument("--json", action="store_true", help="print JSON only")
    p.set_defaults(func=cmd_clone)
    p = sub.add_parser("push", parents=[common],
                       help="send a clone's offline work (or a whole local dossier) to a team "
                            "dossier")
    p.add_argument("folder", metavar="FOLDER", help="the clone (or local dossier) folder")
    p.add_argument("target", metavar="URL", help="postgresql://USER@HOST:PORT/DB or a folder")
    p.add_argument("--json", action="store_true", help="print JSON only")
    p.set_defaults(func=cmd_push)


def cmd_clone(args: argparse.Namespace) -> int:
    """Exit 0 when the clone is made and verifies, 1 when it does not verify."""
    from app.services.sync import clone

    result = clone(args.source, args.folder, user=getattr(args, "user", None))
    if args.json:
        emit_json(result.to_json())
        return 0 if result.ok else 1
    rows = result.rows
    print(f"cloned {result.origin} into {result.folder}: {rows.get('documents', 0)} documents "
          f"({result.originals} originals), {rows.get('annotations', 0)} annotations, "
          f"{rows.get('audit_events', 0)} audit events")
    print(f"forked at {result.head_seq}:{result.head_hash}")
    if not result.ok:
        print(f"dossier: the clone does not verify: {result.problems[0]}", file=sys.stderr)
    return 0 if result.ok else 1


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items())) or "nothing"


def cmd_push(args: argparse.Namespace) -> int:
    """Exit 0 when the push is written (conflicts are reported, not errors)."""
    from app.services.sync import push

    summary = push(args.folder, args.target, user=getattr(args, "user", None))
    if args.json:
        emit_json(summary.to_json())
        return 0
    what = "moved" if summary.moved else "pushed"
    print(f"{what} {summary.folder} to {summary.target}: {summary.events} events re-signed")
    print(f"added: {_counts(summary.added)}; updated: {_counts(summary.updated)}; "
          f"deleted: {_counts(summary.deleted)}; identical: {summary.identical}")
    for conflict in summary.conflicts:
        print(f"conflict: annotation {conflict.local_id[:8]} changed in the team dossier too; "
              f"yours kept as {conflict.kept_as[:8]} (flagged; differs in "
              f"{', '.join(conflict.fields)})")
    for kept in summary.kept:
        print(f"kept the team's {kept['object']}: {kept['reason']}")
    if summary.users_created:
        print(f"users created: {', '.join(summary.users_created)}")
    print(f"head {summary.head_seq}:{summary.head_hash}")
    return 0
