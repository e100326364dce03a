"""Render a :class:`~optimizer.report.document.Report` as ``report.html`` and ``report.xlsx``.

``report.html`` is one self-contained file that opens offline: styles and a small vanilla
script inline, charts and maps as inline SVG, no fonts, no network. It is rendered from the
jinja2 templates in ``optimizer/report/templates`` with autoescaping on: every text that comes
from data (codes, names, ids, captions) is escaped, and table data is embedded as JSON that
cannot close its ``<script>`` element (``<``, ``>``, ``&`` and ``'`` written as ``\\u`` escapes).

Tables carry their rows as JSON; the script shows them a page at a time (so an 8,000-row
proposal stays quick), filters them by a search (every word must occur in the row or its
detail), sorts by a column (click its header) and opens a row's ``detail`` text below it.
``report.xlsx`` holds every table of the report, one named sheet each (:mod:`optimizer.report.xlsx`).
"""

from __future__ import annotations

import functools
import io
import re
from pathlib import Path

import pandas as pd

from optimizer.report.columns import cells, column_kinds
from optimizer.report.document import ChartBlock, MapBlock, Report, TableBlock, TextBlock
from optimizer.report.strings import STRINGS, column_label, text
from optimizer.report.xlsx import write_xlsx

TEMPLATES = Path(__file__).parent / "templates"
#: Rows per page of a table in report.html (the 342 gemeenten fit on one page).
PAGE_SIZE = 350
LOCALES = {"nl": "nl-NL", "en": "en-GB"}

__all__ = ["render_html", "write_report", "write_xlsx"]


def write_report(report: Report, folder: str | Path) -> list[str]:
    """Write report.html and report.xlsx into ``folder``; return the file names written."""
    folder = Path(folder)
    (folder / "report.html").write_text(render_html(report), encoding="utf-8", newline="\n")
    written = ["report.html"]
    if report.tables():
        write_xlsx(report, folder / "report.xlsx")
        written.append("report.xlsx")
    return written


@functools.lru_cache(maxsize=1)
def _environment():
    import jinja2

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    return env


def render_html(report: Report) -> str:
    """The whole report.html as text."""
    lang = report.lang
    sections = [_section(i, block, lang, report) for i, block in enumerate(report.blocks, start=1)]
    from optimizer import __version__

    return _environment().get_template("report.html.j2").render(
        report=report, lang=lang, sections=sections, t=STRINGS[lang],
        made_by=text(lang, "made_by", version=__version__),
        ui={k: STRINGS[lang][k] for k in ("rows", "previous", "next", "page", "show_detail", "detail")},
    )


def _section(i: int, block: object, lang: str, report: Report) -> dict:
    """What the template needs of one block; ``id`` is made here, never from input."""
    sid = f"s{i}"
    if isinstance(block, TextBlock):
        return {"kind": "text", "id": sid, "text": block.text}
    if isinstance(block, TableBlock):
        return {"kind": "table", "id": sid, "name": block.name, "caption": block.caption,
                "data": table_data(block, lang)}
    if isinstance(block, ChartBlock):
        return {"kind": "chart", "id": sid, "name": block.name, "caption": block.caption,
                "svg": chart_svg(block.figure)}
    if isinstance(block, MapBlock):
        from optimizer.data.geo import load_shapes
        from optimizer.report.maps import svg_map_context

        shapes = report.boundaries if report.boundaries is not None else load_shapes()
        ctx = None if shapes is None else svg_map_context(block.values, block.scale, shapes, lang)
        return {"kind": "map", "id": sid, "name": block.name, "caption": block.caption, "legend": block.legend,
                "map": ctx}
    raise TypeError(f"unknown report block {type(block).__name__}")


def table_data(block: TableBlock, lang: str) -> dict:
    """A table as JSON-ready data: columns (name, numeric, decimals), rows of cells, and the
    detail text per row (the ``detail`` column, not shown as a column). Headers show the
    language's column labels (:data:`optimizer.report.strings.COLUMN_LABELS`)."""
    frame = block.frame.reset_index(drop=True)
    detail = None
    if block.detail is not None and block.detail in frame.columns:
        detail = ["" if pd.isna(v) else str(v) for v in frame[block.detail]]
        frame = frame.drop(columns=block.detail)
    kinds = column_kinds(frame)
    columns = [{"name": k.name, "label": column_label(lang, k.name), "numeric": k.numeric, "decimals": k.decimals}
               for k in kinds]
    columns_cells = [cells(frame.iloc[:, j], k) for j, k in enumerate(kinds)]
    rows = [list(r) for r in zip(*columns_cells)] if kinds else [[] for _ in range(len(frame))]
    return {"columns": columns, "rows": rows, "detail": detail, "page_size": PAGE_SIZE, "locale": LOCALES[lang]}


_SVG_PROLOGUE = re.compile(r"^.*?(?=<svg)", re.S)
_COMMENT = re.compile(r"<!--.*?-->", re.S)


def chart_svg(figure) -> str:
    """A matplotlib figure as inline SVG markup: text drawn as paths (no fonts), no XML
    prologue, no comments (matplotlib writes labels into comments), deterministic ids. A chart
    given as SVG markup already (a ``str``, made by trusted code) is used as it is."""
    if isinstance(figure, str):
        return figure
    import matplotlib

    buf = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "path", "svg.hashsalt": "spreiding"}):
        figure.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    svg = _COMMENT.sub("", _SVG_PROLOGUE.sub("", buf.getvalue(), count=1))
    return re.sub(r'<svg ([^>]*?)width="[^"]*" height="[^"]*"', r'<svg \1class="chart-svg"', svg, count=1)
