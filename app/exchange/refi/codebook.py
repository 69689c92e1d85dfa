"""Reading a standalone REFI-QDA codebook (``.qdc``): its codes, parents before children."""

from __future__ import annotations

from pathlib import Path
from xml.etree.ElementTree import Element

from app.errors import BadInput
from app.exchange.refi.model import RefiCode
from app.exchange.refi.xml_tree import child, child_text, children, local
from app.exchange.safety.xml_parse import parse_xml
from app.textmodel import normalise

#: Larger files are refused (a codebook is a few kilobytes).
MAX_BYTES = 5 * 1024 * 1024


def read_qdc(path: Path | str) -> list[RefiCode]:
    """The codes of a ``.qdc`` file; :class:`BadInput` for a file that is not one."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise BadInput(f"{path}: cannot be read ({exc.strerror}); choose a .qdc codebook") \
            from exc
    if len(data) > MAX_BYTES:
        raise BadInput(f"{path.name} is larger than a codebook can be; choose a .qdc file")
    root = parse_xml(data, path.name)
    book = root if local(root.tag) == "CodeBook" else child(root, "CodeBook")
    codes = child(book, "Codes") if book is not None else None
    if codes is None:
        raise BadInput(f"{path.name} holds no REFI-QDA CodeBook with Codes; choose a .qdc "
                       "codebook exported by a QDA program")
    out: list[RefiCode] = []
    seen: set[str] = set()
    stack: list[tuple[Element, str | None]] = [
        (code, None) for code in reversed(list(children(codes, "Code")))]
    while stack:  # depth first without recursion: a hostile file may nest codes deeply
        code, parent = stack.pop()
        guid = (code.get("guid") or "").strip().lower()
        if not guid or guid in seen:
            continue
        seen.add(guid)
        name = (code.get("name") or "").strip().replace("/", "-") or "(unnamed code)"
        colour = (code.get("color") or "").strip().lower()
        out.append(RefiCode(
            guid, name, colour if len(colour) == 7 and colour.startswith("#") else None,
            parent, (code.get("isCodable") or "true").strip().lower() not in ("false", "0"),
            normalise(child_text(code, "Description") or "").strip()))
        stack.extend((sub, guid) for sub in reversed(list(children(code, "Code"))))
    return out
