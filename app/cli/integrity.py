"""``dossier verify``: check originals, the audit chain and the data against it."""

from __future__ import annotations

import argparse
import sys

from app.cli.output import emit_json

TYPE_CHECKING = False  # typing is not loaded at run time (see app.cli.main)
if TYPE_CHECKING:
    from typing import Any


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add the ``verify`` command."""
    p = sub.add_parser("verify", parents=[common],
                       help="check originals, the audit chain and the data against it")
    p.add_argument("--json", action="store_true", help="print JSON only")
    p.add_argument("--head", metavar="HASH",
                   help="also check that this head (HASH or SEQ:HASH, as printed by an earlier "
                        "verify, report or bundle) is still in the chain at its place")
    p.add_argument("--repair-files", action="store_true",
                   help="remove temporary files left by interrupted imports (originals no "
                        "document refers to are listed, never deleted)")
    p.set_defaults(func=cmd_verify)


def cmd_verify(args: argparse.Namespace) -> int:
    """Exit 0 when everything verifies, 1 naming the first broken item otherwise."""
    from pathlib import Path

    from app.cli.context import open_dossier_readonly
    from app.services.integrity import verify, verify_folder

    folder = open_dossier_readonly(args)
    if isinstance(folder, Path):
        report = verify_folder(folder, folder / "originals", head=args.head,
                               repair_files=args.repair_files)
    else:  # a team dossier
        try:
            report = verify(folder, head=args.head, repair_files=args.repair_files)
        finally:
            folder.close()
    if args.json:
        emit_json(report.to_json())
        return 0 if report.ok else 1
    for path in report.removed:
        print(f"removed {path}")
    for path in report.orphans:
        print(f"unreferenced original kept: {path}")
    for warning in report.warnings:
        print(f"dossier: warning: {warning}", file=sys.stderr)
    if report.ok:
        print(f"ok: {report.originals_checked} originals intact, {report.events_checked} audit "
              f"events chained, {report.rows_checked} rows match the chain")
        if report.given_head_seq is not None:
            print(f"head {args.head.strip()} is event {report.given_head_seq} of the chain")
        print(f"head {report.head_seq}:{report.head_hash}")
    else:
        print(f"dossier: verify failed: {report.problems[0]}", file=sys.stderr)
        for extra in report.problems[1:]:
            print(f"dossier: also: {extra}", file=sys.stderr)
    return 0 if report.ok else 1
