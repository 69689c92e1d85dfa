"""REFI-QDA exchange (``.qdpx`` projects, ``.qdc`` codebooks).

- :mod:`.model`: the neutral in-memory project and the entry points (read, export).
- :mod:`.read` / :mod:`.package`: reading ``project.qde`` and the ``.qdpx`` archive.
- :mod:`.write`: writing projects and codebooks; :mod:`.schema` checks them against the XSD.
- :mod:`.text` / :mod:`.xml_tree`: text positions, GUIDs and element helpers shared by both.
"""
