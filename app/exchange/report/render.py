"""The evidence report as HTML, from the Jinja2 template ``resources/report/report.html``.

The template is autoescaped: every value from documents or users is escaped (quotes come from
hostile pages). The PDF report (:mod:`app.exchange.report.pdf`) lays out this same HTML.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

import jinja2
from markupsafe import Markup

from app.exchange.report.evidence import ReportExtras, data_uri, report_extras
from app.exchange.report.model import (
    RUN_CHARS,
    UNTAGGED,
    build_report,
    grade_text,
    is_web_link,
    pages_text,
    runs,
    stamp,
)

if TYPE_CHECKING:
    from app.dossier import Dossier
    from app.exchange.filters import Selection

TEMPLATE = "report.html"
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


def _load(name: str) -> str:
    return resources.files("resources.report").joinpath(name).read_text(encoding="utf-8")


def _colour(value: str | None) -> str | None:
    """A tag colour safe to put in a style attribute (``#rrggbb``), else None."""
    return value if value and _COLOUR.match(value) else None


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The report's template environment (autoescape on, undefined names are errors)."""
    env = jinja2.Environment(
        loader=jinja2.FunctionLoader(_load), autoescape=True, undefined=jinja2.StrictUndefined,
        trim_blocks=True, lstrip_blocks=True,
    )
    env.filters.update(runs=runs, grade=grade_text, stamp=stamp, pages=pages_text,
                       data_uri=data_uri)
    env.tests["web_link"] = is_web_link
    env.globals.update(run_chars=RUN_CHARS, untagged=UNTAGGED)
    return env


def report_html(selection: Selection, title: str = "Evidence report",
                money_html: str = "", extras: ReportExtras | None = None) -> str:
    """The evidence report for ``selection`` as HTML (``money_html``: the Money flows section,
    already escaped by :mod:`app.money.report`; ``extras``: region crops and OCR doubts,
    :mod:`app.exchange.report.evidence`)."""
    report = build_report(selection, title)
    for family in report.families:
        for tag in family.tags:
            tag.colour = _colour(tag.colour)
    return environment().get_template(TEMPLATE).render(
        report=report, sel=selection, money=Markup(money_html),
        extras=extras or ReportExtras())


def money_html(dossier: Dossier | None, selection: Selection) -> str:
    """The "Money flows" section for the claims behind the selection ('' when there are none)."""
    if dossier is None:  # a report of a selection alone (tests, previews)
        return ""
    from app.exchange.ftm.write import selected_facts
    from app.money.report import money_section

    section = money_section(dossier, {f.id for f in selected_facts(dossier, selection)})
    return section.inline() if section is not None else ""


def render_report_html(dossier: Dossier, selection: Selection) -> str:
    """The evidence report as HTML (the form the export registry and bundles call)."""
    return report_html(selection, money_html=money_html(dossier, selection),
                       extras=report_extras(dossier, selection))


def write_report_html(dossier: Dossier, selection: Selection, out: Path | str) -> list[str]:
    """Export writer for ``report-html``: the HTML evidence report at ``out``."""
    Path(out).write_bytes(render_report_html(dossier, selection).encode("utf-8"))
    return []
