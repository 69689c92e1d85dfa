"""Money-flow commands: ``entities``, ``entity add|merge|mention``, ``claim payment|contract|
ownership|membership|directorship``, ``flows`` and ``screen``."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from app.cli.context import open_dossier
from app.cli.groups import subgroup
from app.cli.output import emit_json, short_id
from app.errors import BadInput
from app.money.vocabulary import ENTITY_SCHEMATA, FIELDS, KINDS

TYPE_CHECKING = False  # typing is not loaded at run time (see app.cli.main)
if TYPE_CHECKING:
    from typing import Any


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add the money-flow commands."""
    p = sub.add_parser("entities", parents=[common], help="list people, companies, public "
                                                          "bodies, accounts...")
    p.add_argument("--merged", action="store_true", help="also list merged-away entities")
    p.add_argument("--json", action="store_true", help="print JSON only")
    p.set_defaults(func=cmd_entities)

    ent = subgroup(sub, "entity", "add, merge or link entities", common)
    p = ent.add_parser("add", parents=[common], help="record an entity")
    p.add_argument("name", metavar="NAME")
    p.add_argument("--schema", required=True,
                   help=f"FollowTheMoney schema: {', '.join(ENTITY_SCHEMATA)}")
    p.add_argument("--alias", action="append", default=[], metavar="A", help="(repeatable)")
    p.add_argument("--country", action="append", default=[], metavar="CC",
                   help="ISO code or country name (repeatable)")
    p.add_argument("--birth-date", help="for a person: as stated, e.g. 1970 or 1970-05-01")
    p.add_argument("--json", action="store_true", help="print JSON only")
    p.set_defaults(func=cmd_entity_add)
    p = ent.add_parser("merge", parents=[common], help="merge OTHER into KEEP (mentions, "
                                                       "claims and aliases follow)")
    p.add_argument("keep", metavar="KEEP")
    p.add_argument("other", metavar="OTHER")
    p.set_defaults(func=cmd_entity_merge)
    p = ent.add_parser("mention", parents=[common], help="link an entity to a passage naming it")
    p.add_argument("entity", metavar="ENTITY")
    p.add_argument("annotation", metavar="ANN")
    p.set_defaults(func=cmd_entity_mention)

    claim = subgroup(sub, "claim", "claims about the evidence", common)
    for kind in KINDS:
        _add_claim_parser(claim, kind, common)

    p = sub.add_parser("flows", parents=[common], help="money flows: totals per pair and "
                                                       "currency, with their passages")
    p.add_argument("--entity", metavar="NAME", help="only flows to or from this entity")
    p.add_argument("--kind", action="append", default=[], choices=list(KINDS))
    p.add_argument("--from", dest="date_from", metavar="DATE")
    p.add_argument("--to", dest="date_to", metavar="DATE")
    p.add_argument("--json", action="store_true", help="print JSON only")
    p.set_defaults(func=cmd_flows)

    p = sub.add_parser("import-ftm", parents=[common],
                       help="add entities and claims from a FollowTheMoney file Dossier wrote")
    p.add_argument("path", metavar="FILE")
    p.add_argument("--json", action="store_true", help="print JSON only")
    p.set_defaults(func=cmd_import_ftm)

    p = sub.add_parser("screen", parents=[common],
                       help="match entities against a local sanctions/PEP list (FtM JSON lines)")
    p.add_argument("--list", required=True, metavar="FILE", dest="list_path",
                   help="an FtM entities file you downloaded (never fetched by Dossier)")
    p.add_argument("--threshold", type=float, default=0.7, help="lowest score kept (0-1)")
    p.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1),
                   help="processes to match on (default: up to 2)")
    p.add_argument("--json", action="store_true", help="print JSON only")
    p.set_defaults(func=cmd_screen)

    p = sub.add_parser("screening", parents=[common],
                       help="list screening candidates, or confirm/dismiss one")
    p.add_argument("match", nargs="?", metavar="MATCH", help="candidate id to decide on")
    p.add_argument("--confirm", action="store_true")
    p.add_argument("--dismiss", action="store_true")
    p.add_argument("--reason", default="")
    p.add_argument("--json", action="store_true", help="print JSON only")
    p.set_defaults(func=cmd_screening)


_ROLE_HELP = {"payment": ("--payer", "--payee"), "contract": ("--employer", "--workers"),
              "ownership": ("--owner", "--asset"), "membership": ("--member", "--organisation"),
              "directorship": ("--director", "--organisation")}


def _add_claim_parser(claim: Any, kind: str, common: argparse.ArgumentParser) -> None:
    subj, obj = _ROLE_HELP[kind]
    p = claim.add_parser(kind, parents=[common], help=f"record a {kind} backed by passages")
    p.add_argument("annotation", nargs="+", metavar="ANN", help="supporting annotation id(s)")
    p.add_argument(subj, dest="subject", required=True, metavar="NAME")
    p.add_argument(obj, dest="object", required=True, metavar="NAME")
    if kind in ("payment", "contract"):
        p.add_argument("--amount", help="a number, or words as stated ('billions of dollars')")
        p.add_argument("--amount-text", help="the amount as the passage states it")
        p.add_argument("--currency", help="ISO 4217 code, e.g. USD")
    p.add_argument("--date", help="date or period as stated: 2019, 2019-05, mid-2010s...")
    p.add_argument("--from", dest="date_from", metavar="D")
    p.add_argument("--to", dest="date_to", metavar="D")
    for name in FIELDS[kind]:
        p.add_argument(f"--{name}", default="")
    p.add_argument("--json", action="store_true", help="print JSON only")
    p.set_defaults(func=cmd_claim, kind=kind)


def cmd_entities(args: argparse.Namespace) -> int:
    """List entities."""
    from app.money import entities as entity_service

    rows = entity_service.list_entities(open_dossier(args), include_merged=args.merged)
    if args.json:
        emit_json([e.to_json() for e in rows])
        return 0
    for e in rows:
        extra = f"  aka {', '.join(e.aliases)}" if e.aliases else ""
        merged = f"  [merged into {short_id(e.merged_into)}]" if e.merged_into else ""
        print(f"{short_id(e.id)}\t{e.schema}\t{e.name}\t{','.join(e.countries)}{extra}{merged}")
    return 0


def cmd_entity_add(args: argparse.Namespace) -> int:
    """Record an entity; print its id."""
    from app.money import entities as entity_service

    props = {"birthDate": [args.birth_date]} if args.birth_date else None
    if props and entity_service.check_schema(args.schema) != "Person":
        raise BadInput("--birth-date is for a Person")
    view = entity_service.create_entity(open_dossier(args), args.name, args.schema,
                                        aliases=args.alias, countries=args.country,
                                        properties=props)
    if args.json:
        emit_json(view.to_json())
    else:
        print(view.id)
    return 0


def cmd_entity_merge(args: argparse.Namespace) -> int:
    """Merge two entities."""
    from app.money import entities as entity_service

    dossier = open_dossier(args)
    rec = entity_service.merge_entities(dossier, args.keep, args.other)
    print(f"merged {short_id(rec.other_id)} into {short_id(rec.keep_id)}: "
          f"{len(rec.subject_facts) + len(rec.object_facts)} claim role(s), "
          f"{len(rec.mentions_moved)} mention(s), {len(rec.aliases_added)} alias(es) moved")
    return 0


def cmd_entity_mention(args: argparse.Namespace) -> int:
    """Link an entity to an annotation."""
    from app.money import entities as entity_service
    from app.services.annotations import get_annotation

    dossier = open_dossier(args)
    ann = get_annotation(dossier, args.annotation)
    entity_service.add_mention(dossier, args.entity, ann.id)
    return 0


def cmd_claim(args: argparse.Namespace) -> int:
    """Record a structured claim; print its id."""
    from app.money import facts as fact_service
    from app.money.amounts import amount_from_args
    from app.money.periods import period_from_args

    amount = None
    if args.kind in ("payment", "contract"):
        amount = amount_from_args(args.amount_text, args.amount, args.currency)
    period = period_from_args(args.date, args.date_from, args.date_to)
    fields = {name: getattr(args, name) for name in fact_service.FIELDS[args.kind]}
    view = fact_service.record_fact(open_dossier(args), args.kind, args.annotation,
                                    args.subject, args.object, amount=amount, period=period,
                                    fields=fields)
    if args.json:
        emit_json(view.to_json())
    else:
        print(view.id)
    return 0


def cmd_flows(args: argparse.Namespace) -> int:
    """Print flows with totals per pair and currency and, with --json, their passages."""
    from app.money import entities as entity_service
    from app.money.flows import FlowFilter, aggregate_flows, flow_facts
    from app.money.periods import parse_period

    dossier = open_dossier(args)
    entity_id = entity_service.get_entity(dossier, args.entity).id if args.entity else ""
    flt = FlowFilter(date_from=parse_period(args.date_from).start if args.date_from else "",
                     date_to=parse_period(args.date_to).end if args.date_to else "",
                     entity_id=entity_id, kinds=tuple(args.kind))
    flows = aggregate_flows(dossier, flt)
    if args.json:
        emit_json([{**f.to_json(), "facts": [x.to_json() for x in flow_facts(dossier, f)]}
                   for f in flows])
        return 0
    for f in flows:
        print(f"{f.kind}\t{f.subject} -> {f.object}\t{f.label()}\t{f.claims} claim(s), "
              f"{f.passages} passage(s), {f.sources} independent source(s)")
    return 0


def cmd_import_ftm(args: argparse.Namespace) -> int:
    """Import an FtM file's entities and claims."""
    from app.exchange.ftm.read import import_ftm

    result = import_ftm(open_dossier(args), Path(args.path))
    if args.json:
        emit_json(result.to_json())
    else:
        print(f"added {result.entities} entit(ies) and {result.claims} claim(s); "
              f"{result.skipped} line(s) already present or not entities/claims")
    return 0


def cmd_screen(args: argparse.Namespace) -> int:
    """Screen every entity against a local list; print the candidates for a person to decide."""
    from app.money.screening import screen_dossier

    dossier = open_dossier(args)
    result = screen_dossier(dossier, Path(args.list_path), threshold=args.threshold,
                            workers=args.workers)
    if args.json:
        emit_json(result.to_json())
        return 0
    print(f"screened {result.entities} entit(ies) against {result.listed} listed entr(ies) of "
          f"{result.list_name}: {len(result.candidates)} candidate(s) to confirm or dismiss "
          "with 'dossier screening MATCH --confirm|--dismiss'")
    for c in result.candidates:
        print(f"{short_id(c.id)}\t{c.score:.2f}\t{c.entity_name} ~ {c.listed_name}\t"
              f"{c.listing_summary()}")
    return 0


def cmd_screening(args: argparse.Namespace) -> int:
    """List candidates or record a person's decision on one."""
    from app.money import screening

    dossier = open_dossier(args)
    if args.match:
        if args.confirm == args.dismiss:
            raise BadInput("say --confirm or --dismiss for the candidate")
        m = screening.decide(dossier, args.match, "confirmed" if args.confirm else "dismissed",
                             args.reason)
        if args.json:
            emit_json(m.to_json())
        else:
            print(f"{m.status} {short_id(m.id)}: {m.entity_name} ~ {m.listed_name}")
        return 0
    rows = screening.list_matches(dossier)
    if args.json:
        emit_json([m.to_json() for m in rows])
        return 0
    for m in rows:
        print(f"{short_id(m.id)}\t{m.status}\t{m.score:.2f}\t{m.entity_name} ~ {m.listed_name}"
              f"\t{m.listing_summary()}")
    return 0
