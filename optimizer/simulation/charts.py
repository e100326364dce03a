"""Charts of a simulation (matplotlib figures; the caller saves them as PNG and SVG).

* :func:`fulfilment_chart`: persons linked and housed over the weeks against the pace, per
  policy (mean over scenarios);
* :func:`waiting_chart`: distribution of weeks in reception (permit to housed), per policy;
* :func:`comparison_chart`: per policy the mean and 95% confidence interval over scenarios of
  the labour ratio to hindsight, the share of gemeenten with their target linked, and the mean
  weeks in reception.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd


def fulfilment_chart(weekly: pd.DataFrame, target: float):
    """Persons linked (solid) and housed (dashed) per batch, mean over scenarios, with the pace."""
    fig, ax = plt.subplots(figsize=(8, 4.5))
    for policy, g in weekly.groupby("policy"):
        m = g.groupby("week")[["persons_linked", "persons_housed", "pace"]].mean()
        line, = ax.plot(m.index, m["persons_linked"], label=f"{policy}: gekoppeld")
        ax.plot(m.index, m["persons_housed"], linestyle="--", color=line.get_color(), label=f"{policy}: gehuisvest")
    if len(weekly):
        pace = weekly.groupby("week")["pace"].mean()
        ax.plot(pace.index, pace, color="black", linewidth=1, label="tempo (pace)")
    ax.axhline(target, color="grey", linewidth=0.8, linestyle=":", label="taakstelling")
    ax.set_xlabel("week van het halfjaar")
    ax.set_ylabel("personen (gemiddelde over scenario's)")
    ax.set_title("Vervulling van de taakstelling door het halfjaar")
    ax.legend(fontsize=7, ncol=2)
    fig.tight_layout()
    return fig


def waiting_chart(households: pd.DataFrame):
    """Histogram of weeks from permit to housed, per policy (linked households)."""
    fig, ax = plt.subplots(figsize=(8, 4.5))
    data = households.dropna(subset=["reception_weeks"])
    bins = np.arange(0, max(40, float(data["reception_weeks"].max()) + 2 if len(data) else 40), 2)
    for policy, g in data.groupby("policy"):
        ax.hist(g["reception_weeks"], bins=bins, histtype="step", linewidth=1.5, label=policy, density=True)
    ax.axvline(14, color="black", linestyle=":", linewidth=1, label="14 weken")
    ax.set_xlabel("weken in de opvang (vergunning tot woning)")
    ax.set_ylabel("aandeel huishoudens")
    ax.set_title("Verblijfsduur in de opvang")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def comparison_chart(comparison: pd.DataFrame):
    """Mean and 95% CI per policy of three metrics (``comparison`` from ``run.compare``)."""
    metrics = (("labour_ratio", "arbeid t.o.v. hindsight"), ("gm_met_linked_share", "gemeenten taakstelling gekoppeld"),
               ("reception_weeks_mean", "weken in opvang (gem.)"))
    fig, axes = plt.subplots(1, len(metrics), figsize=(11, 4))
    for ax, (m, title) in zip(axes, metrics):
        rows = comparison[comparison["metric"] == m]
        labels = [f"{p}\n{v}" for p, v in zip(rows["policy"], rows["variant"])]
        ax.bar(range(len(rows)), rows["mean"], yerr=rows["ci95"].fillna(0), capsize=4, color="#4c78a8")
        ax.set_xticks(range(len(rows)), labels, fontsize=7)
        ax.set_title(title, fontsize=9)
    fig.suptitle("Beleid vergeleken (gemiddelde en 95%-betrouwbaarheidsinterval over scenario's)", fontsize=10)
    fig.tight_layout()
    return fig


def save(fig, folder, name: str) -> list[str]:
    """Save ``fig`` as ``name.png`` and ``name.svg`` in ``folder``; close it."""
    names = []
    for ext in ("png", "svg"):
        fig.savefig(folder / f"{name}.{ext}", dpi=120)
        names.append(f"{name}.{ext}")
    plt.close(fig)
    return names
