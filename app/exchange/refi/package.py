"""Opening a ``.qdpx`` package safely and finding its project file and sources.

The ZIP is read through :class:`app.exchange.safety.SafeZip` (no ``..`` or absolute members, no
zip bombs, capped reads). Files a project names are looked up inside the package only, whatever
the case of the sources folder; nothing on the local disk is ever read on a project's say-so.
"""

from __future__ import annotations

from pathlib import Path

from app.errors import BadInput
from app.exchange.refi.model import RefiProject
from app.exchange.refi.read import read_project_xml

#: Largest project file and plain-text source Dossier reads from a package.
MAX_XML_BYTES = 512 * 1024 * 1024
MAX_SOURCE_BYTES = 2 * 1024 * 1024 * 1024


def _project_member(names: list[str], where: str) -> str:
    """``project.qde``, else the only ``*.qde`` at the root, else the only one anywhere."""
    qde = [n for n in names if n.lower().endswith(".qde")]
    root = [n for n in qde if "/" not in n.strip("/")]
    for name in root:
        if name.lower() == "project.qde":
            return name
    for candidates in (root, qde):
        if len(candidates) == 1:
            return candidates[0]
        if len(candidates) > 1:
            shown = ", ".join(sorted(candidates)[:4])
            raise BadInput(f"{where}: holds several project files ({shown}) and none is called "
                           "project.qde; export the project again as one .qdpx")
    raise BadInput(f"{where}: holds no project file (.qde); this is not a REFI-QDA project "
                   "package")


def read_package(path: Path) -> RefiProject:
    """Read a ``.qdpx`` package (or a bare ``.qde`` file) into a :class:`RefiProject`."""
    from app.exchange.safety.archives import SafeZip, check_member_name, is_zip

    where = path.name
    if not path.is_file():
        raise BadInput(f"{path}: no such file; check the path")
    if not is_zip(path):
        with path.open("rb") as fh:
            head = fh.read(MAX_XML_BYTES + 1)
        if len(head) > MAX_XML_BYTES:
            raise BadInput(f"{where}: larger than {MAX_XML_BYTES} bytes; refused")
        if not head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
            raise BadInput(f"{where}: neither a .qdpx package (ZIP) nor a project file (XML)")
        return read_project_xml(head, lambda _name: None, where)
    with SafeZip(path, where=where) as archive:
        names = archive.names()
        member = _project_member(names, where)
        base = member.rsplit("/", 1)[0] + "/" if "/" in member else ""
        by_lower = {n.lower(): n for n in names}

        def read_file(relative: str) -> bytes | None:
            wanted = base + relative.replace("\\", "/").lstrip("/")
            try:
                check_member_name(wanted, where)
            except BadInput:
                return None  # a path climbing out of the package is never followed
            name = wanted if archive.has(wanted) else by_lower.get(wanted.lower())
            return archive.read(name, max_bytes=MAX_SOURCE_BYTES) if name else None

        data = archive.read(member, max_bytes=MAX_XML_BYTES)
        return read_project_xml(data, read_file, f"{where}: {member}")
