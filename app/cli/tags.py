"""``dossier tags add|rename|colour|describe|move|merge|delete|key``: editing the codebook.

``dossier tags`` alone still lists the codebook (registered in :mod:`app.cli.annotations`);
this module adds optional subcommands to that parser.
"""

from __future__ import annotations

import argparse

from app.cli.output import emit_json
from app.errors import BadInput

TYPE_CHECKING = False  # typing is not loaded at run time (see app.cli.main)
if TYPE_CHECKING:
    from typing import Any

    from app.dossier import Dossier
    from app.services.codebook import TagInfo


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add the editing subcommands under the existing ``tags`` command."""
    tags = sub.choices.get("tags")
    if tags is None:  # the listing registers it; keep working if the order ever changes
        tags = sub.add_parser("tags", parents=[common], help="show or edit the codebook")
    group = tags.add_subparsers(dest="tags_command", metavar="SUBCOMMAND")
    group.required = False

    p = group.add_parser("add", parents=[common], help="add a tag")
    p.add_argument("name")
    p.add_argument("--parent", metavar="TAG", help="category or tag to put it under")
    p.add_argument("--colour", default="#808080", help="#RRGGBB")
    p.add_argument("--description", default="")
    p.add_argument("--key", help="shortcut key")
    p.set_defaults(func=cmd_add)

    p = group.add_parser("rename", parents=[common], help="rename a tag")
    p.add_argument("tag")
    p.add_argument("name")
    p.set_defaults(func=cmd_rename)

    p = group.add_parser("colour", parents=[common], help="recolour a tag")
    p.add_argument("tag")
    p.add_argument("colour", help="#RRGGBB")
    p.set_defaults(func=cmd_colour)

    p = group.add_parser("describe", parents=[common], help="set a tag's description")
    p.add_argument("tag")
    p.add_argument("description")
    p.set_defaults(func=cmd_describe)

    p = group.add_parser("move", parents=[common], help="move a tag under another")
    p.add_argument("tag")
    where = p.add_mutually_exclusive_group(required=True)
    where.add_argument("--parent", metavar="TAG", help="new parent")
    where.add_argument("--top", action="store_true", help="move to the top level")
    p.add_argument("--position", type=int, help="0-based place among its new siblings")
    p.set_defaults(func=cmd_move)

    p = group.add_parser("merge", parents=[common],
                         help="merge a tag into another (its annotations follow)")
    p.add_argument("source")
    p.add_argument("target")
    p.set_defaults(func=cmd_merge)

    p = group.add_parser("delete", parents=[common], help="delete a tag")
    p.add_argument("tag")
    p.add_argument("--force", action="store_true",
                   help="delete even when annotations use it (they lose this tag)")
    p.set_defaults(func=cmd_delete)

    p = group.add_parser("key", parents=[common], help="assign or clear a tag's shortcut key")
    p.add_argument("tag")
    p.add_argument("key", nargs="?", help="the key; omit with --clear")
    p.add_argument("--clear", action="store_true", help="remove the key")
    p.set_defaults(func=cmd_key)

    p = group.add_parser("import", parents=[common],
                         help="add the codes of a REFI-QDA codebook (.qdc) the codebook lacks")
    p.add_argument("file", metavar="FILE.qdc")
    p.set_defaults(func=cmd_import)

    p = group.add_parser("export", parents=[common],
                         help="write the codebook as a REFI-QDA codebook (.qdc)")
    p.add_argument("file", metavar="FILE.qdc")
    p.add_argument("--force", action="store_true", help="replace an existing file")
    p.set_defaults(func=cmd_export)

    for parser in group.choices.values():
        parser.add_argument("--json", action="store_true", help="print JSON only")


def _resolve(dossier: Dossier, spec: str) -> TagInfo:
    from app.services import codebook

    with dossier.read() as session:
        return codebook.resolve_tag(session, spec)


def _done(args: argparse.Namespace, info: TagInfo | None, message: str) -> int:
    if args.json:
        emit_json({"id": info.id, "path": info.path, "colour": info.colour,
                   "shortcut": info.shortcut, "description": info.description}
                  if info else {"done": message})
    else:
        print(message)
    return 0


def cmd_add(args: argparse.Namespace) -> int:
    """Add a tag."""
    from app.cli.context import open_dossier
    from app.services import codebook, tag_edits

    dossier = open_dossier(args)
    parent = _resolve(dossier, args.parent).id if args.parent else None
    info = codebook.create_tag(dossier, args.name, parent=parent, colour=args.colour,
                               description=args.description)
    if args.key:
        info = tag_edits.set_shortcut(dossier, info.id, args.key)
    return _done(args, info, f"added {info.path}")


def cmd_rename(args: argparse.Namespace) -> int:
    """Rename a tag."""
    from app.cli.context import open_dossier
    from app.services import tag_edits

    dossier = open_dossier(args)
    info = tag_edits.rename_tag(dossier, _resolve(dossier, args.tag).id, args.name)
    return _done(args, info, f"renamed to {info.path}")


def cmd_colour(args: argparse.Namespace) -> int:
    """Recolour a tag."""
    from app.cli.context import open_dossier
    from app.services import codebook

    dossier = open_dossier(args)
    info = codebook.update_tag(dossier, _resolve(dossier, args.tag).id, colour=args.colour)
    return _done(args, info, f"{info.path} is now {info.colour}")


def cmd_describe(args: argparse.Namespace) -> int:
    """Set a tag's description."""
    from app.cli.context import open_dossier
    from app.services import codebook

    dossier = open_dossier(args)
    info = codebook.update_tag(dossier, _resolve(dossier, args.tag).id,
                               description=args.description)
    return _done(args, info, f"described {info.path}")


def cmd_move(args: argparse.Namespace) -> int:
    """Move a tag."""
    from app.cli.context import open_dossier
    from app.services import codebook, tag_edits

    dossier = open_dossier(args)
    tag = _resolve(dossier, args.tag)
    parent = None if args.top else _resolve(dossier, args.parent).id
    tag_edits.move_tag(dossier, tag.id, parent, args.position)
    info = codebook.tag_by_id(dossier, tag.id)
    return _done(args, info, f"moved to {info.path}")


def cmd_merge(args: argparse.Namespace) -> int:
    """Merge one tag into another."""
    from app.cli.context import open_dossier
    from app.services import codebook, tag_edits

    dossier = open_dossier(args)
    source, target = _resolve(dossier, args.source), _resolve(dossier, args.target)
    snapshot = tag_edits.merge_tags(dossier, source.id, target.id)
    n = len(snapshot["annotations"])
    info = codebook.tag_by_id(dossier, target.id)
    return _done(args, info, f"merged {source.path} into {target.path} "
                             f"({n} annotation{'s' if n != 1 else ''} moved)")


def cmd_delete(args: argparse.Namespace) -> int:
    """Delete a tag."""
    from app.cli.context import open_dossier
    from app.services import tag_edits

    dossier = open_dossier(args)
    tag = _resolve(dossier, args.tag)
    tag_edits.delete_tag(dossier, tag.id, force=args.force)
    return _done(args, None, f"deleted {tag.path}")


def cmd_key(args: argparse.Namespace) -> int:
    """Assign or clear a shortcut key."""
    from app.cli.context import open_dossier
    from app.services import tag_edits

    dossier = open_dossier(args)
    if args.clear == bool(args.key):
        raise BadInput("give a key, or --clear to remove it (not both)")
    info = tag_edits.set_shortcut(dossier, _resolve(dossier, args.tag).id,
                                  None if args.clear else args.key)
    return _done(args, info, f"{info.path}: key {info.shortcut or 'cleared'}")


def cmd_import(args: argparse.Namespace) -> int:
    """Add a .qdc codebook's missing codes."""
    from app.cli.context import open_dossier
    from app.exchange.refi.codebook import read_qdc
    from app.services import tag_edits

    codes = read_qdc(args.file)  # a bad file is refused before the dossier is opened
    dossier = open_dossier(args)
    created = tag_edits.import_codes(dossier, codes)
    return _done(args, None, f"{len(created)} of {len(codes)} codes added "
                             f"({len(codes) - len(created)} already in the codebook)")


def cmd_export(args: argparse.Namespace) -> int:
    """Write the codebook as .qdc."""
    from app.cli.context import open_dossier
    from app.exchange import export

    dossier = open_dossier(args)
    result = export(dossier, "qdc", args.file, overwrite=args.force)
    return _done(args, None, f"codebook written to {result.path}")
