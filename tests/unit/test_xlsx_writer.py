"""The .xlsx writer (XlsxWriter underneath), read back with openpyxl: what a person opening the
file gets — values and their types, number formats, a frozen bold header, filters, widths,
header comments, text that stays text — and the same bytes for the same tables."""

from __future__ import annotations

import datetime
import zipfile

import pandas as pd
from openpyxl import load_workbook

from optimizer.core.tables import write_xlsx_sheets
from optimizer.core.xlsx_writer import CREATED


def _tables() -> list[tuple[str, pd.DataFrame, dict[str, str]]]:
    first = pd.DataFrame({
        "household_id": ["=1+1", "+31", "@SUM(A1)", "H\x01\x1f4", "http://x.nl"],
        "persons": [1, 2, 3, 4, 12345],
        "share": [0.5, None, float("inf"), float("-inf"), 1 / 3],
        "arrived": [datetime.datetime(2025, 8, 4, 13, 30, 15), None,
                    datetime.datetime(2025, 8, 5, tzinfo=datetime.UTC),
                    datetime.datetime(2025, 8, 6), datetime.datetime(2025, 8, 7)],
        "decided": [True, False, None, True, False],
        "number_text": ["0012", "1e3", "3.5", "", "-"],
    })
    first.attrs["notes"] = {"share": "points & <unit>", "persons": "persons in the household"}
    second = pd.DataFrame({"gm_code": ["GM0014"], "day": [datetime.date(2025, 8, 4)]})
    return [("Households", first, {"persons": "#,##0", "share": "0.0000"}), ("per gemeente", second, {})]


def test_xlsx_read_back_keeps_values_types_formats_and_layout(tmp_path):
    path = tmp_path / "t.xlsx"
    write_xlsx_sheets(path, _tables())
    book = load_workbook(path)
    assert book.sheetnames == ["Households", "per gemeente"]
    ws = book["Households"]
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == "A1:F6"
    assert [c.value for c in ws[1]] == ["household_id", "persons", "share", "arrived", "decided", "number_text"]
    assert all(c.font.b for c in ws[1]) and not ws["A2"].font.b
    # text stays text, never a formula; formula-like text has the quote prefix
    assert [ws.cell(row=r, column=1).value for r in range(2, 7)] == ["=1+1", "+31", "@SUM(A1)", "H4", "http://x.nl"]
    assert all(ws.cell(row=r, column=1).data_type == "s" for r in range(2, 7))
    assert ws["A2"].quotePrefix and ws["B2"].value == 1 and ws["B3"].data_type == "n" and not ws["A5"].quotePrefix
    assert not ws.cell(row=6, column=1).hyperlink
    # numbers as numbers in their column's format; not finite as text, missing as empty
    assert [ws.cell(row=r, column=2).value for r in range(2, 7)] == [1, 2, 3, 4, 12345]
    assert ws["B6"].number_format == "#,##0" and ws["C2"].number_format == "0.0000"
    assert ws["C2"].value == 0.5 and ws["C3"].value is None and ws["C6"].value == 1 / 3
    assert (ws["C4"].value, ws["C5"].value) == ("inf", "-inf")
    # datetimes (time zone removed), booleans
    assert ws["D2"].value == datetime.datetime(2025, 8, 4, 13, 30, 15) and ws["D2"].number_format == "yyyy-mm-dd h:mm:ss"
    assert ws["D4"].value == datetime.datetime(2025, 8, 5) and ws["D3"].value is None
    assert [ws.cell(row=r, column=5).value for r in range(2, 7)] == [True, False, None, True, False]
    # text that looks like a number stays text
    assert [ws.cell(row=r, column=6).value for r in range(2, 5)] == ["0012", "1e3", "3.5"]
    assert ws["F2"].data_type == "s" and ws["F6"].value == "-" and ws["F6"].quotePrefix
    # header comments: a column's note, on that column only
    assert ws["C1"].comment.text == "points & <unit>" and ws["B1"].comment.text == "persons in the household"
    assert ws["C1"].comment.author == "spreiding" and ws["A1"].comment is None
    assert ws.column_dimensions["A"].width > 8
    day = book["per gemeente"]
    assert day["B2"].value == datetime.datetime(2025, 8, 4) and day["B2"].number_format == "yyyy-mm-dd"
    assert day.freeze_panes == "A2" and day.auto_filter.ref == "A1:B2"
    back = pd.read_excel(path, sheet_name="Households", dtype={"household_id": str, "number_text": str})
    assert back["household_id"].tolist()[:3] == ["=1+1", "+31", "@SUM(A1)"]


def test_xlsx_has_no_formula_and_a_fixed_creation_date(tmp_path):
    path = tmp_path / "t.xlsx"
    write_xlsx_sheets(path, _tables())
    with zipfile.ZipFile(path) as zf:
        sheets = [zf.read(n).decode() for n in zf.namelist() if n.startswith("xl/worksheets/sheet")]
        core = zf.read("docProps/core.xml").decode()
    assert sheets and not any("<f>" in s or "<f " in s for s in sheets)
    assert CREATED.strftime("%Y-%m-%dT%H:%M:%SZ") in core


def test_xlsx_same_tables_same_bytes(tmp_path):
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    write_xlsx_sheets(a, _tables())
    write_xlsx_sheets(b, _tables())
    assert a.read_bytes() == b.read_bytes()
    other = _tables()
    other[0][1].loc[0, "persons"] = 2
    write_xlsx_sheets(b, other)
    assert a.read_bytes() != b.read_bytes()  # the comparison can fail


def test_xlsx_of_an_empty_table_has_header_and_no_filter(tmp_path):
    path = tmp_path / "t.xlsx"
    write_xlsx_sheets(path, [("data", pd.DataFrame({"a": [], "b": []}), {})])
    ws = load_workbook(path)["data"]
    assert [c.value for c in ws[1]] == ["a", "b"] and ws.max_row == 1 and ws.auto_filter.ref is None


def test_xlsx_text_that_looks_like_an_escape_or_is_empty_comes_back_as_written(tmp_path):
    path = tmp_path / "t.xlsx"
    texts = ["_x0041_", "tab\there", "line\nbreak", "", "x\x7fy"]
    write_xlsx_sheets(path, [("data", pd.DataFrame({"a": texts}), {})])
    ws = load_workbook(path)["data"]
    assert [ws.cell(row=r, column=1).value for r in range(2, 7)] == texts
