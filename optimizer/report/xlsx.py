"""``report.xlsx``: every table of a report, one named sheet each.

Sheets are named after the tables (Excel's forbidden characters removed, at most 31
characters, made unique). A table with an ``xlsx_note`` gets a sheet holding only that note
(header: the table's name), not its rows. Each sheet has a frozen header row, filters, readable widths, the
number format of :mod:`optimizer.report.columns` per numeric column (numbers stored as numbers,
also where the frame held them as text) and formula-like text stored as text
(:func:`optimizer.core.tables.write_xlsx_sheets`).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from optimizer.core.tables import write_xlsx_sheets
from optimizer.report.columns import column_kinds, numeric_values
from optimizer.report.document import Report

SHEET_FORBIDDEN = "[]:*?/\\"


def write_xlsx(report: Report, path: str | Path) -> None:
    """Every table of ``report`` as a named sheet of one workbook at ``path`` (module docstring)."""
    used: set[str] = set()
    sheets = []
    for block in report.tables():
        if block.xlsx_note is not None:
            sheets.append((sheet_name(block.name, used), pd.DataFrame({block.name: [block.xlsx_note]}), {}))
            continue
        frame = block.frame.reset_index(drop=True)
        kinds = column_kinds(frame)
        frame = frame.assign(**{k.name: numeric_values(frame[k.name]) for k in kinds if k.numeric
                                and not pd.api.types.is_numeric_dtype(frame[k.name])})
        sheets.append((sheet_name(block.name, used), frame, {k.name: k.excel_format() for k in kinds if k.numeric}))
    write_xlsx_sheets(path, sheets)


def sheet_name(name: str, used: set[str]) -> str:
    """A valid, unique (case-insensitively) Excel sheet name for ``name``; adds it to ``used``."""
    base = "".join(c for c in name if c not in SHEET_FORBIDDEN).strip("'")[:31] or "table"
    sheet, k = base, 2
    while sheet.lower() in used:
        sheet = f"{base[:28]}_{k}"
        k += 1
    used.add(sheet.lower())
    return sheet
