"""``python -m app`` runs the ``dossier`` command line."""

from __future__ import annotations

import sys

from app.cli.main import main

sys.exit(main())
