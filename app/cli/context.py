"""Opening the dossier a command works on."""

from __future__ import annotations

import argparse

from app.dossier import Dossier


def open_dossier(args: argparse.Namespace) -> Dossier:
    """The dossier named by ``--dossier`` (or the default), acting as ``--user``."""
    return Dossier.open(getattr(args, "dossier", None), user=getattr(args, "user", None))
