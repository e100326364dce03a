"""Stage ``report`` of ``spreiding reception`` and ``spreiding compare``: report.html and report.xlsx.

* One variant (:func:`reception_report`): summary (status, objective, gap, places in total and
  new, gemeenten with places, the Gini of places per 1,000 inhabitants weighted by inhabitants,
  bonuses, maluses and the net cost to the State when the variant has a bonus-malus rule), maps
  of places per 1,000 inhabitants (sequential) and of ``deviation_rel`` = (places - fair share)
  / fair share (diverging), tables of places per gemeente and per province (as the CSVs).
* Several variants (:func:`compare_report`): the comparison table, payments by income quintile,
  the Lorenz curves and a map of places per 1,000 inhabitants per variant.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from optimizer.evaluation import fairness
from optimizer.reception.extract import ReceptionResult
from optimizer.reception.write import places_table, provinces_table
from optimizer.report import Report, write_report
from optimizer.report.strings import number, solve_status, text


def _places_map(r: Report, res: ReceptionResult, name: str) -> None:
    lang = r.lang
    r.add_map(name, res.places["places_per_1000"], "sequential", text(lang, "map_places_caption"),
              text(lang, "legend_places_per_1000"))


def reception_report(res: ReceptionResult, lang: str = "nl") -> Report:
    """The report of one solved reception variant."""
    s, p = res.summary, res.places
    r = Report(title=text(lang, "reception_title", variant=s["variant"]), kind="reception", lang=lang)
    r.add_summary(text(lang, "status"), solve_status(lang, s["status"]))
    r.add_summary(text(lang, "objective"), number(s["objective"], lang, 2))
    r.add_summary(text(lang, "gap"), text(lang, "gap_unknown") if s["gap"] is None
                  else f"{number(100 * s['gap'], lang, 4)}%")
    r.add_summary(text(lang, "total_places"), number(s["total_places"], lang))
    r.add_summary(text(lang, "new_places"), number(s["new_places"], lang))
    r.add_summary(text(lang, "gemeenten_with_places"), f"{int((p['places'] > 0).sum())} / {len(p)}")
    r.add_summary(text(lang, "gini_places"), number(fairness.gini(p["places_per_1000"], p["population"]), lang, 4))
    if res.prepared.rule is not None:
        for key in ("bonus_total", "malus_total", "net_cost_state"):
            if f"{key}_eur" in s:
                r.add_summary(text(lang, key), number(s[f"{key}_eur"], lang))
    _places_map(r, res, text(lang, "map_places"))
    r.add_map(text(lang, "map_reception_deviation"), p["deviation_rel"], "diverging",
              text(lang, "map_reception_deviation_caption"), text(lang, "legend_reception_deviation"))
    r.add_table(text(lang, "table_places"), places_table(res), text(lang, "table_places_caption"))
    r.add_table(text(lang, "table_reception_provinces"), provinces_table(res),
                text(lang, "table_reception_provinces_caption"))
    return r


def lorenz_chart(results: dict[str, ReceptionResult], lang: str):
    """Lorenz curves of places per 1,000 inhabitants (population-weighted), one per variant."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 5))
    ax.plot([0, 1], [0, 1], color="grey", lw=0.8, ls="--", label=text(lang, "equal_line"))
    for name, res in results.items():
        x, y = fairness.lorenz_curve(res.places["places_per_1000"], res.places["population"])
        g = fairness.gini(res.places["places_per_1000"], res.places["population"])
        ax.plot(x, y, lw=1.4, label=f"{name} (Gini {number(g, lang, 3)})")
    ax.set_xlabel(text(lang, "axis_share_inhabitants"))
    ax.set_ylabel(text(lang, "axis_share_places"))
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.legend(fontsize=8, loc="upper left")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def compare_report(table: pd.DataFrame, results: dict[str, ReceptionResult], quintiles: pd.DataFrame,
                   lang: str = "nl") -> Report:
    """The report of a comparison: ``table`` (comparison.csv), the solved variants by name,
    ``quintiles`` (payments_by_quintile.csv)."""
    import matplotlib.pyplot as plt

    r = Report(title=text(lang, "compare_title"), kind="compare", lang=lang)
    r.add_summary(text(lang, "variants"), ", ".join(table["variant"].astype(str)))
    best = table.loc[table["gini"].astype(float).idxmin()]
    r.add_summary(text(lang, "best_gini"), f"{best['variant']} ({number(float(best['gini']), lang, 4)})")
    for _, row in table.iterrows():
        r.add_summary(f"{row['variant']}: {text(lang, 'status')}", solve_status(lang, row["status"]))
    r.add_table(text(lang, "table_comparison"), table, text(lang, "table_comparison_caption"))
    fig = lorenz_chart(results, lang)
    r.add_chart(text(lang, "chart_lorenz"), fig, text(lang, "chart_lorenz_caption"))
    plt.close(fig)
    r.add_table(text(lang, "table_quintiles"), quintiles, text(lang, "table_quintiles_caption"))
    for name, res in results.items():
        _places_map(r, res, text(lang, "map_compare", variant=name))
    return r


def report(res: ReceptionResult, folder: Path, lang: str = "nl") -> list[str]:
    """Stage ``report`` of one variant: report.html and report.xlsx into ``folder``."""
    return write_report(reception_report(res, lang), folder)
