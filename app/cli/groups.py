"""Command groups that several command modules add to.

``dossier claim add`` (corroboration) and ``dossier claim payment`` (structured facts) live in
different modules; each asks for the ``claim`` group here and adds its own subcommands, whichever
registers first.
"""

from __future__ import annotations

import argparse

TYPE_CHECKING = False  # typing is not loaded at run time (see app.cli.main)
if TYPE_CHECKING:
    from typing import Any

_GROUP_SUB = "_dossier_group_subparsers"


def subgroup(sub: Any, name: str, help_text: str, common: argparse.ArgumentParser) -> Any:
    """The subcommand action of group ``name`` under ``sub``, created on first use."""
    parser = sub.choices.get(name)
    if parser is None:
        parser = sub.add_parser(name, parents=[common], help=help_text)
        group_sub = parser.add_subparsers(dest=f"{name}_command", metavar="SUBCOMMAND")
        group_sub.required = True
        setattr(parser, _GROUP_SUB, group_sub)
    return getattr(parser, _GROUP_SUB)
