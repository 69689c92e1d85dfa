"""Team dossier commands: ``dossier team init URL``, ``team add``, ``team set``, ``team disable``,
``team list``.

People of a team dossier are logins on its PostgreSQL server (:mod:`app.team`). A password is
read from the terminal (asked twice) or, with ``--password-stdin``, from the first line of
standard input; it is never an argument, so it stays out of shell histories and process lists.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from app.annotation_fields import ROLES
from app.cli.context import open_dossier
from app.cli.groups import subgroup
from app.cli.output import emit_json
from app.errors import BadInput

# Services and the database are imported inside the commands (``--help`` stays light).


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add the ``team`` commands."""
    team = subgroup(sub, "team", "team dossiers on a PostgreSQL server: set up, people, roles",
                    common)
    p = team.add_parser("init", help="make a PostgreSQL database a team dossier (schema, roles, "
                                     "privileges); you become its first administrator")
    p.add_argument("url", metavar="URL", help="postgresql://USER@HOST:PORT/DATABASE")
    p.set_defaults(func=cmd_init)

    p = team.add_parser("add", parents=[common],
                        help="give a login a role here, creating the login if it is new "
                             "(administrators only)")
    p.add_argument("name", metavar="NAME", help="the login name")
    p.add_argument("--role", required=True, choices=list(ROLES))
    p.add_argument("--password-stdin", action="store_true",
                   help="read the new login's password from the first line of standard input")
    p.set_defaults(func=cmd_add)

    p = team.add_parser("set", parents=[common], help="change someone's role (administrators only)")
    p.add_argument("name", metavar="NAME")
    p.add_argument("--role", required=True, choices=list(ROLES))
    p.set_defaults(func=cmd_set)

    p = team.add_parser("disable", parents=[common],
                        help="take someone's role away: their login can no longer act in this "
                             "dossier (administrators only)")
    p.add_argument("name", metavar="NAME")
    p.set_defaults(func=cmd_disable)

    p = team.add_parser("list", parents=[common], help="the people of this team dossier and roles")
    p.add_argument("--json", action="store_true", help="print JSON only")
    p.set_defaults(func=cmd_list)


def cmd_init(args: argparse.Namespace) -> int:
    """Set up a team dossier on the database ``URL`` names."""
    from app.location import ServerAddress
    from app.team import setup

    result = setup.init(args.url)
    verb = "re-applied the team rules to" if result.again else "made"
    print(f"{verb} {result.database} a team dossier; {result.login} is an administrator")
    print("groups: " + ", ".join(result.groups.all()))
    where = ServerAddress.parse(args.url).display  # never the password
    print(f"next: dossier team add NAME --role ROLE --dossier {where}")
    return 0


def _read_password(name: str, from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline().rstrip("\r\n")
        if not line:
            raise BadInput("--password-stdin: standard input held no password (give it on the "
                           "first line)")
        return line
    if not sys.stdin.isatty():
        raise BadInput(f"{name} is a new login and needs a password: type it at a terminal or "
                       "give it on standard input with --password-stdin")
    first = getpass.getpass(f"password for {name}: ")
    if not first:
        raise BadInput("the password is empty; nothing was changed")
    if getpass.getpass("again: ") != first:
        raise BadInput("the two passwords differ; nothing was changed")
    return first


def cmd_add(args: argparse.Namespace) -> int:
    """Add a person (a login) with a role."""
    from app.team import members

    dossier = open_dossier(args)
    password = None
    if not members.login_exists(dossier, args.name) or args.password_stdin:
        password = _read_password(args.name, args.password_stdin)
    member = members.add(dossier, args.name, args.role, password)
    made = "created the login and added" if member.login_created else "added"
    print(f"{made} {member.name} as {member.role}")
    if password and not member.login_created:
        print(f"{member.name} had a login already; its password was not changed",
              file=sys.stderr)
    return 0


def cmd_set(args: argparse.Namespace) -> int:
    """Change someone's role."""
    from app.team import members

    member = members.set_role(open_dossier(args), args.name, args.role)
    print(f"{member.name} is now {member.role}")
    return 0


def cmd_disable(args: argparse.Namespace) -> int:
    """Take someone's role away."""
    from app.team import members

    member = members.disable(open_dossier(args), args.name)
    print(f"{member.name} can no longer act in this dossier")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    """List the people and their roles."""
    from app.team import members

    rows = members.list_members(open_dossier(args))
    if args.json:
        emit_json([m.to_json() for m in rows])
        return 0
    for m in rows:
        print(f"{m.name}\t{m.role or 'no role (disabled, or not a login here)'}")
    return 0
