"""Table cells wrapped over several lines stay in their cell.

A table row whose payee or purpose does not fit its column is set on two or three lines; read line
by line, the second line of the cell became a row of its own ("Public Infrastructure" under
"15/09/2016  Ministry of Works and  advance  ..."). Here the lines of a table are grouped into rows
and each row is emitted as one line, its cells in column order separated by a tab, a cell's lines
joined by a space.

A run of lines is a table when it starts at a line with tab-separated cells (see
:mod:`app.importers.pdf_lines`); the table's columns are the union of the x ranges of the cells of
its tabular lines. A row boundary is a vertical gap clearly wider than the smallest one (the
leading inside a wrapped cell is smaller than the pitch of rows, which adds the cells' padding);
where that does not give rows (all gaps alike), a row starts at each line with something in the
first column (a ledger's date or document number) and a line with nothing there continues the row
above.
A group of lines is merged into one row only when that is unambiguous: every cell of every line
lies in one column, no column gets two cells of one line, the group has at most
:data:`MAX_CELL_LINES` lines, and most of its columns are filled by one line only (two real rows
fill the same columns twice); anything else is left line by line.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from app.importers.pdf_blocks import Frame
from app.importers.pdf_lines import TAB, Line

#: A wrapped cell has at most this many lines.
MAX_CELL_LINES = 4
#: A gap wider than this x the smallest gap of the table is a row boundary ...
ROW_GAP_RATIO = 1.2
#: ... and there must be one at least this much wider, or nothing is merged.
EVIDENCE_RATIO = 1.3
#: Lines of a table follow each other within this many font sizes.
MAX_LINE_GAP_EMS = 3.0

Cell = tuple[float, float, list[int | None]]  # x0, x1, units
_NUMBER = re.compile(r"[-+(]?[$€£¥]?[\d.,'/:%-]*\d[\d.,'/:%)-]*")


def merge_wrapped_cells(lines: list[Line], frame: Frame, texts: Sequence[str]) -> list[Line]:
    """``lines`` of one block with the lines of each wrapped table row merged into one line."""
    if len(lines) < 3 or not any(ln.tabular for ln in lines) or any(ln.rtl for ln in lines):
        return lines
    out: list[Line] = []
    k = 0
    while k < len(lines):
        if not lines[k].tabular:
            out.append(lines[k])
            k += 1
            continue
        end = _table_end(lines, k)
        out.extend(_merge_table(lines[k:end], frame, texts))
        k = end
    return out


def _table_end(lines: list[Line], start: int) -> int:
    """The end of the run of table lines starting at the tabular line ``lines[start]``."""
    end = start + 1
    while end < len(lines):
        prev, line = lines[end - 1], lines[end]
        if line.y - prev.y > MAX_LINE_GAP_EMS * max(prev.size, line.size):
            break
        if not line.tabular:
            # A cell's next line sits next to a table line; running text after the table
            # does not continue it.
            nxt = lines[end + 1] if end + 1 < len(lines) else None
            if not (prev.tabular or (nxt is not None and nxt.tabular)):
                break
        end += 1
    return end


def _merge_table(table: list[Line], frame: Frame, texts: Sequence[str]) -> list[Line]:
    if len(table) < 2:
        return table
    cells = [_cells(line, frame) for line in table]
    columns = _columns([c for line, cs in zip(table, cells, strict=True) if line.tabular
                        for c in cs])
    gaps = [b.y - a.y for a, b in zip(table, table[1:], strict=False)]
    smallest = min(gaps)
    if smallest <= 0:
        return table
    groups: list[list[int]] = [[0]]
    for k, gap in enumerate(gaps, start=1):
        if max(gaps) >= EVIDENCE_RATIO * smallest and gap > ROW_GAP_RATIO * smallest:
            groups.append([])
        groups[-1].append(k)
    out: list[Line] = []
    for group in groups:
        merged = _merge_row([table[i] for i in group], [cells[i] for i in group], columns, None)
        if len(merged) == 1 or len(group) == 1:
            out.extend(merged)
            continue
        # Rows as close as the lines of a cell: a row starts where the first column is filled
        # (its date or number); a line with nothing there continues the row above it.
        first = columns[0]
        part = [group[0]]
        for i in group[1:]:
            if any(min(x1, first[1]) - max(x0, first[0]) > 0 for x0, x1, _ in cells[i]):
                out.extend(_merge_row([table[j] for j in part], [cells[j] for j in part],
                                      columns, texts))
                part = []
            part.append(i)
        out.extend(_merge_row([table[j] for j in part], [cells[j] for j in part], columns, texts))
    return out


def _merge_row(lines: list[Line], cells: list[list[Cell]], columns: list[tuple[float, float]],
               continued: Sequence[str] | None) -> list[Line]:
    """The lines of one table row as one line, if the merge is unambiguous (else unchanged).

    With ``continued`` (the glyph texts), the first line is the row and the others continue its
    cells: each of their cells must lie in a column the first line fills, and none may be a bare
    number (amounts and counts do not wrap; a line of them is a row of its own).
    """
    if len(lines) < 2 or len(lines) > MAX_CELL_LINES:
        return lines
    filled: list[list[list[int | None]]] = [[] for _ in columns]  # per column, per line
    for n, line_cells in enumerate(cells):
        used: set[int] = set()
        for x0, x1, run in line_cells:
            hits = [j for j, (a, b) in enumerate(columns) if min(x1, b) - max(x0, a) > 0]
            if len(hits) != 1 or hits[0] in used:
                return lines
            if continued is not None and n and (
                    not filled[hits[0]] or _bare_number(run, continued)):
                return lines
            used.add(hits[0])
            filled[hits[0]].append(run)
    nonempty = [parts for parts in filled if parts]
    single = sum(1 for parts in nonempty if len(parts) == 1)
    if 2 * single <= len(nonempty):
        return lines  # rows that fill the same columns again are rows, not a wrapped cell
    units: list[int | None] = []
    for parts in nonempty:
        if units:
            units.append(TAB)
        for n, part in enumerate(parts):
            if n:
                units.append(None)  # the cell's lines joined by a space
            units.extend(part)
    merged = Line()
    first = lines[0]
    merged.glyphs = units
    merged.x0 = min(ln.x0 for ln in lines)
    merged.x1 = max(ln.x1 for ln in lines)
    merged.y = first.y
    merged.size = max(ln.size for ln in lines)
    merged.first_word = first.first_word
    merged.second_x = first.second_x
    merged.tabular = True
    last = lines[-1]
    merged.alnum_start, merged.cjk_start = first.alnum_start, first.cjk_start
    merged.dash_end, merged.cjk_end = last.dash_end, last.cjk_end
    return [merged]


def _bare_number(units: list[int | None], texts: Sequence[str]) -> bool:
    text = "".join(texts[u] for u in units if u is not None and u >= 0)
    return bool(_NUMBER.fullmatch(text))


def _cells(line: Line, frame: Frame) -> list[Cell]:
    """A line's cells: runs of units between tabs, with their x extents."""
    cells: list[Cell] = []
    run: list[int | None] = []

    def close() -> None:
        glyphs = [u for u in run if u is not None and u >= 0]
        if glyphs:
            cells.append((min(frame[i][0] for i in glyphs), max(frame[i][2] for i in glyphs),
                          list(run)))

    for u in line.glyphs:
        if u == TAB:
            close()
            run = []
        else:
            run.append(u)
    close()
    return cells


def _columns(cells: list[Cell]) -> list[tuple[float, float]]:
    """The union of the cells' x ranges: one interval per column, left to right."""
    spans = sorted((x0, x1) for x0, x1, _ in cells)
    columns: list[tuple[float, float]] = []
    for x0, x1 in spans:
        if columns and x0 <= columns[-1][1]:
            columns[-1] = (columns[-1][0], max(columns[-1][1], x1))
        else:
            columns.append((x0, x1))
    return columns
