"""Agreement figures checked against worked examples from the literature and by hand."""

from __future__ import annotations

import numpy as np
import pytest

from app.dossier import Dossier
from app.services import agreement, annotations, codebook, roles
from tests.helpers.documents import add_text_document
from tests.helpers.review import acting_as


def test_cohen_kappa_worked_example() -> None:
    # The textbook 2x2 example (e.g. Wikipedia, "Cohen's kappa"): 50 items, both yes 20,
    # both no 15, A yes / B no 5, A no / B yes 10: p_o = 0.7, p_e = 0.5, kappa = 0.4.
    a = np.array([1] * 20 + [0] * 15 + [1] * 5 + [0] * 10, dtype=bool)
    b = np.array([1] * 20 + [0] * 15 + [0] * 5 + [1] * 10, dtype=bool)
    observed, kappa = agreement.cohen_kappa(a, b)
    assert observed == pytest.approx(0.7)
    assert kappa == pytest.approx(0.4)
    # perfect agreement on a tag nobody used: chance agreement is total, kappa undefined
    assert agreement.cohen_kappa(np.zeros(5, bool), np.zeros(5, bool)) == (1.0, None)


def test_krippendorff_alpha_worked_examples() -> None:
    # Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", binary data, two
    # observers, ten units: alpha = 1 - (20 - 1) * 4 / (14 * 6) = 0.095.
    binary = np.array([[0, 1, 0, 0, 0, 0, 0, 0, 1, 0],
                       [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]], dtype=float)
    assert agreement.krippendorff_alpha(binary) == pytest.approx(1 - 19 * 4 / 84)
    assert agreement.krippendorff_alpha(binary) == pytest.approx(0.095, abs=5e-4)
    # Same paper, nominal data, four observers, twelve units with missing values: 0.743.
    nan = np.nan
    nominal = np.array([
        [1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],
        [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan]])
    assert agreement.krippendorff_alpha(nominal) == pytest.approx(0.743, abs=5e-4)
    assert agreement.krippendorff_alpha(np.zeros((2, 4))) is None  # one value only


def test_character_level_agreement_of_two_annotators_by_hand(dossier: Dossier) -> None:
    roles.add_user(dossier, "bob", "annotator")
    bob = acting_as(dossier, "bob")
    doc = add_text_document(dossier, "abcdefghij")  # ten characters, ten units
    with dossier.read() as session:
        tag = codebook.resolve_tag(session, "Deception").id
        other = codebook.resolve_tag(session, "Isolation").id
    annotations.create_annotation(dossier, doc.id, 0, 4, [tag])        # alice: 1111000000
    annotations.create_annotation(bob, doc.id, 2, 6, [tag, other])     # bob:   0011110000
    result = agreement.compute(dossier)
    assert result.annotators == ("alice", "bob") and result.documents == (doc.id,)
    by_tag = {t.path: t for t in result.tags}
    deception = by_tag["Abuses/Deception"]
    [pair] = deception.pairs
    # n11 = 2, n10 = 2, n01 = 2, n00 = 4: p_o = 0.6, p_e = 0.4*0.4 + 0.6*0.6 = 0.52
    assert (pair.units, pair.observed) == (10, pytest.approx(0.6))
    assert pair.kappa == pytest.approx((0.6 - 0.52) / (1 - 0.52))
    # coincidences: o11 = 4, o10 = o01 = 4, o00 = 8; n = 20, n1 = 8, n0 = 12
    assert deception.alpha == pytest.approx(1 - 19 * 4 / (12 * 8))
    # Isolation: only bob used it on 4 characters; alice coded none of them
    isolation = by_tag["Abuses/Isolation"]
    assert isolation.pairs[0].observed == pytest.approx(0.6)
    assert isolation.pairs[0].kappa == pytest.approx(0.0)
    assert agreement.coded_ranges(dossier, doc.id, tag) == {"alice": [(0, 4)], "bob": [(2, 6)]}
    assert "character-level" in result.to_json()["units"]


def test_documents_with_one_annotator_are_left_out(dossier: Dossier) -> None:
    doc = add_text_document(dossier, "only alice read this")
    annotations.create_annotation(dossier, doc.id, 0, 4, [])
    assert agreement.compute(dossier).tags == ()
