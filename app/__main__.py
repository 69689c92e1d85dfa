"""``python -m app`` runs the ``dossier`` command line."""

from __future__ import annotations

import sys

from app.cli.main import main

if __name__ == "__main__":  # worker processes (forkserver/spawn) import this module too
    sys.exit(main())
