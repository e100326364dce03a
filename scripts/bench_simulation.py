"""Simulation benchmarks (issue 10), not tests. Run from the repository root:

    python scripts/bench_simulation.py week26   [--provinces all] [--scale 1] [--repeat 1]
    python scripts/bench_simulation.py policies [--seeds 1-20] [--provinces PV24,PV26] [--scale 0.3] --out DIR
    python scripts/bench_simulation.py cluster  [--seeds 1-40] [--provinces PV24] [--scale 0.5] [--weeks 13] --out DIR

* ``week26``: one 26-week scenario with the engine's weekly policy in this process (one core;
  HiGHS one thread): CPU (user+sys) and wall seconds, per repeat, and the load average.
  Target: <= 60 s on one core for the national period.
* ``policies``: ``spreiding simulate`` of baseline, weekly and look-ahead against hindsight on
  many seeds (LocalCluster), printing the comparison table (mean, 95% CI, min, max).
* ``cluster``: the same tasks serially and on the LocalCluster (fresh stores), wall and CPU
  seconds of each, the speed-up, and whether the two tables are identical. The issue's
  benchmark (40 scenarios x 3 policies through the LocalCluster, under 30 minutes, speed-up
  against serial), ready to run on a quiet machine::

      python scripts/bench_simulation.py cluster --out out/bench-cluster

  (defaults: seeds 1-40, Flevoland PV24 at scale 0.5, 13 batches, baseline + weekly +
  look-ahead, no hindsight, a LocalCluster of one worker per core); it runs the 120 tasks
  twice (serial first), so it takes about twice the serial time.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pandas as pd

from optimizer.cli.simulation import parse_seeds
from optimizer.simulation.run import SimulationConfig, collect, compare, execute, plan, run_simulation
from optimizer.simulation.scenario import Scenario


def cpu() -> float:
    """CPU seconds (user + sys) of this process and its waited-for children."""
    s, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime


def scenario(args) -> Scenario:
    prov = () if args.provinces == "all" else tuple(args.provinces.split(","))
    return Scenario(provinces=prov, weeks=args.weeks, scale=args.scale)


def week26(args) -> None:
    from optimizer.koppeling.variant import load_variant
    from optimizer.simulation import metrics
    from optimizer.simulation.policies import Weekly
    from optimizer.simulation.scenario import build_world
    from optimizer.simulation.weekly import simulate

    variant = load_variant("default")
    options = variant.solver.options(threads=1, random_seed=0)
    sc = scenario(args)
    for r in range(args.repeat):
        c0 = cpu()
        world = build_world(sc, 1)
        c1, w1 = cpu(), time.perf_counter()
        out = simulate(world, Weekly(variant, options))
        c2, w2 = cpu(), time.perf_counter()
        f = metrics.link_frame(world, out.links)
        print(f"repeat {r}: {sc.name}: {len(world.awaiting)} households, {int(world.target.sum())} persons target; "
              f"world {c1 - c0:.1f} s CPU; 26 weekly proposals {c2 - c1:.1f} s CPU, {w2 - w1:.1f} s wall; "
              f"linked {len(f)} households, {int(f['persons'].sum())} persons; load {os.getloadavg()}", flush=True)


def policies(args) -> None:
    cfg = SimulationConfig(out=Path(args.out), scenario=scenario(args), seeds=parse_seeds(args.seeds),
                           workers=args.workers)
    c0, w0 = cpu(), time.perf_counter()
    run_simulation(cfg)
    print(f"{len(plan(cfg))} tasks: {time.perf_counter() - w0:.0f} s wall, {cpu() - c0:.0f} s CPU (this process "
          f"and its waited children); load {os.getloadavg()}")
    c = pd.read_csv(Path(args.out) / "comparison.csv")
    keep = ("labour_ratio", "objective_ratio", "gm_met_linked_share", "persons_short_linked", "reception_weeks_mean",
            "reception_over_14_share", "dwellings_unused", "households_linked")
    print(c[c["metric"].isin(keep)].round(4).to_string(index=False))


def cluster(args) -> None:
    base = Path(args.out)
    results = {}
    for mode in ("serial", None):
        name = "serial" if mode == "serial" else "cluster"
        store = base / f"store-{name}"
        shutil.rmtree(store, ignore_errors=True)
        cfg = SimulationConfig(out=base / name, scenario=scenario(args), seeds=parse_seeds(args.seeds),
                               hindsight=False, scheduler=mode, workers=args.workers, store=store)
        tasks = plan(cfg)
        w0 = time.perf_counter()
        failures = execute(cfg, tasks)
        wall = time.perf_counter() - w0
        tables = collect(cfg, tasks)
        results[name] = tables["summary"].drop(columns=["cpu_seconds"])
        task_cpu = float(tables["summary"]["cpu_seconds"].sum())
        print(f"{name}: {len(tasks)} tasks, {len(failures)} failed, {wall:.0f} s wall, tasks' own CPU {task_cpu:.0f} s; "
              f"load {os.getloadavg()}", flush=True)
        results[name + "_wall"] = wall
        compare(tables["summary"]).to_csv(base / f"comparison-{name}.csv", index=False)
    same = results["serial"].equals(results["cluster"])
    print(f"speed-up serial/cluster: {results['serial_wall'] / results['cluster_wall']:.2f}x; identical tables: {same}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("bench", choices=("week26", "policies", "cluster"))
    ap.add_argument("--provinces", default=None)
    ap.add_argument("--scale", type=float, default=None)
    ap.add_argument("--weeks", type=int, default=26)
    ap.add_argument("--seeds", default=None)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--workers", type=int, default=None)
    ap.add_argument("--out", default="out/bench-simulation")
    args = ap.parse_args()
    defaults = {"week26": ("all", 1.0, "1"), "policies": ("PV24,PV26", 0.3, "1-20"), "cluster": ("PV24", 0.5, "1-40")}
    prov, scale, seeds = defaults[args.bench]
    args.provinces = args.provinces or prov
    args.scale = args.scale if args.scale is not None else scale
    args.seeds = args.seeds or seeds
    if args.bench == "cluster" and args.weeks == 26 and "--weeks" not in sys.argv:
        args.weeks = 13
    {"week26": week26, "policies": policies, "cluster": cluster}[args.bench](args)


if __name__ == "__main__":
    main()
