"""Names and fixed values of the evidence bundle layout, shared by its writer and reader."""

from __future__ import annotations

from app.exchange.safety.json_stream import MIB

FORMAT = "dossier-evidence-bundle"
VERSION = 2
MANIFEST = "manifest.json"
ANNOTATIONS = "annotations.jsonld"
AUDIT = "audit.jsonl"
CHUNK = 1 * MIB
