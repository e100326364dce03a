"""Compare reception variants: metrics table, charts and a fairness-cost sweep.

``compare(["reception-statutory.toml", "reception-bonus-only.toml", ...], out)`` solves every
variant independently (in parallel processes when the machine has more than one core), writes
each variant's outputs into ``out/<name>/`` and adds:

* ``comparison.csv`` — one row per variant with the columns of :data:`METRIC_COLUMNS`;
* ``lorenz.png`` — Lorenz curves of places per 1,000 inhabitants (population-weighted) of all
  variants in one figure;
* ``payments_by_quintile.png`` — net payments (EUR million per year) by income quintile of
  gemeenten (quintile 1 = the 20 % of gemeenten with the lowest income per inhabitant);
* with a sweep (``sweep=("financing", 0, 5, 6)``): ``pareto.csv`` and ``pareto.png``, each
  variant solved for every weight value, tracing fairness (Gini) against cost to the State;
* ``report.html`` and ``report.xlsx`` — the tables, Lorenz curves and a map per variant
  (:func:`optimizer.reception.report.compare_report`);
* ``compare.json`` — what was run, with timings.

Definitions of the metrics (all per year):

* ``gini`` / ``theil``: of places per 1,000 inhabitants over gemeenten, weighted by
  inhabitants (:mod:`optimizer.evaluation.fairness`);
* ``max_per_1000`` / ``min_per_1000``: highest / lowest places per 1,000 inhabitants;
* ``zero_places``: gemeenten with no places at all;
* ``gemeenten_paying`` / ``gemeenten_receiving``: payment < 0 / > 0;
* ``transfers_total_eur``: bonuses + maluses (gross money moved);
* ``net_cost_state_eur``: bonuses - maluses (what the State pays net);
* ``malus_share_poorest_quintile``: share of all maluses paid by income quintile 1 (empty when
  nobody pays a malus) - high values mean the poorest gemeenten buy themselves out, low values
  with many poor gemeenten receiving bonuses mean they *sell* capacity;
* ``deviation_statutory``: share of the places that would have to move to match the
  statutory (population) key for the same total, ``0.5 * sum |x_g/X - pop_g/POP|``;
* ``deviation_key``: the same against the variant's own fair shares;
* ``site_cost_eur`` and ``cost_total_eur`` = site cost + net cost to the State.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from optimizer.core.errors import InputError, Violation
from optimizer.core.runrecord import RunRecord, inputs_record
from optimizer.core.tables import atomic_output_dir, check_output_dir, write_table
from optimizer.core.variants import folder_names
from optimizer.evaluation import fairness
from optimizer.reception.run import ReceptionResult, solve_variant, write
from optimizer.reception.variant import ReceptionVariant, load_variant

SWEEP_WEIGHTS: tuple[str, ...] = ("deviation", "site_cost", "financing")

METRIC_COLUMNS: tuple[str, ...] = (
    "variant", "key", "status", "gap", "total_places", "new_places", "new_sites", "gini", "theil",
    "max_per_1000", "min_per_1000", "zero_places", "gemeenten_paying", "gemeenten_receiving",
    "bonus_total_eur", "malus_total_eur", "transfers_total_eur", "net_cost_state_eur",
    "malus_share_poorest_quintile", "deviation_statutory", "deviation_key", "site_cost_eur", "cost_total_eur",
    "objective", "solve_seconds",
)


@dataclass
class Job:
    """One solve: a variant file, optional objective-weight override, optional output folder."""

    variant_path: str
    label: str
    out_dir: str | None = None
    weight_override: tuple[str, float] | None = None
    solver: dict[str, Any] = field(default_factory=dict)  # overrides of the variant's [solver], e.g. time_limit
    data: dict[str, Any] = field(default_factory=dict)


def income_quintile(income: pd.Series) -> pd.Series:
    """Quintile 1..5 of gemeenten by income per inhabitant (1 = poorest), equal counts,
    ties broken by gm_code order."""
    ranks = income.rank(method="first")
    return pd.Series(pd.qcut(ranks, 5, labels=[1, 2, 3, 4, 5]).astype(int), index=income.index, name="income_quintile")


def metrics(res: ReceptionResult) -> dict[str, Any]:
    """The comparison row of one solved variant (definitions in the module docstring)."""
    p = res.places
    pop = p["population"].astype(float)
    rate = p["places_per_1000"].astype(float)
    malus = p["malus_eur"].astype(float)
    quint = income_quintile(p["income_per_inhabitant_keur"].astype(float))
    total_malus = float(malus.sum())
    s = res.summary
    row = {
        "variant": res.prepared.variant.name,
        "key": res.prepared.variant.key.name,
        "status": s["status"],
        "gap": s["gap"],
        "total_places": int(p["places"].sum()),
        "new_places": int(p["new_total"].sum()),
        "new_sites": int(sum(s["new_sites"].values())),
        "gini": fairness.gini(rate, pop),
        "theil": fairness.theil(rate, pop),
        "max_per_1000": float(rate.max()),
        "min_per_1000": float(rate.min()),
        "zero_places": int((p["places"] == 0).sum()),
        "gemeenten_paying": int((p["payment_eur"] < 0).sum()),
        "gemeenten_receiving": int((p["payment_eur"] > 0).sum()),
        "bonus_total_eur": int(p["bonus_eur"].sum()),
        "malus_total_eur": int(malus.sum()),
        "transfers_total_eur": int(p["bonus_eur"].sum() + malus.sum()),
        "net_cost_state_eur": int(p["payment_eur"].sum()),
        "malus_share_poorest_quintile": (float(malus[quint == 1].sum()) / total_malus) if total_malus > 0 else None,
        "deviation_statutory": fairness.dissimilarity(p["places"], p["statutory_share"]),
        "deviation_key": fairness.dissimilarity(p["places"], p["fair_share"]),
        "site_cost_eur": float(p["site_cost_eur"].sum()),
        "objective": s["objective"],
        "solve_seconds": float(res.timings["solve"]),
    }
    row["cost_total_eur"] = row["site_cost_eur"] + row["net_cost_state_eur"]
    return row


def payments_by_quintile(res: ReceptionResult) -> pd.Series:
    """Net payment (EUR) per income quintile 1..5."""
    p = res.places
    q = income_quintile(p["income_per_inhabitant_keur"].astype(float))
    return p["payment_eur"].groupby(q).sum().reindex([1, 2, 3, 4, 5], fill_value=0)


def _with_weight(variant: ReceptionVariant, name: str, value: float) -> ReceptionVariant:
    obj = variant.objective.model_copy(update={name: float(value)})
    out = variant.model_copy(update={"objective": obj})
    out.source, out.sha256 = variant.source, variant.sha256
    return out


def run_job(job: Job) -> tuple[str, ReceptionResult]:
    """Solve one job (top-level so it can run in a worker process); write outputs if asked."""
    variant = load_variant(job.variant_path)
    if job.weight_override is not None:
        variant = _with_weight(variant, *job.weight_override)
    res = solve_variant(variant, options=variant.solver.options(**job.solver), **job.data)
    if job.out_dir is not None:
        out = Path(job.out_dir)
        out.mkdir(parents=True, exist_ok=True)
        write(res, out)
    return job.label, res


def run_jobs(jobs: Sequence[Job], workers: int | None = None) -> dict[str, ReceptionResult]:
    """Run jobs, in parallel processes when more than one core (and job) is there."""
    cpus = os.cpu_count() or 1
    n = min(workers or cpus, cpus, len(jobs))
    if n > 1:
        with ProcessPoolExecutor(max_workers=n) as pool:
            return dict(pool.map(run_job, jobs))
    return dict(run_job(j) for j in jobs)


def _unique_names(variants: Sequence[ReceptionVariant]) -> list[str]:
    return folder_names(v.name for v in variants)  # never a path


# ------------------------------------------------------------------------------------------
# Charts
# ------------------------------------------------------------------------------------------

def _plt():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def plot_lorenz(results: dict[str, ReceptionResult], path: Path) -> Path:
    """Lorenz curves of places per 1,000 inhabitants (population-weighted), all variants."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(6.5, 6))
    ax.plot([0, 1], [0, 1], color="grey", lw=0.8, ls="--", label="equal per inhabitant")
    for name, res in results.items():
        p = res.places
        x, y = fairness.lorenz_curve(p["places_per_1000"], p["population"])
        g = fairness.gini(p["places_per_1000"], p["population"])
        ax.plot(x, y, lw=1.4, label=f"{name} (Gini {g:.3f})")
    ax.set_xlabel("share of inhabitants (gemeenten sorted by places per 1,000 inhabitants)")
    ax.set_ylabel("share of reception places")
    ax.set_title("Reception places: Lorenz curves per variant")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.legend(fontsize=8, loc="upper left")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def plot_payments_by_quintile(results: dict[str, ReceptionResult], path: Path) -> Path:
    """Grouped bars: net payment per income quintile (EUR million per year), per variant."""
    plt = _plt()
    names = list(results)
    width = 0.8 / max(1, len(names))
    fig, ax = plt.subplots(figsize=(9.5, 5))
    xs = np.arange(5)
    for i, name in enumerate(names):
        vals = payments_by_quintile(results[name]).to_numpy(dtype=float) / 1e6
        ax.bar(xs + (i - (len(names) - 1) / 2) * width, vals, width, label=name)
    ax.axhline(0, color="black", lw=0.8)
    ax.set_xticks(xs, ["Q1\n(poorest)", "Q2", "Q3", "Q4", "Q5\n(richest)"])
    ax.set_xlabel("income quintile of gemeenten (income per inhabitant)")
    ax.set_ylabel("net payment, EUR million per year (+ receives, - pays)")
    ax.set_title("Bonus-malus payments by income quintile")
    ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.01, 0.5))
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def plot_pareto(table: pd.DataFrame, path: Path) -> Path:
    """Gini of places per 1,000 against total cost to the State, one line per variant."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(7, 5))
    weight_name = str(table["weight_name"].iloc[0]) if len(table) else ""
    for name, part in table.groupby("variant", sort=False):
        part = part.sort_values("weight")
        ax.plot(part["cost_total_eur"] / 1e6, part["gini"], marker="o", lw=1.2, label=name)
        for _, r in part.iterrows():
            ax.annotate(f"{r['weight']:g}", (r["cost_total_eur"] / 1e6, r["gini"]), fontsize=7,
                        textcoords="offset points", xytext=(3, 3))
    ax.set_xlabel("cost to the State, EUR million per year (site cost + net bonus-malus)")
    ax.set_ylabel("Gini of places per 1,000 inhabitants")
    ax.set_title(f"Fairness against cost, sweeping the '{weight_name}' weight (labels)")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


# ------------------------------------------------------------------------------------------
# Compare
# ------------------------------------------------------------------------------------------

@dataclass
class Sweep:
    weight: str
    start: float
    stop: float
    steps: int

    def values(self) -> list[float]:
        return [float(v) for v in np.linspace(self.start, self.stop, self.steps)]


def check_sweep(weight: str, start: float | None, stop: float | None, steps: int) -> Sweep:
    """Validate sweep arguments; raise :class:`~optimizer.core.errors.InputError` with the rule."""
    problems = []
    if weight not in SWEEP_WEIGHTS:
        problems.append(Violation("--sweep", f"unknown weight; expected one of {', '.join(SWEEP_WEIGHTS)}", value=weight))
    if start is None or stop is None:
        problems.append(Violation("--from/--to", "a sweep needs both --from and --to"))
    elif start < 0 or stop < 0:
        problems.append(Violation("--from/--to", "weights must be >= 0", value=f"{start}..{stop}"))
    if steps < 2:
        problems.append(Violation("--steps", "a sweep needs at least 2 steps", value=steps))
    if problems:
        raise InputError(problems)
    return Sweep(weight, float(start), float(stop), int(steps))


def compare(variant_paths: Sequence[str | Path], out: str | Path, *, sweep: Sweep | None = None,
            workers: int | None = None, solver: dict[str, Any] | None = None,
            data: dict[str, Any] | None = None, lang: str = "nl") -> pd.DataFrame:
    """Solve and compare variants; write everything into ``out`` atomically. Returns the table.

    ``solver`` overrides every variant's ``[solver]`` settings (e.g. ``{"time_limit": 30}``);
    ``data`` replaces files for every variant (see :func:`optimizer.reception.run.prepare`)."""
    t0 = time.perf_counter()
    if len(variant_paths) < 2:
        raise InputError(Violation("VARIANTS", "give two or more variants to compare (use `spreiding reception` "
                                               "for one)", value=" ".join(map(str, variant_paths))))
    check_output_dir(out)
    variants = [load_variant(p) for p in variant_paths]  # validate all before any solve
    names = _unique_names(variants)
    data, solver = data or {}, solver or {}
    with atomic_output_dir(out) as tmp:
        jobs = [Job(v.source, name, str(tmp / name), solver=solver, data=data) for v, name in zip(variants, names)]
        if sweep is not None:
            jobs += [Job(v.source, f"{name}@{w!r}", None, (sweep.weight, w), solver=solver, data=data)
                     for v, name in zip(variants, names) for w in sweep.values()]
        results = run_jobs(jobs, workers)
        main = {name: results[name] for name in names}
        table = pd.DataFrame([{**metrics(main[n]), "variant": n} for n in names], columns=list(METRIC_COLUMNS))
        write_table(table.round(6), tmp / "comparison.csv")
        plot_lorenz(main, tmp / "lorenz.png")
        plot_payments_by_quintile(main, tmp / "payments_by_quintile.png")
        quint = pd.DataFrame({n: payments_by_quintile(main[n]) for n in names})
        quint.index.name = "income_quintile"
        write_table(quint.reset_index(), tmp / "payments_by_quintile.csv")
        from optimizer.reception.report import compare_report
        from optimizer.report import write_report

        write_report(compare_report(table.round(6), main, quint.reset_index(), lang), tmp)
        record = RunRecord(
            command="compare", kind="reception-compare",
            inputs=inputs_record({f"variant:{n}": v.source for v, n in zip(variants, names)}),
            variants=[{"name": n, "file": v.source, "sha256": v.sha256} for v, n in zip(variants, names)],
            workers=min(workers or (os.cpu_count() or 1), os.cpu_count() or 1, len(jobs)), jobs=len(jobs),
            statuses={n: main[n].result.status.value for n in names},
        )
        if sweep is not None:
            rows = []
            for name in names:
                for w in sweep.values():
                    m = metrics(results[f"{name}@{w!r}"])
                    res = results[f"{name}@{w!r}"]
                    rows.append({"variant": name, "weight_name": sweep.weight, "weight": w,
                                 **{k: m[k] for k in ("status", "gap", "gini", "theil", "deviation_key",
                                                      "deviation_statutory", "site_cost_eur", "net_cost_state_eur",
                                                      "cost_total_eur", "transfers_total_eur", "new_sites")},
                                 **{f"term_{t}": val for t, val in res.terms.items()}})
            pareto = pd.DataFrame(rows)
            write_table(pareto.round(6), tmp / "pareto.csv")
            plot_pareto(pareto, tmp / "pareto.png")
            record.sweep = {"weight": sweep.weight, "values": sweep.values()}
        record.seconds = time.perf_counter() - t0
        record.timings_seconds = {"total": record.seconds}
        record.write(tmp / "compare.json")
    return table
