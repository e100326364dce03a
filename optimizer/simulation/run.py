"""``spreiding simulate``: the stages of a simulation study.

    plan -> execute -> collect -> compare -> write

* :func:`plan`: the tasks, scenario seeds x policies x variants, plus the hindsight optimum
  per seed and variant;
* :func:`execute`: run the tasks not yet stored (:func:`optimizer.simulation.runner.run_tasks`:
  serial, a LocalCluster, or an existing Dask scheduler);
* :func:`collect`: the stored tables of the plan, with each policy's labour and objective
  against the hindsight optimum of the same world;
* :func:`compare`: per scenario, policy and variant the mean, standard deviation, 95%
  confidence interval (:math:`1.96\\, s / \\sqrt{n}`), minimum and maximum over the seeds;
* :func:`write`: every table as Parquet and CSV, the charts as PNG and SVG, report.html and
  run.json into the output folder, replaced as a whole.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from optimizer.core.runrecord import RunRecord, write_json
from optimizer.core.tables import atomic_output_dir, write_table
from optimizer.simulation import charts
from optimizer.simulation.runner import KEY, Failure, Task, load, run_tasks
from optimizer.simulation.scenario import Scenario

log = logging.getLogger(__name__)

#: Summary metrics compared across scenarios (``comparison.csv``).
COMPARED = ("labour", "labour_ratio", "objective_ratio", "hindsight_objective", "households_linked",
            "persons_linked", "gm_met_linked_share", "persons_short_linked", "gm_met_housed_share",
            "persons_short_housed", "linked_by_deadline_vs_pace", "wait_link_weeks_mean", "reception_weeks_mean",
            "reception_weeks_p90", "reception_over_14_share", "dwellings_unused", "moved_out_of_region")


@dataclass
class SimulationConfig:
    """Everything ``spreiding simulate`` is given."""

    out: Path
    scenario: Scenario = field(default_factory=Scenario)
    seeds: tuple[int, ...] = (1, 2, 3, 4)
    policies: tuple[str, ...] = ("baseline", "weekly", "lookahead")
    variants: tuple[str, ...] = ("default",)
    hindsight: bool = True
    scheduler: str | None = None  # None: LocalCluster; "serial"; or a scheduler address
    workers: int | None = None
    store: Path | None = None
    time_limit: float | None = None
    gap: float | None = None
    progress: bool = True

    @property
    def store_dir(self) -> Path:
        """Where finished tasks are kept between runs (next to ``out``, not in it)."""
        return self.store or self.out.parent / f".{self.out.name}.tasks"


def plan(cfg: SimulationConfig) -> list[Task]:
    """Tasks: every seed x policy x variant, and hindsight per seed x variant."""
    policies = list(cfg.policies) + (["hindsight"] if cfg.hindsight else [])
    return [Task(cfg.scenario, p, v, s, cfg.time_limit, cfg.gap) for s in cfg.seeds for v in cfg.variants
            for p in policies]


def execute(cfg: SimulationConfig, tasks: list[Task]) -> list[Failure]:
    """Run what is not stored yet; the failures (key and seed) are returned, not raised."""
    return run_tasks(tasks, cfg.store_dir, scheduler=cfg.scheduler, workers=cfg.workers, show=cfg.progress)


def collect(cfg: SimulationConfig, tasks: list[Task]) -> dict[str, pd.DataFrame]:
    """The stored tables, with ``labour_ratio`` = labour / hindsight labour and
    ``objective_ratio`` = hindsight objective of the links / hindsight optimum (same world)."""
    tables = load(cfg.store_dir, tasks)
    s = tables["summary"]
    if len(s):
        ref = s[s["policy"] == "hindsight"].set_index(["scenario", "variant", "seed"])
        idx = pd.MultiIndex.from_frame(s[["scenario", "variant", "seed"]])
        hl = ref["labour"].reindex(idx).to_numpy() if len(ref) else np.full(len(s), np.nan)
        ho = ref["objective"].reindex(idx).to_numpy() if len(ref) else np.full(len(s), np.nan)
        s["labour_ratio"] = s["labour"].to_numpy() / np.where(hl > 0, hl, np.nan)
        s["objective_ratio"] = s["hindsight_objective"].to_numpy() / np.where(ho > 0, ho, np.nan)
    tables["summary"] = s
    return tables


def compare(summary: pd.DataFrame) -> pd.DataFrame:
    """Per scenario, policy, variant and metric: n, mean, sd, ci95, min, max over the seeds."""
    rows = []
    if summary.empty:
        return pd.DataFrame(columns=["scenario", "policy", "variant", "metric", "n", "mean", "sd", "ci95", "min", "max"])
    for (sc, pol, var), g in summary.groupby(["scenario", "policy", "variant"], sort=True):
        for m in COMPARED:
            if m not in g:
                continue
            x = pd.to_numeric(g[m], errors="coerce").dropna().to_numpy(dtype=float)
            if not len(x):
                continue
            sd = float(x.std(ddof=1)) if len(x) > 1 else math.nan
            rows.append({"scenario": sc, "policy": pol, "variant": var, "metric": m, "n": len(x),
                         "mean": float(x.mean()), "sd": sd, "ci95": 1.96 * sd / math.sqrt(len(x)) if len(x) > 1
                         else math.nan, "min": float(x.min()), "max": float(x.max())})
    return pd.DataFrame(rows)


def headline(comparison: pd.DataFrame) -> pd.DataFrame:
    """The policy table of the report: one row per scenario, policy and variant, main metrics
    as 'mean ± ci95'."""
    main = ("labour_ratio", "objective_ratio", "gm_met_linked_share", "persons_short_linked", "gm_met_housed_share",
            "reception_weeks_mean", "reception_over_14_share", "dwellings_unused")
    c = comparison[comparison["metric"].isin(main)]
    if c.empty:
        return pd.DataFrame()
    cell = c.assign(value=[f"{m:.3f} ± {ci:.3f}" if ci == ci else f"{m:.3f}" for m, ci in zip(c["mean"], c["ci95"])])
    return cell.pivot_table(index=["scenario", "policy", "variant"], columns="metric", values="value",
                            aggfunc="first").reset_index()


def write(cfg: SimulationConfig, tables: dict[str, pd.DataFrame], comparison: pd.DataFrame,
          failures: list[Failure], seconds: float) -> dict:
    """All outputs into ``cfg.out`` (replaced as a whole); return the run record."""
    from optimizer.report import Report, write_report

    record = RunRecord(command="simulate", notes=[f"task failed: {f.key} ({f.error})" for f in failures])
    extra = {"scenario": cfg.scenario.record(), "seeds": list(cfg.seeds), "policies": list(cfg.policies),
             "variants": list(cfg.variants), "hindsight": cfg.hindsight,
             "scheduler": cfg.scheduler or "LocalCluster", "store": str(cfg.store_dir),
             "tasks": {"planned": len(plan(cfg)), "failed": [f.record() for f in failures]},
             "key": list(KEY)}
    for k, v in extra.items():
        setattr(record, k, v)
    record.timings_seconds = {"total": seconds}
    with atomic_output_dir(cfg.out) as tmp:
        results = tables["summary"].drop(columns=["cpu_seconds"], errors="ignore")
        for name, t in (("results", results), ("weekly", tables["weekly"]), ("gemeenten", tables["gemeenten"]),
                        ("household_types", tables["household_types"]), ("households", tables["households"]),
                        ("comparison", comparison)):
            write_table(t, tmp / f"{name}.parquet")
            write_table(t, tmp / f"{name}.csv")
        write_table(tables["summary"][list(KEY) + ["cpu_seconds"]] if len(tables["summary"]) else
                    pd.DataFrame(columns=[*KEY, "cpu_seconds"]), tmp / "timings.csv")
        write_table(pd.DataFrame([f.record() for f in failures], columns=[*KEY, "error"]), tmp / "failures.csv")
        figures = {"fulfilment": charts.fulfilment_chart(tables["weekly"], _target(tables["summary"])),
                   "waiting": charts.waiting_chart(tables["households"]),
                   "comparison": charts.comparison_chart(comparison)}
        report = Report(title="Simulatie van het halfjaar: wekelijks koppelen tegen het optimum achteraf",
                        kind="simulate")
        report.add_summary("Scenario", cfg.scenario.name)
        report.add_summary("Scenario's (seeds)", len(cfg.seeds))
        report.add_summary("Beleid", ", ".join(cfg.policies))
        report.add_summary("Mislukte taken", len(failures))
        report.add_text("Per beleid het gemiddelde ± 95%-interval over de scenario's; hindsight is het optimum "
                        "achteraf (alles bekend). Uitleg: docs/simulation.md.")
        report.add_table("beleid", headline(comparison), caption="Beleid tegen het optimum achteraf")
        for name, fig in figures.items():
            report.add_chart(name, fig)
        record_files = write_report(report, tmp)
        for name, fig in figures.items():
            record_files += charts.save(fig, tmp, name)
        record.outputs = sorted(record_files)
        write_json(tmp / "run.json", record.model_dump())
    return record.model_dump()


def _target(summary: pd.DataFrame) -> float:
    """The half-year target of the scenario (persons), from the results."""
    return float(summary["target"].iloc[0]) if len(summary) else 0.0


def run_simulation(cfg: SimulationConfig) -> dict:
    """plan -> execute -> collect -> compare -> write; return the run record."""
    t0 = time.perf_counter()
    tasks = plan(cfg)
    failures = execute(cfg, tasks)
    tables = collect(cfg, tasks)
    comparison = compare(tables["summary"])
    record = write(cfg, tables, comparison, failures, time.perf_counter() - t0)
    log.info("wrote %s: %d tasks, %d failed", cfg.out, len(tasks), len(failures))
    return record
