"""``dossier verify``: check originals and the audit chain."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from app.cli.context import open_dossier
from app.cli.output import emit_json
from app.services.integrity import verify


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add the ``verify`` command."""
    p = sub.add_parser("verify", parents=[common], help="check originals and the audit chain")
    p.add_argument("--json", action="store_true", help="print JSON only")
    p.set_defaults(func=cmd_verify)


def cmd_verify(args: argparse.Namespace) -> int:
    """Exit 0 when everything verifies, 1 naming the first broken item otherwise."""
    dossier = open_dossier(args)
    report = verify(dossier)
    if args.json:
        emit_json({"ok": report.ok, "problems": report.problems,
                   "originals": report.originals_checked, "events": report.events_checked,
                   "head": report.head_hash})
    elif report.ok:
        print(f"ok: {report.originals_checked} originals intact, {report.events_checked} audit "
              f"events chained")
        print(f"head {report.head_hash}")
    else:
        print(f"dossier: verify failed: {report.problems[0]}", file=sys.stderr)
        for extra in report.problems[1:]:
            print(f"dossier: also: {extra}", file=sys.stderr)
    return 0 if report.ok else 1
