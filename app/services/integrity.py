"""``verify``: re-hash every original and walk the audit chain."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import select

from app import audit
from db.models import Document

if TYPE_CHECKING:
    from app.dossier import Dossier


@dataclass
class VerifyReport:
    """The outcome of a check: problems (first broken item first), counts and the chain head."""

    problems: list[str] = field(default_factory=list)
    originals_checked: int = 0
    events_checked: int = 0
    head_hash: str = audit.GENESIS

    @property
    def ok(self) -> bool:
        """True when nothing is wrong."""
        return not self.problems


def verify(dossier: Dossier) -> VerifyReport:
    """Check every original against its SHA-256 and the audit chain from its first event."""
    report = VerifyReport()
    with dossier.read() as session:
        rows = session.execute(
            select(Document.sha256, Document.title).order_by(Document.imported_at)
        ).all()
        for digest, title in rows:
            problem = dossier.originals.check(digest)
            report.originals_checked += 1
            if problem is not None:
                report.problems.append(f"{problem} (document {title!r})")
        chain_problem, count, head_hash = audit.verify_chain(session)
        report.events_checked = count
        report.head_hash = head_hash
        if chain_problem is not None:
            report.problems.append(chain_problem.message)
    return report
