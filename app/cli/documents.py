"""Commands on documents: ``import``, ``documents``, ``text``, ``search``."""

from __future__ import annotations

import argparse
import contextlib
import sys

from app.cli.output import emit_json, short_id, shorten
from app.errors import BadInput

TYPE_CHECKING = False  # typing is not loaded at run time (see app.cli.main)
if TYPE_CHECKING:
    from typing import Any


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add the document commands."""
    p = sub.add_parser("import", parents=[common], help="import files, folders or URLs")
    p.add_argument("paths", nargs="+", metavar="PATH", help="file, folder (recursive) or URL")
    p.add_argument("--password", help="password of encrypted PDFs")
    p.add_argument("--ocr", choices=("auto", "always", "never"), default="auto",
                   help="recognise text with Tesseract: auto (pages without text; default), "
                        "always (every page), never")
    p.add_argument("--lang", default="eng", metavar="LANGS",
                   help="OCR languages, Tesseract codes joined by + (default: eng; e.g. eng+ara)")
    p.add_argument("--json", action="store_true", help="print JSON only")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("documents", parents=[common], help="list documents")
    p.add_argument("--all-versions", action="store_true", help="include superseded versions")
    p.add_argument("--json", action="store_true", help="print JSON only")
    p.set_defaults(func=cmd_documents)

    p = sub.add_parser("text", parents=[common], help="print a document's canonical text")
    p.add_argument("doc", metavar="DOC", help="document id or unique prefix")
    p.set_defaults(func=cmd_text)

    p = sub.add_parser("search", parents=[common], help="full-text search of texts, quotes, notes")
    p.add_argument("query", metavar="QUERY",
                   help='words, "a phrase", prefix*, a OR b, -excluded (any text is accepted)')
    p.add_argument("--doc", metavar="DOC", help="only this document")
    p.add_argument("--tag", metavar="TAG", help="only annotations with this tag (or sub-tag)")
    p.add_argument("--status", help="only annotations with this status")
    p.add_argument("--author", metavar="NAME", help="only annotations by this person")
    p.add_argument("--limit", type=int, default=50)
    p.add_argument("--json", action="store_true", help="print JSON only")
    p.set_defaults(func=cmd_search)


def _progress(spec: str, done: int, total: int) -> None:
    if sys.stderr.isatty():
        print(f"\r{spec}: page {done}/{total}", end="" if done < total else "\n",
              file=sys.stderr, flush=True)


def cmd_import(args: argparse.Namespace) -> int:
    """Import every input; one line per input; exit 2 if any was refused."""
    from app.cli.context import open_dossier
    from app.importers.ocr import OcrOptions, check_languages
    from app.services import imports
    from app.services.imports import ImportResult

    dossier = open_dossier(args)
    if args.password == "":
        raise BadInput("--password is empty")

    def report(result: ImportResult) -> None:
        if args.json:
            return
        if result.document is not None:
            print(f"{result.document.id}\t{result.document.title}", flush=True)
            if result.status == "present":
                print(f"dossier: {result.input}: already in the dossier", file=sys.stderr)
            for warning in result.warnings:
                print(f"dossier: warning: {warning}", file=sys.stderr)
        else:
            print(f"dossier: {result.message}", file=sys.stderr, flush=True)

    ocr = OcrOptions(args.ocr, args.lang.strip())
    if ocr.mode != "never":
        check_languages(ocr)
    results = imports.import_many(dossier, args.paths, password=args.password,
                                  on_result=report, progress=_progress, ocr=ocr)
    if args.json:
        emit_json([
            {"input": r.input, "status": r.status, "message": r.message, "warnings": r.warnings,
             "document": r.document.to_json() if r.document else None}
            for r in results
        ])
    if not results:
        raise BadInput("nothing to import: no files found under the given paths")
    return 2 if any(r.status == "refused" for r in results) else 0


def cmd_documents(args: argparse.Namespace) -> int:
    """List documents."""
    from app.cli.context import open_dossier
    from app.services import documents

    dossier = open_dossier(args)
    if args.json:
        emit_json([d.to_json() for d in documents.list_documents(
            dossier, all_versions=args.all_versions)])
        return 0
    for d in documents.list_entries(dossier, all_versions=args.all_versions):
        pages = f"{d.pages}p" if d.pages else f"{d.text_length}ch"
        version = f" v{d.version}" if d.version > 1 else ""
        print(f"{short_id(d.id)}\t{d.kind}\t{pages}{version}\t{d.title}")
    return 0


def cmd_text(args: argparse.Namespace) -> int:
    """Print a document's canonical text exactly."""
    from app.cli.context import open_dossier
    from app.services import documents

    dossier = open_dossier(args)
    doc = documents.get_document(dossier, args.doc)
    sys.stdout.write(documents.document_text(dossier, doc.id))
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    """Full-text search with snippets (the query language of :mod:`app.search_query`)."""
    from app import search_query
    from app.cli.context import open_dossier, read_only_database
    from db import search as search_index

    filtered = args.doc or args.tag or args.status or args.author
    conn = None if filtered else read_only_database(args)  # read without the ORM when it can
    found: list[tuple[str, str, str, str, int | None, str]] = []
    if conn is not None:
        with contextlib.closing(conn):
            cur = conn.cursor()
            hits = search_index.find_cursor(cur, search_query.parse(args.query), None,
                                            args.limit)
            titles = search_index.document_titles(cur)
        found = [(h.kind, h.ref, h.document_id, titles.get(h.document_id, ""), h.page,
                  h.snippet) for h in hits]
    else:
        from app.services import documents
        from app.services import search as search_service

        dossier = open_dossier(args)
        doc_id = documents.get_document(dossier, args.doc).id if args.doc else None
        results = search_service.search(dossier, args.query, document_id=doc_id, tag=args.tag,
                                        status=args.status, author=args.author,
                                        limit=args.limit)
        found = [(h.kind, h.ref, h.document_id, h.title, h.page, h.snippet) for h in results]

    def plain(snippet: str) -> str:
        return snippet.replace(search_index.MARK_START, "[").replace(search_index.MARK_END, "]")

    if args.json:
        emit_json([{"kind": kind, "id": ref, "document": doc, "title": title, "page": page,
                    "snippet": plain(snippet)}
                   for kind, ref, doc, title, page, snippet in found])
        return 0
    for kind, ref, _doc, title, page, snippet in found:
        where = f"p.{page}" if page else ""
        print(f"{kind}\t{short_id(ref)}\t{shorten(title, 40)}\t{where}"
              f"\t{shorten(plain(snippet), 100)}")
    return 0
