"""Render a :class:`~optimizer.report.document.Report` as ``report.html`` and ``report.xlsx``.

``report.html`` is one self-contained file (inline styles, scripts and images; no network).
``report.xlsx`` holds every table of the report, one named sheet each.
"""

from __future__ import annotations

import html
import io
from pathlib import Path

import pandas as pd

from optimizer.report.document import ChartBlock, MapBlock, Report, TableBlock, TextBlock


def write_report(report: Report, folder: str | Path) -> list[str]:
    """Write report.html and report.xlsx into ``folder``; return the file names written."""
    folder = Path(folder)
    (folder / "report.html").write_text(render_html(report), encoding="utf-8")
    written = ["report.html"]
    if report.tables():
        write_xlsx(report, folder / "report.xlsx")
        written.append("report.xlsx")
    return written


def render_html(report: Report) -> str:
    parts = [f"<!doctype html><html lang=\"{report.lang}\"><head><meta charset=\"utf-8\">",
             f"<title>{html.escape(report.title)}</title></head><body>",
             f"<h1>{html.escape(report.title)}</h1>"]
    if report.summary:
        rows = "".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>" for k, v in report.summary)
        parts.append(f"<table class=\"summary\">{rows}</table>")
    for block in report.blocks:
        parts.append(_block(block))
    if report.footer:
        parts.append(f"<footer>{html.escape(report.footer)}</footer>")
    parts.append("</body></html>")
    return "\n".join(parts)


def _block(block: object) -> str:
    if isinstance(block, TextBlock):
        return f"<p>{html.escape(block.text)}</p>"
    if isinstance(block, TableBlock):
        return f"<h2>{html.escape(block.name)}</h2>" + block.frame.to_html(index=False, escape=True)
    if isinstance(block, ChartBlock):
        buf = io.StringIO()
        block.figure.savefig(buf, format="svg")
        return f"<h2>{html.escape(block.name)}</h2>{buf.getvalue()}"
    if isinstance(block, MapBlock):
        return f"<h2>{html.escape(block.name)}</h2>" + block.values.rename("value").to_frame().to_html(escape=True)
    raise TypeError(f"unknown report block {type(block).__name__}")


def write_xlsx(report: Report, path: Path) -> None:
    from optimizer.core.tables import _cells_as_text

    used: set[str] = set()
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for block in report.tables():
            sheet = _sheet_name(block.name, used)
            block.frame.to_excel(writer, sheet_name=sheet, index=False)
            _cells_as_text(writer.sheets[sheet], block.frame)


def _sheet_name(name: str, used: set[str]) -> str:
    base = "".join(c for c in name if c not in "[]:*?/\\")[:31] or "table"
    sheet, k = base, 2
    while sheet.lower() in used:
        sheet = f"{base[:28]}_{k}"
        k += 1
    used.add(sheet.lower())
    return sheet
