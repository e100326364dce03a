"""The reports of the province commands (evaluate, monitor, forecast): what each shows, in the
language asked (:mod:`optimizer.report.strings`); rendering is :func:`optimizer.report.write_report`'s."""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure

from optimizer.report import Report
from optimizer.report.strings import household_types_shown, number, texts


def _pct(x: float | None, lang: str) -> str:
    return "" if x is None or x != x else f"{number(100 * x, lang, 1)}%"


def lorenz_figure(points: pd.DataFrame, gini: float, t: dict[str, str]) -> Figure:
    """The Lorenz curve of a distribution with the line of equal burden."""
    fig = Figure(figsize=(5.5, 5))
    ax = fig.add_subplot()
    ax.plot([0, 1], [0, 1], color="grey", lw=0.8, ls="--", label=t["equal"])
    ax.plot(points["share_population"], points["share_amount"], lw=1.6, label=f"Gini {gini:.3f}")
    ax.set_xlabel(t["lorenz_x"])
    ax.set_ylabel(t["lorenz_y"])
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left")
    fig.tight_layout()
    return fig


def evaluate_report(tables: dict[str, pd.DataFrame], summary: dict, info: dict, lang: str) -> Report:
    """Summary, map of the deviation per 1,000 inhabitants, Lorenz curve, tables."""
    t = texts("evaluate", lang)
    rep = Report(title=t["title"], kind="evaluate", lang=lang)  # type: ignore[arg-type]
    for label, value in ((t["source"], info["source"]), (t["target"], info["target"]), (t["unit"], info["unit"]),
                         (t["total_target"], number(summary["total_target"], lang)),
                         (t["total_actual"], number(summary["total_actual"], lang)),
                         (t["gini"], number(summary["gini"], lang, 4)), (t["theil"], number(summary["theil"], lang, 4)),
                         (t["within"], f"{_pct(summary['share_within_tolerance'], lang)} "
                                       f"(± {_pct(summary['tolerance'], lang)})"),
                         (t["worst"], f"{_pct(summary['worst_relative_deviation'], lang)} ({summary['worst_gemeente']})"),
                         (t["nothing"], f"{summary['gemeenten_with_nothing']} ({t['nothing_target']}: "
                                        f"{summary['gemeenten_with_nothing_but_a_target']})")):
        rep.add_summary(label, value)
    rep.add_text(t["intro"].format(population_date=info["population_date"]))
    gem = tables["gemeenten"]
    rep.add_map(t["map"], gem.set_index("gm_code")["deviation_per_1000"], "diverging", t["map_caption"],
                t["map_legend"])
    rep.add_chart(t["lorenz"], lorenz_figure(tables["lorenz"], summary["gini"], t), t["lorenz_caption"])
    rep.add_table(t["provinces"], tables["provinces"], t["provinces_caption"])
    rep.add_table(t["gemeenten"], gem, t["gemeenten_caption"])
    if "household_types" in tables:
        rep.add_table(t["types"], household_types_shown(tables["household_types"], lang), t["types_caption"])
    rep.add_table(t["lorenz_points"], tables["lorenz"], t["lorenz_caption"])
    return rep


def monitor_report(tables: dict[str, pd.DataFrame], info: dict, lang: str) -> Report:
    """Summary, stoplicht maps (fair and strict) of the last peildatum, ladder, spared gemeenten."""
    t = texts("monitor", lang)
    rep = Report(title=t["title"], kind="monitor", lang=lang)  # type: ignore[arg-type]
    last = tables["ladder"]
    rep.add_summary(t["rules"], info["rules"])
    rep.add_summary(t["peildata"], ", ".join(info["peildata"]))
    for mode in ("strict", "fair"):
        counts = last[f"verdict_{mode}"].value_counts()
        rep.add_summary(f"{t['last']} ({t[mode]})", ", ".join(f"{t[v]}: {int(counts.get(v, 0))}"
                                                              for v in ("green", "orange", "red")))
    rep.add_summary(t["spared"], str(info["spared"]))
    rep.add_text(t["intro"].format(tolerance=info["tolerance"]))
    day = info["peildata"][-1]
    values = last.set_index("gm_code")
    rep.add_map(t["map_fair"].format(day=day), values["verdict_fair"], "stoplicht", t["map_fair"].format(day=day),
                t["map_legend"])
    rep.add_map(t["map_strict"].format(day=day), values["verdict_strict"], "stoplicht",
                t["map_strict"].format(day=day), t["map_legend"])
    rep.add_map(t["map_step"].format(day=day), values["step_fair"], "sequential", t["map_step"].format(day=day),
                t["map_step_legend"])
    if len(tables["spared"]):
        rep.add_table(t["spared"], tables["spared"], t["spared_caption"])
    else:
        rep.add_text(t["none_spared"])
    rep.add_table(t["ladder"], last, t["ladder_caption"])
    rep.add_table(t["provinces"], tables["provinces"], t["provinces_caption"])
    rep.add_table(t["stoplicht"], tables["stoplicht"], t["stoplicht_caption"])
    return rep


def forecast_report(tables: dict[str, pd.DataFrame], info: dict, lang: str) -> Report:
    """Summary, map of expected persons, tables per gemeente and per region."""
    t = texts("forecast", lang)
    rep = Report(title=t["title"], kind="forecast", lang=lang)  # type: ignore[arg-type]
    gem = tables["gemeenten"]
    for label, value in ((t["date"], info["as_of"]), (t["pipeline"], info["households"]),
                         (t["known"], info["known"]),
                         (t["expected_persons"], number(gem["expected_persons"].sum(), lang, 1)),
                         (t["expected_children"], number(gem["expected_children"].sum(), lang, 1)),
                         (t["shares"], info["share_source"])):
        rep.add_summary(label, value)
    rep.add_text(t["intro"].format(draws=info["draws"]))
    rep.add_map(t["map"], gem.set_index("gm_code")["expected_persons"], "sequential", t["map"], t["map_legend"])
    rep.add_table(t["gemeenten"], gem, t["gemeenten_caption"])
    rep.add_table(t["regions"], tables["regions"], t["regions_caption"])
    return rep
