"""The report API: a Report with every kind of block renders to report.html and report.xlsx."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd
from openpyxl import load_workbook

from optimizer.report import Report, write_report


def test_every_block_kind_is_written(tmp_path):
    r = Report(title="Toets", kind="evaluate")
    r.add_summary("gemeenten", 342)
    r.add_text("Een zin.")
    r.add_table("per gemeente", pd.DataFrame({"gm_code": ["GM0001", "=1+1"], "n": [1, 2]}))
    r.add_table("per gemeente", pd.DataFrame({"a": [1]}))
    r.add_map("afwijking", pd.Series({"GM0001": 0.1}))
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1])
    r.add_chart("lijn", fig)
    plt.close(fig)
    assert write_report(r, tmp_path) == ["report.html", "report.xlsx"]
    text = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "Toets" in text and "342" in text and "<svg" in text
    wb = load_workbook(tmp_path / "report.xlsx")
    assert wb.sheetnames == ["per gemeente", "per gemeente_2"]
    assert wb["per gemeente"]["A3"].data_type == "s" and wb["per gemeente"]["A3"].value == "=1+1"


def test_cells_a_spreadsheet_cannot_hold_are_written_as_text(tmp_path):
    r = Report(title="Toets", kind="compare")
    r.add_table("t", pd.DataFrame({"moved": [["H1", "H2"]], "n": [1]}))
    write_report(r, tmp_path)
    assert load_workbook(tmp_path / "report.xlsx")["t"]["A2"].value == "['H1', 'H2']"
