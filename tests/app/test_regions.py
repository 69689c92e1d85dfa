"""Region annotations in the core: text inside, validation, and a JSON-LD round trip."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from app.dossier import Dossier
from app.errors import BadInput
from app.exchange.filters import select_for_export
from app.exchange.jsonld.write import write_jsonld
from app.regions import Region
from app.services import annotations, codebook
from app.services.documents import page_geometry
from app.services.imports import import_file
from app.services.sets.merge import import_set
from tests.helpers.scans import FIGURE, figure_pdf


def _tag(dossier: Dossier) -> str:
    with dossier.read() as session:
        return codebook.resolve_tag(session, "Scale and statistics").id


def test_regions_hold_the_text_inside_and_survive_a_json_ld_round_trip(
    dossier: Dossier, tmp_path: Path, template_dossier: Path
) -> None:
    pdf = figure_pdf(tmp_path / "report.pdf")
    doc = import_file(dossier, pdf).document
    assert doc is not None
    (page,) = page_geometry(dossier, doc.id)
    figure = Region.from_corners(1, *FIGURE)
    empty = annotations.create_annotation(dossier, doc.id, page.start, page.start,
                                          [_tag(dossier)], region=figure)
    assert empty.quote == "" and empty.region == figure and empty.page_start == 1
    # A region round the caption holds its text.
    from app.regions import text_inside

    caption = Region(1, 70.0, 345.0, 300.0, 20.0)
    first, end = text_inside(page.boxes, page.synthetic, caption)
    with_text = annotations.create_annotation(dossier, doc.id, page.start + first,
                                              page.start + end, [], region=caption)
    assert with_text.quote == "Figure 1: transfers in 2014, 2015 and 2016."
    with pytest.raises(BadInput, match="outside page 1"):
        annotations.create_annotation(dossier, doc.id, 0, 0, [],
                                      region=Region(1, 500.0, 700.0, 300.0, 300.0))
    with pytest.raises(BadInput, match="has no page 2"):
        annotations.create_annotation(dossier, doc.id, 0, 0, [],
                                      region=Region(2, 10.0, 10.0, 30.0, 30.0))

    write_jsonld(dossier, select_for_export(dossier), tmp_path / "set.jsonld")
    other_path = tmp_path / "colleague"
    shutil.copytree(template_dossier, other_path)
    other = Dossier.open(other_path, user="bob")
    try:
        import_file(other, pdf)
        summary = import_set(other, tmp_path / "set.jsonld")
        assert len(summary.added) == 2, summary
        got = sorted(annotations.list_annotations(other), key=lambda a: a.quote)
        assert [a.region for a in got] == [figure, caption]
        assert [a.quote for a in got] == ["", with_text.quote]
    finally:
        other.close()
