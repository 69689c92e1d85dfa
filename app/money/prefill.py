"""What a claim form can fill in from the selected passage (nothing is saved from here)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from app.money.amounts import Amount, parse_amount
from app.money.entities import EntityView, suggest_entities
from app.money.periods import Period, find_periods

if TYPE_CHECKING:
    from app.dossier import Dossier


@dataclass(frozen=True)
class ClaimPrefill:
    """The amount, dates and entity names a passage states."""

    passage: str
    amount: Amount | None
    periods: tuple[Period, ...]
    entities: tuple[EntityView, ...]


def prefill_claim(dossier: Dossier, passage: str) -> ClaimPrefill:
    """Read the amount (with currency), dates and known entity names out of a passage."""
    return ClaimPrefill(passage, parse_amount(passage), tuple(find_periods(passage)),
                        tuple(suggest_entities(dossier, passage)))
