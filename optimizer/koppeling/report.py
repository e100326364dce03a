"""Stage ``report`` of ``spreiding propose`` (and ``demo``): report.html and report.xlsx.

What a proposal report shows (:func:`proposal_report`), in the report's language:

* summary: status, objective with its unit, gap, variant, households linked (persons),
  unplaced and excluded, gemeenten on / under / over target, the worst relative deviation and
  the dissimilarity of persons linked against the targets (from ``run.json``'s ``fairness``);
* a map of the relative deviation per gemeente, ``(persons - target) / max(target, 1)``
  (diverging around zero), and a chart of the deviation in persons, gemeenten sorted;
* tables: gemeenten, households (the ``reason`` one click away, the status in words),
  provinces, household types.

``report.xlsx`` holds the same tables, except that above :data:`XLSX_HOUSEHOLDS` households,
when ``proposal.xlsx`` is written next to it, the households sheet holds a note pointing there
instead of repeating the rows (~31 cells a household: ~9 s of XlsxWriter at 32,000 households);
the note is also in the run record's notes (so in report.html and run.json).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from optimizer.report import Report, write_report
from optimizer.report.strings import household_types_shown, number, solve_status, text

#: Most households that report.xlsx repeats when proposal.xlsx (the same rows) is written too.
XLSX_HOUSEHOLDS = 5_000


def relative_deviation(gemeenten: pd.DataFrame) -> pd.Series:
    """``(persons - target) / max(target, 1)`` per gm_code (the map's value)."""
    g = gemeenten.set_index("gm_code")
    return (g["persons"] - g["target"]) / np.maximum(g["target"].astype(float), 1.0)


def _summary(r: Report, record: dict) -> None:
    lang = r.lang
    h, f = record["households"], record.get("fairness") or {}
    r.add_summary(text(lang, "status"), solve_status(lang, record["status"]))
    r.add_summary(text(lang, "objective"), text(lang, "objective_value", value=number(record["objective"], lang, 2)))
    gap = record.get("gap")
    r.add_summary(text(lang, "gap"), text(lang, "gap_unknown") if gap is None else f"{number(100 * gap, lang, 4)}%")
    r.add_summary(text(lang, "variant"), record["variant"]["name"])
    r.add_summary(text(lang, "households_linked"), text(lang, "households_linked_value", households=number(
        h["linked"], lang), persons=number(h["persons_linked"], lang)))
    r.add_summary(text(lang, "households_unplaced"), number(h["unplaced"], lang))
    r.add_summary(text(lang, "households_excluded"), number(h["excluded"], lang))
    if f:
        r.add_summary(text(lang, "gemeenten_on_target"),
                      f"{f['gemeenten_on_target']} / {f['gemeenten_under_target']} / {f['gemeenten_over_target']}")
        r.add_summary(text(lang, "worst_deviation"),
                      f"{number(f['worst_relative_deviation'], lang, 3)} ({f['worst_gemeente']})")
        if "dissimilarity_linked_vs_target" in f:
            r.add_summary(text(lang, "dissimilarity"), f"{number(100 * f['dissimilarity_linked_vs_target'], lang, 2)}%")


#: The deviation chart's viewBox (width, height) and plot margins (left, right, top, bottom).
CHART_SIZE = (800, 300)
CHART_MARGIN = (64, 12, 12, 44)


def deviation_chart(gemeenten: pd.DataFrame, lang: str) -> str:
    """Bars of persons linked minus target per gemeente, sorted, as inline SVG markup (blue
    below target, red above; gridlines at nice steps). Drawn directly: no matplotlib import for
    a proposal (~0.5 s of a weekly command)."""
    from html import escape

    from optimizer.report.maps import _decimals, nice_ceiling

    dev = (gemeenten["persons"] - gemeenten["target"]).astype(float).sort_values().to_numpy()
    (w, h), (ml, mr, mt, mb) = CHART_SIZE, CHART_MARGIN
    lo, hi = min(float(dev.min(initial=0.0)), 0.0), max(float(dev.max(initial=0.0)), 0.0)
    step = nice_ceiling(max(hi - lo, 1.0) / 5)
    lo, hi = step * np.floor(lo / step), step * np.ceil(hi / step)
    hi = hi if hi > lo else lo + step

    def y(v: float) -> float:
        return mt + (hi - v) / (hi - lo) * (h - mt - mb)

    bar = (w - ml - mr) / max(len(dev), 1)
    paths = {"#2166ac": [], "#b2182b": []}
    for i, v in enumerate(dev):
        if v != 0:
            top = min(y(v), y(0.0))
            paths["#2166ac" if v < 0 else "#b2182b"].append(
                f"M{ml + i * bar:.2f} {top:.2f}h{bar:.2f}v{abs(y(v) - y(0.0)):.2f}h{-bar:.2f}z")
    out = [f'<svg class="chart-svg" viewBox="0 0 {w} {h}" xmlns="http://www.w3.org/2000/svg" role="img" '
           'font-size="12" font-family="system-ui, sans-serif">']
    for t in np.arange(lo, hi + step / 2, step):
        out.append(f'<line x1="{ml}" x2="{w - mr}" y1="{y(t):.2f}" y2="{y(t):.2f}" stroke="#ccc" stroke-width="0.6"/>'
                   f'<text x="{ml - 6}" y="{y(t) + 4:.2f}" text-anchor="end">{escape(number(float(t), lang, _decimals(step)))}</text>')
    out += [f'<path d="{"".join(d)}" fill="{c}"/>' for c, d in paths.items() if d]
    out.append(f'<line x1="{ml}" x2="{w - mr}" y1="{y(0.0):.2f}" y2="{y(0.0):.2f}" stroke="#000" stroke-width="0.8"/>')
    out.append(f'<text x="{(ml + w - mr) / 2:.0f}" y="{h - 10}" text-anchor="middle">'
               f'{escape(text(lang, "axis_gemeenten"))}</text>')
    out.append(f'<text transform="translate(14 {(mt + h - mb) / 2:.0f}) rotate(-90)" text-anchor="middle">'
               f'{escape(text(lang, "axis_deviation_persons"))}</text></svg>')
    return "".join(out)


def report_households(proposal: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The households table as the report shows it: the status in words of ``lang`` (the CSV
    keeps the code), without the constant method column and the clauses' JSON (the reason is
    the text, its codes stay searchable in ``reason_codes``)."""
    out = proposal.drop(columns=["alternatives_method", "reason_values"], errors="ignore")
    if "status" in out:
        out = out.assign(status=out["status"].map(lambda s: text(lang, f"status.{s}")))
    return out


def households_elsewhere(tables, lang: str, proposal_xlsx: bool) -> str | None:
    """The note that report.xlsx's households sheet holds instead of its rows (module
    docstring), or ``None`` when the sheet repeats them."""
    n = len(tables.proposal)
    if not proposal_xlsx or n <= XLSX_HOUSEHOLDS:
        return None
    return text(lang, "table_households_elsewhere", households=n, limit=XLSX_HOUSEHOLDS)


def proposal_report(record: dict, tables, lang: str = "nl", title: str | None = None,
                    proposal_xlsx: bool = False) -> Report:
    """The report of one proposal: ``record`` is its run record, ``tables`` its
    :class:`optimizer.koppeling.run.Tables`; ``proposal_xlsx``: proposal.xlsx is written next to
    the report (:func:`households_elsewhere`)."""
    demo = record.get("command") == "demo"
    r = Report(title=title or text(lang, "demo_title" if demo else "proposal_title"), kind="propose", lang=lang)
    elsewhere = households_elsewhere(tables, lang, proposal_xlsx)
    if elsewhere is not None:
        record["notes"] = [*record.get("notes", []), f"report.xlsx: {elsewhere}"]
    _summary(r, record)
    r.add_text(text(lang, "proposal_intro", households=number(record["households"]["in_file"], lang)))
    if record.get("notes"):
        r.add_text(f"{text(lang, 'notes')}: " + "; ".join(record["notes"]))
    gem = tables.gemeenten
    r.add_map(text(lang, "map_deviation"), relative_deviation(gem), "diverging",
              text(lang, "map_deviation_caption"), text(lang, "legend_relative_deviation"))
    r.add_chart(text(lang, "chart_deviation"), deviation_chart(gem, lang), text(lang, "chart_deviation_caption"))
    r.add_table(text(lang, "table_gemeenten"), gem, text(lang, "table_gemeenten_caption"))
    households = report_households(tables.proposal, lang)
    r.add_table(text(lang, "table_households"), households, text(lang, "table_households_caption"), detail="reason",
                xlsx_note=elsewhere)
    r.add_table(text(lang, "table_provinces"), tables.provinces, text(lang, "table_provinces_caption"))
    r.add_table(text(lang, "table_household_types"), household_types_shown(tables.household_types, lang),
                text(lang, "table_household_types_caption"))
    return r


def report(record: dict, tables, folder: Path, lang: str = "nl", boundaries=None,
           proposal_xlsx: bool = False) -> list[str]:
    """Stage ``report``: write report.html and report.xlsx of the proposal into ``folder``
    (maps on ``boundaries``, default the embedded ones; ``proposal_xlsx``: proposal.xlsx is
    written there too); return the file names (also recorded in ``record["report"]``)."""
    r = proposal_report(record, tables, lang, proposal_xlsx=proposal_xlsx)
    r.boundaries = boundaries
    written = write_report(r, folder)
    record["report"] = written
    return written
