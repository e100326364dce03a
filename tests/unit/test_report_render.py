"""report.html and report.xlsx: escaping, every block kind, sheets and formats, strings."""

from __future__ import annotations

import json
import re

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd
import pytest
from openpyxl import load_workbook

from optimizer.core.errors import InputError
from optimizer.data.dataset import gemeente_codes
from optimizer.report import Report, write_report
from optimizer.report.columns import column_kind
from optimizer.report.html import render_html
from optimizer.report.strings import check_lang, number

EVIL = "<script>alert(1)</script>"


def _table_json(html: str) -> list[dict]:
    return [json.loads(m) for m in re.findall(r'<script type="application/json" class="table-data">(.*?)</script>',
                                              html, re.S)]


def _report(lang="nl") -> Report:
    r = Report(title=f"Toets {EVIL}", kind="propose", lang=lang, footer=EVIL)
    r.add_summary(EVIL, EVIL)
    r.add_text(EVIL)
    frame = pd.DataFrame({"household_id": [EVIL, "=1+1", "H3"], "gm_code": ["GM0014", "-2", "@SUM(A1)"],
                          "persons": [1, 2, 3], "share": [0.5, 0.25, float("nan")],
                          "reason": [EVIL, "</script><b>x</b>", "gewoon"]})
    r.add_table(f"Huishoudens {EVIL}", frame, EVIL, detail="reason")
    r.add_map(f"Kaart {EVIL}", pd.Series({"GM0014": -1.0, "GM0034": 2.0, EVIL: 5.0}), "diverging", EVIL, EVIL)
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1], label=f"--> {EVIL}")
    ax.legend()
    r.add_chart(f"Lijn {EVIL}", fig, EVIL)
    plt.close(fig)
    return r


def test_nothing_from_input_becomes_markup():
    html = render_html(_report())
    assert "<script>alert" not in html and "<b>x</b>" not in html
    assert html.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 8  # title, summary, text, captions, footer...
    # the table data is JSON that cannot close its <script>; parsed back it is the input, unchanged
    data = _table_json(html)[0]
    assert [row[0] for row in data["rows"]] == [EVIL, "=1+1", "H3"]
    assert data["detail"] == [EVIL, "</script><b>x</b>", "gewoon"]
    # the only <script> elements are the renderer's own
    assert len(re.findall(r"<script\b", html)) == 3


def test_every_block_kind_renders():
    html = render_html(_report())
    assert html.startswith("<!doctype html>") and 'lang="nl"' in html
    # no external resources: nothing loaded from elsewhere
    assert not re.search(r'(src|href)="(https?:)?//', html) and "@import" not in html
    assert not re.search(r"url\((?!#)", html)  # only references inside an SVG
    # map: one path with a hover title per gemeente, province outlines, the source, a legend
    svg = re.search(r'<svg class="map-svg".*?</svg>', html, re.S).group(0)
    assert svg.count("<title>") == len(gemeente_codes()) == 342
    assert "<title>Groningen (GM0014): -1,00</title>" in svg
    assert svg.count("<path") == 342 + 12 and "Bron: CBS, PDOK" in svg
    assert html.count('class="swatch"') == 8  # seven classes and "geen gegevens"
    # chart: inline SVG, no XML prologue, no comments (matplotlib writes labels into them)
    chart = re.search(r'<figure class="chart">(.*?)</figure>', html, re.S).group(1)
    assert chart.lstrip().startswith("<svg") and "<?xml" not in html and "<!--" not in chart
    # table: columns with their kinds; the detail column is not a column
    data = _table_json(html)[0]
    assert [(c["name"], c["numeric"], c["decimals"]) for c in data["columns"]] == [
        ("household_id", False, 0), ("gm_code", False, 0), ("persons", True, 0), ("share", True, 4)]
    assert data["rows"][2][3] is None  # NaN -> null (valid JSON)
    assert data["locale"] == "nl-NL"


def test_rendering_is_deterministic():
    assert render_html(_report()) == render_html(_report())


def test_english_report_uses_english_strings():
    html = render_html(_report("en"))
    assert 'data-column="household_id"><button type="button" class="sort">household</button>' in html
    assert 'lang="en"' in html and ">Summary<" in html and "Search the table" in html
    assert "(GM0014): -1.00</title>" in html


def test_xlsx_sheets_formats_filters_and_no_formulas(tmp_path):
    r = _report()
    r.add_table("Huishoudens", pd.DataFrame({"n": [1234567], "x": [12.5], "s": ["3,5"], "mixed": ["", "0.25"][:1]}))
    r.add_table("a/b:c*d?e[f]" + "x" * 40, pd.DataFrame({"mixed": ["", "0.25"], "flag": [True, False]}))
    assert write_report(r, tmp_path) == ["report.html", "report.xlsx"]
    wb = load_workbook(tmp_path / "report.xlsx")
    assert wb.sheetnames == ["Huishoudens <script>alert(1)<sc", "Huishoudens", "abcdefxxxxxxxxxxxxxxxxxxxxxxxxx"]
    ws = wb.worksheets[0]
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == "A1:E4"
    assert [c.value for c in ws[1]] == ["household_id", "gm_code", "persons", "share", "reason"]
    for ref, value in (("A3", "=1+1"), ("B3", "-2"), ("B4", "@SUM(A1)")):  # text, never a formula
        assert ws[ref].value == value and ws[ref].data_type == "s"
    assert ws["C2"].number_format == "#,##0" and ws["D2"].number_format == "0.0000"
    assert ws["E2"].value == EVIL  # the detail column is a column in the sheet
    ws2 = wb.worksheets[1]
    assert ws2["A2"].value == 1234567 and ws2["B2"].number_format == "#,##0.00" and ws2["C2"].data_type == "s"
    ws3 = wb.worksheets[2]
    assert ws3["A3"].value == 0.25 and ws3["A3"].number_format == "0.0000"  # numbers stored as text -> numbers
    assert ws3["B2"].value is True


def test_no_tables_no_xlsx(tmp_path):
    r = Report(title="t", kind="x")
    r.add_text("alleen tekst")
    assert write_report(r, tmp_path) == ["report.html"]
    assert not (tmp_path / "report.xlsx").exists()


@pytest.mark.parametrize(("values", "numeric", "decimals"), [
    ([1, 2, 3], True, 0), ([1.0, 2.0], True, 0), ([0.5, 0.25], True, 4), ([12.5, 1.0], True, 2),
    (["", "0.25"], True, 4), (["", "GM0014"], False, 0), ([True, False], False, 0), (["1", True], False, 0),
])
def test_column_kinds(values, numeric, decimals):
    k = column_kind("c", pd.Series(values))
    assert (k.numeric, k.decimals if numeric else 0) == (numeric, decimals)


def test_numbers_in_both_languages_and_bad_lang():
    assert number(1234567.891, "nl", 2) == "1.234.567,89" and number(1234567.891, "en", 2) == "1,234,567.89"
    with pytest.raises(InputError, match="--lang"):
        check_lang("fr")
