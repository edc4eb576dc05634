"""Spreadsheet exports that cannot carry formulas: one place every XLSX and CSV export writes its cells through.

Text typed by residents and staff (descriptions, names, addresses) ends up in cells. A cell that begins with ``=``,
``+``, ``-`` or ``@`` (or a tab or carriage return, or their full-width forms that some spreadsheet programs fold
to ASCII) is run as a formula by Excel and WPS: ``=HYPERLINK(...)`` leaks the sheet, ``=cmd|...`` runs commands.
openpyxl itself stores any string starting with ``=`` as a formula. So such text is written as text: in XLSX a
string cell with the quote prefix set, in CSV prefixed with an apostrophe.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")


def is_formula_like(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)


def csv_safe(value: Any) -> Any:
    """A CSV field that a spreadsheet program shows as the text it is."""
    return "'" + value if is_formula_like(value) else value


def write_csv_row(writer: Any, values: Iterable[Any]) -> None:
    writer.writerow([csv_safe(v) for v in values])


def csv_writer(stream: Any) -> Any:
    """A csv writer that quotes every field (commas, quotes and line breaks in text stay inside their cell)."""
    return csv.writer(stream, quoting=csv.QUOTE_ALL)


def xlsx_cell(ws: Any, value: Any, *, font: Any = None, fill: Any = None, alignment: Any = None) -> Any:
    """A cell for ``ws.append``; in a normal or a write-only worksheet alike. Strings are always stored as text."""
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(ws, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # openpyxl would otherwise store "=..." as a formula
        if is_formula_like(value):
            cell.quotePrefix = True  # and the program keeps it text even when someone edits the cell
    if font is not None:
        cell.font = font
    if fill is not None:
        cell.fill = fill
    if alignment is not None:
        cell.alignment = alignment
    return cell


def append_row(ws: Any, values: Iterable[Any], **style: Any) -> None:
    """Append one row of values (or ready cells) to a worksheet, every string as text."""
    from openpyxl.cell import Cell

    ws.append([v if isinstance(v, Cell) else xlsx_cell(ws, v, **style) for v in values])
