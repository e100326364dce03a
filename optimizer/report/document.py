"""What a report holds, independent of how it is rendered.

Every main command builds one :class:`Report` (a summary on top, then blocks: text, tables,
maps per gemeente, charts) and hands it to :func:`optimizer.report.html.write_report`, which
writes ``report.html`` (self-contained, offline) and ``report.xlsx`` (one sheet per table).
Commands only say *what* to show; the renderer decides *how*.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import pandas as pd

Lang = Literal["nl", "en"]
MapScale = Literal["diverging", "sequential", "stoplicht"]


@dataclass
class TableBlock:
    """A table shown searchable and sortable, and written as one named sheet of report.xlsx.

    ``detail`` names a column whose text is shown one click away (e.g. a household's
    explanation) instead of as a column. ``xlsx_note``, when given, is what the table's sheet of
    report.xlsx holds *instead of* its rows (they are in another workbook, e.g. a large
    proposal's households in ``proposal.xlsx``); report.html always shows the rows.
    """

    name: str
    frame: pd.DataFrame
    caption: str = ""
    detail: str | None = None
    xlsx_note: str | None = None


@dataclass
class MapBlock:
    """A choropleth of one value per gemeente (``values`` indexed by gm_code).

    ``scale``: ``diverging`` around zero (deviation), ``sequential`` (counts, rates) or
    ``stoplicht`` (values ``green``/``orange``/``red``).
    """

    name: str
    values: pd.Series
    scale: MapScale = "diverging"
    caption: str = ""
    legend: str = ""


@dataclass
class ChartBlock:
    """A chart: a matplotlib ``Figure`` (rendered inline as SVG), or SVG markup made by trusted
    code (a ``str``, inserted as it is)."""

    name: str
    figure: Any
    caption: str = ""


@dataclass
class TextBlock:
    text: str


Block = TableBlock | MapBlock | ChartBlock | TextBlock


@dataclass
class Report:
    """The content of one report: title, kind of run, language, summary figures and blocks."""

    title: str
    kind: str
    lang: Lang = "nl"
    summary: list[tuple[str, str]] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    footer: str = ""
    #: Boundaries for the maps (:class:`optimizer.data.geo.Shapes`); ``None``: the embedded ones.
    boundaries: Any = None

    def add_summary(self, label: str, value: object) -> None:
        self.summary.append((label, str(value)))

    def add_text(self, text: str) -> None:
        self.blocks.append(TextBlock(text))

    def add_table(self, name: str, frame: pd.DataFrame, caption: str = "", detail: str | None = None,
                  xlsx_note: str | None = None) -> None:
        self.blocks.append(TableBlock(name, frame, caption, detail, xlsx_note))

    def add_map(self, name: str, values: pd.Series, scale: MapScale = "diverging", caption: str = "",
                legend: str = "") -> None:
        self.blocks.append(MapBlock(name, values, scale, caption, legend))

    def add_chart(self, name: str, figure: Any, caption: str = "") -> None:
        self.blocks.append(ChartBlock(name, figure, caption))

    def tables(self) -> list[TableBlock]:
        return [b for b in self.blocks if isinstance(b, TableBlock)]
