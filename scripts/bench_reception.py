"""Benchmark the reception model on the 342 gemeenten of the embedded dataset.

For each shipped reception variant: time to prepare the inputs, build the Pyomo model,
compile it to HiGHS (standard form), solve, and extract; model size; status and proven gap.
Extra rows: three variants with the published COA capacity of November 2025 as existing places
(raw NOS file, when present), and the statutory variant with heavy fixed site costs
(docs/performance-reception.md).

    .venv/bin/python scripts/bench_reception.py [--variants statutory bonus-only ...] [--json out.json]

Single runs on a shared machine: read the numbers as orders of magnitude.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import platform
import time

import highspy
import pyomo

from models.reception import SiteOption
from optimizer.core.paths import raw_dir
from optimizer.data import dataset
from optimizer.reception import run as reception
from optimizer.reception.variant import load_variant

DEFAULT_VARIANTS = ("statutory", "eu2015", "sweden", "bonus-only", "linear-malus", "budget-neutral",
                    "progressive", "eu2024", "verevening")


def bench(name: str, *, heavy_fixed: bool = False, existing=None, need_cuts: bool = True) -> dict:
    v = load_variant(name)
    t0 = time.perf_counter()
    prep = reception.prepare(v, **({"existing": existing} if existing is not None else {}))
    t1 = time.perf_counter()
    if heavy_fixed:  # same sizes, costs only per site (no cost per place)
        sites = [SiteOption("small", 15, 99, 6, False, 150_000, 0),
                 SiteOption("medium", 100, 299, 4, True, 350_000, 0),
                 SiteOption("large", 300, 800, 3, True, 700_000, 0)]
        prep = dataclasses.replace(prep, inputs=dataclasses.replace(prep.inputs, sites=sites))
    if not need_cuts:
        prep = dataclasses.replace(prep, inputs=dataclasses.replace(prep.inputs, need_cuts=False))
    sol = reception.solve(prep)
    t2 = time.perf_counter()
    res = reception.extract(prep, sol)
    t3 = time.perf_counter()
    r = sol.result
    label = (name + (" (heavy fixed site costs)" if heavy_fixed else "") + (" (published capacity)" if existing is not None
             else "") + ("" if need_cuts else " (no site-need cuts)"))
    return {
        "variant": label, "prepare_s": t1 - t0, "build_s": sol.build_seconds,
        "compile_s": sum(s["compile_seconds"] for s in sol.solves),
        "solve_s": sum(s["solve_seconds"] for s in sol.solves), "extract_s": t3 - t2, "total_s": t3 - t0,
        "solves": len(sol.solves), "variables": r.n_variables, "integer": r.n_integer,
        "constraints": r.n_constraints, "nonzeros": r.n_nonzeros, "nodes": r.node_count,
        "status": r.status.value, "gap": r.gap, "objective": r.objective,
        "places": res.summary["total_places"],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--variants", nargs="*", default=list(DEFAULT_VARIANTS))
    ap.add_argument("--no-extra", action="store_true", help="skip the formulation-choice rows")
    ap.add_argument("--json", help="also write the rows as JSON")
    args = ap.parse_args()
    rows = [bench(n) for n in args.variants]
    if not args.no_extra:
        path = raw_dir() / "spreidingswet_coa_capaciteit_per_gemeente_2025-11.csv"
        if path.exists():
            capacity = dataset.load_spreidingswet(path)["capacity_total"]
            for name in ("statutory", "budget-neutral", "progressive"):
                rows.append(bench(name, existing=capacity))
        rows.append(bench("statutory", need_cuts=False))
        rows.append(bench("statutory", heavy_fixed=True))
    print(f"python {platform.python_version()}, pyomo {pyomo.version.version}, highspy {highspy.Highs().version()}, "
          f"{platform.machine()}\n")
    print("| variant | prepare s | build s | compile s | solve s | total s | solves | vars (int) | rows | status | gap |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['variant']} | {r['prepare_s']:.2f} | {r['build_s']:.2f} | {r['compile_s']:.2f} | {r['solve_s']:.2f} | "
              f"{r['total_s']:.1f} | {r['solves']} | {r['variables']} ({r['integer']}) | {r['constraints']} | "
              f"{r['status']} | {(r['gap'] or 0):.1e} |")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(rows, fh, indent=2)


if __name__ == "__main__":
    main()
