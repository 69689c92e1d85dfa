"""Offline copies of a team dossier: ``clone`` it, work on the copy, ``push`` the work back."""

from app.services.sync.clone import CloneResult, clone
from app.services.sync.push import PushSummary, push

__all__ = ["CloneResult", "PushSummary", "clone", "push"]
