"""``dossier clone`` and ``dossier push``: work on a team dossier where there is no server."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from app.cli.groups import subgroup
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
    kept = subgroup(sub, "kept", "versions of tags and documents a push kept aside (changed on "
                    "both sides: the team's version stayed)", common)
    p = kept.add_parser("list", parents=[common], help="list them, with the values kept")
    p.add_argument("--json", action="store_true", help="print JSON only")
    p.set_defaults(func=cmd_kept_list)
    p = kept.add_parser("apply", parents=[common],
                        help="put a kept version into effect (audited)")
    p.add_argument("event", metavar="EVENT", type=int, help="the push event's number")
    p.add_argument("object", metavar="OBJECT", help="what it kept, e.g. tag:ID")
    p.set_defaults(func=cmd_kept_apply)


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
        for name, value in (kept.get("local") or {}).items():
            print(f"  yours: {name} = {value!r}")
    if summary.users_created:
        print(f"users created: {', '.join(summary.users_created)}")
    print(f"head {summary.head_seq}:{summary.head_hash}")
    return 0


def _open(args: argparse.Namespace) -> Any:
    from app.cli.context import open_dossier

    return open_dossier(args)


def cmd_kept_list(args: argparse.Namespace) -> int:
    """Exit 0; list every kept version and whether it was applied."""
    from app.services.sync.kept import list_kept

    dossier = _open(args)
    try:
        found = list_kept(dossier)
    finally:
        dossier.close()
    if args.json:
        emit_json([k.to_json() for k in found])
        return 0
    for k in found:
        state = f"applied in event {k.applied_in}" if k.applied_in else (
            f"apply: dossier kept apply {k.seq} {k.object}" if k.local and k.team
            else "deleted on one side: apply by hand")
        print(f"event {k.seq} ({k.at}, pushed by {k.pushed_by} from {k.pushed_from}): "
              f"{k.object} differs in {', '.join(k.fields)}; {state}")
        for name in k.fields:
            theirs = (k.team or {}).get(name)
            yours = (k.local or {}).get(name)
            print(f"  {name}: team {theirs!r}, kept {yours!r}")
    if not found:
        print("no kept versions")
    return 0


def cmd_kept_apply(args: argparse.Namespace) -> int:
    """Exit 0 when the kept version is applied."""
    from app.services.sync.kept import apply_kept

    dossier = _open(args)
    try:
        kept = apply_kept(dossier, args.event, args.object)
    finally:
        dossier.close()
    print(f"applied the kept version of {kept.object} (event {kept.seq}) in event "
          f"{kept.applied_in}: {', '.join(kept.fields)}")
    return 0
