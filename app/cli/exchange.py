"""Exchange commands: ``export``, ``import-set`` and ``verify-bundle``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from app.annotation_fields import STATUSES
from app.cli.output import emit_json
from app.errors import BadInput

TYPE_CHECKING = False  # typing is not loaded at run time (see app.cli.main)
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Any


class _FormatNames:
    """The export formats' names, read from :data:`app.exchange.FORMATS` only when the parser
    checks a ``--format`` or shows the help of ``export`` (so building the parser loads no
    exchange code)."""

    def __iter__(self) -> Iterator[str]:
        from app.exchange import FORMATS

        return iter(list(FORMATS))

    def __contains__(self, name: object) -> bool:
        from app.exchange import FORMATS

        return name in FORMATS


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add the exchange commands."""
    p = sub.add_parser(
        "export", parents=[common], help="export annotations (W3C JSON-LD, CSV, XLSX, REFI-QDA, "
                                         "reports, annotated PDF, evidence bundle)",
        description="Export annotations. Filters combine: --doc, --tag (includes sub-tags), "
                    "--status, --author may each be repeated.")
    p.add_argument("--format", required=True, choices=_FormatNames(), metavar="FORMAT",
                   help="one of %(choices)s")
    p.add_argument("--out", required=True, metavar="PATH", help="file to write")
    p.add_argument("--doc", action="append", default=[], metavar="DOC",
                   help="only this document (id or unique prefix; repeatable)")
    p.add_argument("--tag", action="append", default=[], metavar="TAG",
                   help="only annotations with this tag or one beneath it (repeatable)")
    p.add_argument("--status", action="append", default=[], choices=list(STATUSES),
                   help="only annotations with this review status (repeatable)")
    p.add_argument("--author", action="append", default=[], metavar="NAME",
                   help="only annotations by this user (repeatable)")
    p.add_argument("--from", dest="date_from", metavar="DATE",
                   help="only annotations created on or after DATE (2025-03-01 or a UTC time)")
    p.add_argument("--to", dest="date_to", metavar="DATE",
                   help="only annotations created on or before DATE (a date includes the day)")
    p.add_argument("--excel", action="store_true",
                   help="with --format csv: UTF-8 with a byte-order mark and CRLF, as Excel "
                        "opens it")
    p.add_argument("--overwrite", action="store_true", help="replace PATH if it exists")
    p.add_argument("--json", action="store_true", help="print JSON only")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("import-set", parents=[common],
                       help="import a colleague's annotation set (JSON-LD, bundle or .qdpx)")
    p.add_argument("path", metavar="PATH")
    p.add_argument("--json", action="store_true", help="print JSON only")
    p.set_defaults(func=cmd_import_set)

    p = sub.add_parser("verify-bundle", parents=[common],
                       help="check an evidence bundle's files and audit excerpt (no dossier "
                            "needed); with --dossier naming an existing dossier, also check "
                            "that the bundle's chain head is still in that dossier's chain")
    p.add_argument("path", metavar="PATH")
    p.add_argument("--head", metavar="HASH",
                   help="a chain head you hold (from an earlier report, an email or 'dossier "
                        "verify'): the bundle must come from that chain")
    p.add_argument("--json", action="store_true", help="print JSON only")
    p.set_defaults(func=cmd_verify_bundle)


def cmd_export(args: argparse.Namespace) -> int:
    """Write the export; print what was written, its SHA-256 and the audit chain head."""
    from app.cli.context import open_dossier
    from app.exchange import export
    from app.exchange.filters import build_filter

    dossier = open_dossier(args)
    flt = build_filter(dossier, documents=args.doc, tags=args.tag, statuses=args.status,
                       authors=args.author, created_from=args.date_from,
                       created_to=args.date_to)
    fmt = args.format
    if getattr(args, "excel", False):
        if fmt not in ("csv", "csv-excel"):
            raise BadInput(f"--excel applies to --format csv only, not {fmt}")
        fmt = "csv-excel"
    result = export(dossier, fmt, Path(args.out), flt, overwrite=args.overwrite)
    if args.json:
        emit_json(result.to_json())
        return 0
    print(f"exported {result.annotations} annotation(s) on {result.documents} document(s) as "
          f"{result.format} to {result.path} ({result.size:,} bytes)")
    print(f"sha256 {result.sha256}")
    print(f"chain head {result.chain_seq} {result.chain_head}")
    for note in result.notes:
        print(f"note: {note}")
    return 0


def cmd_import_set(args: argparse.Namespace) -> int:
    """Merge a set into the dossier; print the summary."""
    from app.cli.context import open_dossier
    from app.services.sets.merge import import_set

    dossier = open_dossier(args)
    summary = import_set(dossier, Path(args.path))
    if args.json:
        emit_json(summary.to_json())
    else:
        print("\n".join(summary.lines()))
    return 0


def _compare_head(args: argparse.Namespace, problems: list[str],
                  head: dict[str, Any]) -> str | None:
    """With ``--dossier`` naming an existing dossier: check the bundle's head is in its chain.

    Returns the dossier's folder when the head was found there; adds a problem when not.
    """
    from app.dossier import DB_FILE, Dossier
    from app.location import display, is_server_url
    from app.services.integrity import head_in_dossier

    chosen = getattr(args, "dossier", None)
    team = is_server_url(chosen)
    folder = Path(chosen).expanduser() if chosen and not team else None
    if not team and (folder is None or not (folder / DB_FILE).is_file()):
        return None
    seq, digest = head.get("seq"), head.get("hash")
    if not isinstance(seq, int) or not isinstance(digest, str):
        problems.append("the manifest names no chain head to compare with the dossier")
        return None
    if team:
        opened = Dossier.open(chosen, create=False)
        try:
            problem = head_in_dossier(opened, seq, digest)
        finally:
            opened.close()
        if problem is not None:
            problems.append(problem)
            return None
        return display(str(chosen))
    assert folder is not None
    problem = head_in_dossier(folder, seq, digest)
    if problem is not None:
        problems.append(problem)
        return None
    return str(folder)


def cmd_verify_bundle(args: argparse.Namespace) -> int:
    """Exit 0 when the bundle checks out, 1 naming what does not."""
    from app.exchange.bundle.read import verify_bundle

    report = verify_bundle(Path(args.path), head=getattr(args, "head", None))
    head = report.manifest.get("chain_head") or {}
    compared = _compare_head(args, report.problems, head)
    if args.json:
        emit_json({**report.to_json(), "ok": report.ok, "problems": report.problems,
                   "head_in_dossier": compared})
        return 0 if report.ok else 1
    if report.ok:
        print(f"ok: {report.files_checked} files match the manifest; {report.events_checked} "
              f"audit events recompute ({report.links_checked} links checked"
              + (f", {report.events_withheld} events about other work withheld"
                 if report.events_withheld else "") + ")")
        if report.annotations_checked:
            print(f"ok: {report.annotations_checked} annotation(s) agree with their audit record"
                  + (f" and with the text of {report.originals_extracted} original(s), "
                     "extracted again" if report.originals_extracted else ""))
        if getattr(args, "head", None):
            print(f"ok: the chain head you hold ({args.head[:16]}…) is in this bundle's chain")
        for note in report.notes:
            print(f"note: {note}")
        print(f"exported {report.manifest.get('exported_at')} by "
              f"{report.manifest.get('exported_by')}; dossier chain head {head.get('seq')} "
              f"{head.get('hash')}")
        print(f"manifest sha256 {report.manifest_sha256}")
        if compared is not None:
            print(f"chain head {head.get('seq')} is in the dossier {compared} at its place")
        return 0
    print(f"dossier: verify-bundle failed: {report.problems[0]}", file=sys.stderr)
    for extra in report.problems[1:]:
        print(f"dossier: also: {extra}", file=sys.stderr)
    return 1
