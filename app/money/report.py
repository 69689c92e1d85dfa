"""The evidence report's "Money flows" section: the graph and a table of flows with totals and
their sources, plus confirmed screening matches. HTML for ``app.exchange.report``."""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import TYPE_CHECKING

from app.money.facts import FactView
from app.money.flows import Flow, FlowFilter
from app.money.picture import flow_picture
from app.money.screening import list_matches
from app.money.svg import flow_svg

if TYPE_CHECKING:
    from app.dossier import Dossier

#: Where the graph goes in the section's HTML.
IMAGE_TOKEN = "\x00money-flow-image\x00"


@dataclass(frozen=True)
class MoneySection:
    """The section's HTML (with :data:`IMAGE_TOKEN` where the graph goes) and the SVG."""

    html: str
    svg: str

    def inline(self) -> str:
        """The HTML with the graph as inline SVG (browsers and the PDF layout both draw it)."""
        svg = self.svg.replace("<svg ", '<svg style="width: 100%; height: auto" ', 1)
        return self.html.replace(IMAGE_TOKEN, svg)


def _esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def _total(f: Flow) -> str:
    cur = f" {f.currency}" if f.currency else ""
    parts = []
    if f.total is not None:
        parts.append(f"{f.total:,.0f}{cur} (stated exactly)")
    for stated in dict.fromkeys(f.stated):
        parts.append(f"“{stated}”{cur and f' ({f.currency})'}")
    if f.total_min is not None and f.total_max is not None and \
            (f.total_min, f.total_max) != (f.total, f.total):
        parts.append(f"range {f.total_min:,.0f}–{f.total_max:,.0f}{cur}")
    return "; ".join(parts) or "amount not stated"


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _sources(facts: list[FactView]) -> str:
    lines = []
    seen: set[str] = set()
    for fact in facts:
        when = f" [{fact.date_text}]" if fact.date_text else ""
        for s in fact.sources:
            if s.annotation_id in seen:
                continue
            seen.add(s.annotation_id)
            quote = " ".join(s.quote.split())
            quote = quote if len(quote) <= 160 else quote[:159] + "…"
            lines.append(f"“{_esc(quote)}”{_esc(when)} — {_esc(s.document_title)}, annotation "
                         f"{_esc(s.annotation_id[:8])}, SHA-256 "
                         f'<span class="hash">{_esc(s.document_sha256[:16])}…</span>')
    return "<br>".join(lines)


def money_section(dossier: Dossier, fact_ids: set[str] | None = None) -> MoneySection | None:
    """The section for all claims (or only ``fact_ids``); None when there are none."""
    picture = flow_picture(dossier, FlowFilter(), timeline=True)
    facts = {f.id: f for f in picture.timeline if fact_ids is None or f.id in fact_ids}
    flows = [f for f in picture.flows if any(i in facts for i in f.fact_ids)]
    if not flows:
        return None
    if len(flows) != len(picture.flows):
        from app.money.graph import build_graph, layout

        shown = layout(build_graph(flows))
    else:
        shown = picture.layout
    svg = flow_svg(shown, picture.schemata, picture.listed)
    rows = ['<table class="index" cellspacing="0" cellpadding="3" border="1" width="100%">',
            '<tr><th width="26%">Claim: from → to</th>'
            '<th width="22%">Total (per currency)</th><th width="14%">Evidence</th>'
            "<th>Sources</th></tr>"]
    for f in flows:
        behind = [facts[i] for i in f.fact_ids if i in facts]
        rows.append(
            f"<tr><td>{_esc(f.kind)}: <b>{_esc(f.subject)}</b> → <b>{_esc(f.object)}</b></td>"
            f"<td>{_esc(_total(f))}</td>"
            f"<td>{_count(f.claims, 'claim')}<br>{_count(f.passages, 'passage')}<br>"
            f"{_count(f.sources, 'independent source')}</td><td>{_sources(behind)}</td></tr>")

    rows.append("</table>")
    confirmed = [m for m in list_matches(dossier, "confirmed")]
    listed = ""
    if confirmed:
        items = "".join(
            f"<tr><td>{_esc(m.entity_name)}</td><td>{_esc(m.listed_name)} "
            f"({_esc(m.list_name)})</td><td>{_esc(m.listing_summary())}</td>"
            f"<td>{m.score:.2f}; confirmed by {_esc(m.decided_by)}"
            f"{': ' + _esc(m.reason) if m.reason else ''}</td></tr>" for m in confirmed)
        listed = ('<h3>Confirmed screening matches</h3>\n<table class="index" cellspacing="0" '
                  'cellpadding="3" border="1" width="100%"><tr><th>Entity</th><th>Listed as</th>'
                  f"<th>Listing</th><th>Decision</th></tr>{items}</table>")
    body = (
        '<div class="money-section" style="break-before: page;">\n'
        "<h2>Money flows</h2>\n"
        '<p class="meta">Entities as boxes, claims as arrows from payer (employer, owner) to '
        "payee (workers, asset). Amounts are totalled per pair and currency and never across "
        "currencies; an amount stated in words is kept as stated with its range. Independent "
        "sources count documents whose texts largely overlap once.</p>\n"
        f'<div class="money-graph">{IMAGE_TOKEN}</div>\n'
        + "\n".join(rows) + "\n" + listed + "\n</div>")
    return MoneySection(body, svg)
