"""Output tables as ``.xlsx`` workbooks, written with XlsxWriter.

What :func:`optimizer.core.tables.write_xlsx_sheets` needs: named sheets, a bold frozen header
row with filters, column widths, a comment on a header cell (a column's note), per column a
number format, numbers as numbers, booleans, dates and datetimes, and text as text. A text is
always stored as text, never as a formula, a number or a link (the workbook options
``strings_to_formulas``, ``strings_to_numbers`` and ``strings_to_urls`` are off and every cell
is written by its type); one that starts like a formula (``=``, ``+``, ``-``, ``@``) also gets
Excel's quote prefix, so that editing the cell keeps it text (formula injection).

The workbook is assembled in memory (XlsxWriter's ``in_memory``): for a weekly proposal's
tables ~25% less CPU than ``constant_memory``, whose temporary file per part costs more than it
saves; a 320,000-cell table takes ~80 MB more memory that way (``docs/performance.md``). The file
is deterministic: the document's creation date is fixed (:data:`CREATED`) and XlsxWriter gives
every part of the zip the same date. Characters a spreadsheet cannot hold (control
characters other than tab and line breaks) are left out. A float that is not finite is written
as the text ``inf`` / ``-inf`` (NaN: an empty cell), as Excel has no such number.
"""

from __future__ import annotations

import datetime
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import xlsxwriter

#: A text cell starting with one of these would be a formula in a spreadsheet.
FORMULA_STARTS = ("=", "+", "-", "@")
#: The creation date in the document properties: fixed, so the same tables give the same bytes.
CREATED = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_DATE, _DATETIME = "yyyy-mm-dd", "yyyy-mm-dd h:mm:ss"
_OPTIONS = {"in_memory": True, "constant_memory": False, "strings_to_formulas": False, "strings_to_numbers": False,
            "strings_to_urls": False, "remove_timezone": True}


@dataclass
class Sheet:
    """One sheet: name, header (column names), per column its values, per column an Excel number
    format (or None), widths, and header notes (column index -> text)."""

    name: str
    header: list[str]
    columns: list[list]  # per column, its values (None: empty cell)
    formats: list[str | None]
    widths: list[float]
    notes: dict[int, str] = field(default_factory=dict)


class _Formats:
    """The workbook's cell formats, made once each: bold header, quote-prefixed text, dates and
    one per number format used."""

    def __init__(self, book: xlsxwriter.Workbook) -> None:
        self.book = book
        self.bold = book.add_format({"bold": True})
        self.bold_quoted = book.add_format({"bold": True, "quote_prefix": True})
        self.quoted = book.add_format({"quote_prefix": True})
        self.date = book.add_format({"num_format": _DATE})
        self.datetime = book.add_format({"num_format": _DATETIME})
        self._numbers: dict[str, xlsxwriter.format.Format] = {}

    def number(self, code: str | None) -> xlsxwriter.format.Format | None:
        if code is None:
            return None
        if code not in self._numbers:
            self._numbers[code] = self.book.add_format({"num_format": code})
        return self._numbers[code]


def _write_text(ws, row: int, col: int, text: str, plain, quoted) -> None:
    """Text as text: control characters left out, the quote prefix on a formula-like one."""
    if not text.isprintable():  # fast check; then only what a spreadsheet cannot hold goes
        text = _ILLEGAL.sub("", text)
    ws.write_string(row, col, text, quoted if text.startswith(FORMULA_STARTS) else plain)


def _write_cell(ws, row: int, col: int, v: object, number_format, formats: _Formats) -> None:
    """One cell by the type of ``v`` (None: left empty)."""
    if v is None:
        return
    if isinstance(v, bool):
        ws.write_boolean(row, col, v)
    elif isinstance(v, (int, float)):
        if math.isfinite(v):
            ws.write_number(row, col, v, number_format)
        elif v == v:
            ws.write_string(row, col, "inf" if v > 0 else "-inf")
    elif isinstance(v, datetime.datetime):
        ws.write_datetime(row, col, v, formats.datetime)
    elif isinstance(v, datetime.date):
        ws.write_datetime(row, col, v, formats.date)
    else:
        _write_text(ws, row, col, str(v), None, formats.quoted)


def _write_sheet(book: xlsxwriter.Workbook, sheet: Sheet, formats: _Formats) -> None:
    """One worksheet: layout, the header row with its comments, then the rows in order."""
    ws = book.add_worksheet(_ILLEGAL.sub("", sheet.name))
    ws.set_comments_author("spreiding")
    n_cols, n_rows = len(sheet.header), len(sheet.columns[0]) if sheet.columns else 0
    for j, width in enumerate(sheet.widths):
        ws.set_column(j, j, width)
    ws.freeze_panes(1, 0)
    if n_rows and n_cols:
        ws.autofilter(0, 0, n_rows, n_cols - 1)
    for j, name in enumerate(sheet.header):
        _write_text(ws, 0, j, name, formats.bold, formats.bold_quoted)
    for j, note in sorted(sheet.notes.items()):
        ws.write_comment(0, j, _ILLEGAL.sub("", note))
    number_formats = [formats.number(code) for code in sheet.formats]
    for i, values in enumerate(zip(*sheet.columns), start=1):
        for j, v in enumerate(values):
            _write_cell(ws, i, j, v, number_formats[j], formats)


def write_workbook(path: str | Path, sheets: list[Sheet]) -> None:
    """Write ``sheets`` as one ``.xlsx`` workbook at ``path``."""
    book = xlsxwriter.Workbook(str(path), _OPTIONS)
    book.set_properties({"created": CREATED})
    formats = _Formats(book)
    for sheet in sheets:
        _write_sheet(book, sheet, formats)
    book.close()
