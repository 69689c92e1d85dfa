"""Review and audit commands: users and roles, submit/review/history/comment, claims, audit.

``dossier users``, ``users add``, ``users set``; ``submit``, ``review``, ``history``,
``comment``; ``claims`` and ``claim add`` (the ``claim`` group is shared with other modules);
``audit``; ``agreement``. A refused action exits 2 with the reason and changes nothing.
"""

from __future__ import annotations

import argparse

from app.annotation_fields import CREDIBILITY, EDITABLE, RELIABILITY, ROLES
from app.cli.context import open_dossier
from app.cli.groups import subgroup
from app.cli.output import emit_json, short_id, shorten
from app.errors import BadInput

TYPE_CHECKING = False  # typing is not loaded at run time (see app.cli.main)
if TYPE_CHECKING:
    from typing import Any

# Services (and with them SQLAlchemy and numpy) are imported inside the commands: building the
# parser for --help stays light (tests/e2e/test_cli_startup.py).


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add the review and audit commands."""
    _register_users(sub, common)
    p = sub.add_parser("edit", parents=[common],
                       help="change an annotation's passage, tags, note, attribution or grades")
    p.add_argument("annotation", metavar="ANN")
    p.add_argument("--quote", help="new passage: its exact text in the document")
    p.add_argument("--occurrence", type=int, default=1, help="which occurrence of --quote (1-)")
    p.add_argument("--tag", action="append", metavar="TAG",
                   help="replace the tags (repeatable)")
    p.add_argument("--note")
    p.add_argument("--attribution")
    p.add_argument("--reliability", choices=list(RELIABILITY))
    p.add_argument("--credibility", type=int, choices=list(CREDIBILITY))
    p.add_argument("--based-on", type=int, metavar="VERSION",
                   help="refuse the edit unless the annotation is still at this version (as "
                        "'dossier annotations --json' showed it); default: the version read now")
    p.set_defaults(func=cmd_edit)

    p = sub.add_parser("submit", parents=[common], help="submit annotations for review")
    p.add_argument("annotations", nargs="+", metavar="ANN", help="annotation id or prefix")
    p.set_defaults(func=cmd_submit)

    p = sub.add_parser("review", parents=[common],
                       help="approve, reject or request changes on submitted annotations")
    p.add_argument("annotations", nargs="+", metavar="ANN")
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--approve", dest="decision", action="store_const", const="approve")
    which.add_argument("--reject", dest="decision", action="store_const", const="reject")
    which.add_argument("--request-changes", dest="decision", action="store_const",
                       const="request_changes")
    p.add_argument("--reason", default="", help="required to reject or request changes")
    p.set_defaults(func=cmd_review)

    p = sub.add_parser("history", parents=[common],
                       help="every version of an annotation, from the audit chain")
    p.add_argument("annotation", metavar="ANN")
    p.add_argument("--json", action="store_true", help="print JSON only")
    p.set_defaults(func=cmd_history)

    p = sub.add_parser("comment", parents=[common], help="comment on an annotation")
    p.add_argument("annotation", metavar="ANN")
    p.add_argument("text", metavar="TEXT")
    p.add_argument("--json", action="store_true", help="print the comment as JSON")
    p.set_defaults(func=cmd_comment)

    p = sub.add_parser("claims", parents=[common],
                       help="claims with their independent sources (single-source ones flagged)")
    p.add_argument("--json", action="store_true", help="print JSON only")
    p.set_defaults(func=cmd_claims)
    claim = subgroup(sub, "claim", "record claims", common)
    p = claim.add_parser("add", parents=[common],
                         help="a claim supported (or contradicted) by annotations")
    p.add_argument("statement", metavar="TEXT")
    p.add_argument("--support", nargs="+", required=True, metavar="ANN")
    p.add_argument("--contradict", nargs="+", default=[], metavar="ANN")
    p.add_argument("--json", action="store_true", help="print the claim as JSON")
    p.set_defaults(func=cmd_claim_add)

    # --user filters here (as the issue names it), so this command takes only --dossier
    only_dossier = type(common)(add_help=False)  # the command line's own parser class
    only_dossier.add_argument("--dossier", metavar="PATH", default=argparse.SUPPRESS,
                              help="dossier folder")
    p = sub.add_parser("audit", parents=[only_dossier],
                       help="the audit log in words, oldest first")
    p.add_argument("--json", action="store_true", help="print JSON only")
    p.add_argument("--user", dest="actor", metavar="U", help="only events by this user")
    p.add_argument("--since", metavar="T", help="only events at or after T (UTC, ISO 8601)")
    p.add_argument("--action", metavar="A", help="only this action or kind (e.g. annotation)")
    p.add_argument("--doc", metavar="DOC", help="only events about this document")
    p.set_defaults(func=cmd_audit)

    p = sub.add_parser("agreement", parents=[common],
                       help="inter-annotator agreement per tag (character-level units)")
    p.add_argument("--doc", action="append", default=[], metavar="DOC",
                   help="only these documents (repeatable; default: all)")
    p.add_argument("--json", action="store_true", help="print JSON only")
    p.set_defaults(func=cmd_agreement)


def _register_users(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("users", parents=[common], help="users and roles; add or change them")
    p.add_argument("--json", action="store_true", help="print JSON only")
    p.set_defaults(func=cmd_users)
    users = p.add_subparsers(dest="users_command", metavar="SUBCOMMAND")
    q = users.add_parser("add", parents=[common], help="add a user with a role")
    q.add_argument("name", metavar="NAME")
    q.add_argument("--role", required=True, choices=list(ROLES))
    q.set_defaults(func=cmd_users_add)
    q = users.add_parser("set", parents=[common], help="change a user's role")
    q.add_argument("name", metavar="NAME")
    q.add_argument("--role", required=True, choices=list(ROLES))
    q.set_defaults(func=cmd_users_set)


def cmd_users(args: argparse.Namespace) -> int:
    """List users and roles."""
    from app.services import roles

    rows = roles.list_users(open_dossier(args))
    if getattr(args, "json", False):
        emit_json([u.to_json() for u in rows])
        return 0
    for u in rows:
        print(f"{u.name}\t{u.role}")
    return 0


def cmd_users_add(args: argparse.Namespace) -> int:
    """Add a user (administrators only)."""
    from app.services import roles

    user = roles.add_user(open_dossier(args), args.name, args.role)
    print(f"added {user.name} as {user.role}")
    return 0


def cmd_users_set(args: argparse.Namespace) -> int:
    """Change a user's role (administrators only)."""
    from app.services import roles

    user = roles.set_role(open_dossier(args), args.name, args.role)
    print(f"{user.name} is now {user.role}")
    return 0


def cmd_edit(args: argparse.Namespace) -> int:
    """Change an annotation (a submitted or approved one goes back to draft)."""
    from app.services import annotations as annotation_service
    from app.services import codebook
    from app.services import documents as document_service

    dossier = open_dossier(args)
    ann = annotation_service.get_annotation(dossier, args.annotation)
    fields: dict[str, Any] = {k: getattr(args, k) for k in EDITABLE
                              if getattr(args, k) is not None}
    if args.quote is not None:
        text = document_service.document_text(dossier, ann.document_id)
        fields["start"], fields["end"] = annotation_service.find_quote(text, args.quote,
                                                                       args.occurrence)
    if not fields and args.tag is None:
        raise BadInput("nothing to change: give --quote, --tag, --note, --attribution, "
                       "--reliability or --credibility")
    # The edit is based on what was read (or what the caller says it saw): a change made by
    # someone else in between is refused, never overwritten.
    based_on = args.based_on if args.based_on is not None else ann.version
    if fields:
        ann = annotation_service.update_annotation(dossier, ann.id, based_on=based_on, **fields)
        based_on = ann.version
    if args.tag is not None:
        with dossier.read() as session:
            tag_ids = [codebook.resolve_tag(session, spec).id for spec in args.tag]
        ann = annotation_service.set_tags(dossier, ann.id, tag_ids, based_on=based_on)
    print(f"{short_id(ann.id)}\t{ann.status.replace('_', ' ')}")
    return 0


def cmd_submit(args: argparse.Namespace) -> int:
    """Submit annotations for review."""
    from app.services import workflow

    for ann_id in workflow.submit(open_dossier(args), args.annotations):
        print(f"{short_id(ann_id)}\tsubmitted")
    return 0


def cmd_review(args: argparse.Namespace) -> int:
    """Record a decision on submitted annotations."""
    from app.services import workflow

    for v in workflow.decide(open_dossier(args), args.annotations, args.decision, args.reason):
        print(f"{short_id(v.annotation_id)}\t{v.decision.replace('_', ' ')}")
    return 0


def cmd_history(args: argparse.Namespace) -> int:
    """Print every version of an annotation."""
    from app.services import history

    dossier = open_dossier(args)
    ann_id, versions = history.annotation_history(dossier, args.annotation)
    paths = history.tag_paths(dossier)
    if args.json:
        emit_json({"annotation": ann_id, "versions": [v.to_json(paths) for v in versions]})
        return 0
    for v in versions:
        s = v.state
        tags = ", ".join(paths.get(t, t) for t in s.get("tag_ids", []))
        grade = f"{s.get('reliability') or ''}{s.get('credibility') or ''}"
        line = (f"v{v.number}\t{v.at}\t{v.actor}\t{v.action.split('.', 1)[-1]}\t"
                f"{str(s.get('status', '')).replace('_', ' ')}\t"
                f"\u201c{shorten(str(s.get('quote') or ''), 50)}\u201d\t{tags}\t{grade}")
        print(line + (f"\treason: {v.reason}" if v.reason else ""))
    return 0


def cmd_comment(args: argparse.Namespace) -> int:
    """Add a comment under an annotation."""
    from app.services import comments

    c = comments.add_comment(open_dossier(args), args.annotation, args.text)
    if args.json:
        emit_json(c.to_json())
    else:
        print(c.id)
    return 0


def cmd_claims(args: argparse.Namespace) -> int:
    """List claims with independent-source counts."""
    from app.services import claims, sources

    rows = claims.list_claims(open_dossier(args))
    if args.json:
        emit_json([c.to_json() for c in rows])
        return 0
    for c in rows:
        flag = "  [single source]" if c.single_source else ""
        against = f", {c.contradict_sources} contradicting" if c.contradict else ""
        print(f"{short_id(c.id)}\t{c.support_sources} independent source(s){against}{flag}\t"
              f"{c.statement}")
    print(f"({sources.OVERLAP_MEASURE})")
    return 0


def cmd_claim_add(args: argparse.Namespace) -> int:
    """Record a claim."""
    from app.services import claims

    c = claims.add_claim(open_dossier(args), args.statement, args.support, args.contradict)
    if args.json:
        emit_json(c.to_json())
    else:
        print(c.id)
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    """Print the audit log, oldest first."""
    from app.services import audit_log
    from app.services import documents as document_service

    dossier = open_dossier(args)
    doc_id = document_service.get_document(dossier, args.doc).id if args.doc else None
    entries = audit_log.list_events(dossier, user=args.actor, since=args.since,
                                    action=args.action, document_id=doc_id)
    if args.json:
        emit_json([e.to_json() for e in entries])
        return 0
    for e in entries:
        print(f"{e.seq}\t{e.at}\t{e.words}")
    return 0


def cmd_agreement(args: argparse.Namespace) -> int:
    """Print Cohen's kappa per tag and annotator pair, Krippendorff's alpha per tag."""
    from app.services import agreement
    from app.services import documents as document_service

    dossier = open_dossier(args)
    doc_ids = [document_service.get_document(dossier, d).id for d in args.doc] or None
    result = agreement.compute(dossier, doc_ids)
    if args.json:
        emit_json(result.to_json())
        return 0
    if not result.tags:
        raise BadInput("no document was tagged by two or more annotators; agreement needs "
                       "at least two annotators on the same documents")
    print(f"Agreement over {agreement.UNIT_WORDS}.")
    for t in result.tags:
        alpha = "n/a" if t.alpha is None else f"{t.alpha:.3f}"
        print(f"{t.path}\tKrippendorff's alpha {alpha}")
        for pair in t.pairs:
            kappa = "n/a" if pair.kappa is None else f"{pair.kappa:.3f}"
            print(f"  {pair.first} / {pair.second}\tCohen's kappa {kappa}\t"
                  f"observed agreement {pair.observed:.3f}\t{pair.units} units")
    return 0
