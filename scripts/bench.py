"""Koppeling benchmark: the engine (aggregated model) against the naive per-household model.

Instances are built from the synthetic generator with fixed seeds:

* ``weekly``   - a weekly batch: 450 households, gemeente state of 2025-H2 on 2025-08-04
                 (pace increment of one week, dwellings for the rest of the half-year);
* ``month``    - 2,000 households, the same state scaled to four weeks of pace;
* ``national`` - a national half-year: 8,000 households against the full 2025-H1
                 taakstelling (15,170 persons) with the default (obligation) dwelling offers
                 and the housing pressure (``spreiding state --period 2025-H1 --whole-period``).

Each (instance, formulation) runs in its own process so that its peak memory (max RSS) is
measured alone. The naive per-household formulation (one binary per household-gemeente pair,
the same objective) runs where it can finish within ``--naive-time-limit``.

    python scripts/bench.py                 # all instances, naive on weekly and month
    python scripts/bench.py --quick         # CI smoke: a small batch only
    python scripts/bench.py --markdown docs/performance.md   # also write the table

Targets (2-core machine): weekly <= 5 s total at gap <= 0.1%; national <= 60 s total at gap
<= 0.5% and <= 4 GB; at least 10x faster than naive on the largest instance naive finishes.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

INSTANCES = {
    # name: (households, seed, kind, gap)
    "quick": (120, 7, "weekly", 1e-3),
    "weekly": (450, 1, "weekly", 1e-3),
    "month": (2000, 3, "month", 1e-3),
    "national": (8000, 2, "national", 5e-3),
}


def build_state(kind: str, offer_model: str = "obligation"):
    from optimizer.rules.state import build_state as weekly_state

    if kind == "weekly":
        return weekly_state("2025-H2", date(2025, 8, 4), offer_model=offer_model), date(2025, 8, 4)
    if kind == "month":
        return weekly_state("2025-H2", date(2025, 8, 25), batch_days=28, offer_model=offer_model), date(2025, 8, 25)
    # the whole 2025-H1 taakstelling with the default (obligation) dwelling offers and pressure
    st = weekly_state("2025-H1", whole_period=True, offer_model=offer_model)
    return st[["gm_code", "target", *[f"dwellings_c{k}" for k in range(1, 6)], "housing_pressure"]], date(2025, 3, 1)


def run_single(name: str, formulation: str, time_limit: float, variant: str = "default",
               offer_model: str = "obligation") -> dict:
    """Run one instance in this process and return its measurements."""
    t0 = time.perf_counter()
    from optimizer.data import schemas
    from optimizer.data.synthetic import generate_households
    from optimizer.koppeling.inputs import build_inputs
    from optimizer.koppeling.run import choose_strategy, optimise
    from optimizer.koppeling.variant import load_variant
    from optimizer.solve.highs import SolverOptions

    n, seed, kind, gap = INSTANCES[name]
    state_df, as_of = build_state(kind, offer_model)
    state = schemas.load_state(state_df, "state")
    households = schemas.load_households(generate_households(n, seed, as_of=as_of), "households")
    t_data = time.perf_counter() - t0
    t1 = time.perf_counter()
    ctx = build_inputs(households, state, load_variant(variant), as_of=as_of)
    t_inputs = time.perf_counter() - t1
    strategy = choose_strategy("auto", formulation, ctx.inputs)  # type: ignore[arg-type]
    sol = optimise(ctx, SolverOptions(time_limit=time_limit, mip_rel_gap=gap), formulation=formulation,  # type: ignore[arg-type]
                   strategy=strategy)
    r = sol.result
    linked = int((sol.households["gm_index"] >= 0).sum())
    return {
        "instance": name, "formulation": formulation, "strategy": strategy, "variant": variant,
        "offer_model": offer_model, "households": len(ctx.households),
        "persons": int(ctx.households["persons"].sum()), "linked": linked, "units": len(ctx.inputs.unit_count),
        "variables": r.n_variables, "integers": r.n_integer, "constraints": r.n_constraints,
        "data_s": t_data, "inputs_s": t_inputs, "build_s": sol.build_seconds + r.compile_seconds, "solve_s": r.solve_seconds,
        "total_s": t_inputs + sol.build_seconds + r.compile_seconds + r.solve_seconds,
        "status": r.status.value, "objective": r.objective, "bound": r.bound, "gap": r.gap,
        "gap_target": gap, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def run_child(name: str, formulation: str, time_limit: float, variant: str = "default",
              offer_model: str = "obligation") -> dict:
    cmd = [sys.executable, __file__, "--single", name, "--formulation", formulation, "--time-limit", str(time_limit),
           "--variant", variant, "--offer-model", offer_model]
    proc = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "PYTHONWARNINGS": "ignore"})
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if proc.returncode != 0 or not lines:
        return {"instance": name, "formulation": formulation, "status": f"failed (exit {proc.returncode})",
                "error": proc.stderr.strip().splitlines()[-1:] }
    return json.loads(lines[-1])


def fmt(rows: list[dict]) -> str:
    head = ("| instance | formulation | households | units | variables | build s | solve s | total s | objective "
            "| bound | gap | status | peak MB |")
    out = [head, "|" + "---|" * 13]
    for r in rows:
        if "objective" not in r:
            out.append(f"| {r['instance']} | {r['formulation']} | | | | | | | | | | {r['status']} | |")
            continue
        out.append(f"| {r['instance']} | {r['formulation']} ({r['strategy']}) | {r['households']} | {r['units']} | "
                   f"{r['variables']:,} | {r['build_s']:.1f} | {r['solve_s']:.1f} | {r['total_s']:.1f} | "
                   f"{r['objective']:.2f} | {r['bound']:.2f} | {r['gap']:.3%} | {r['status']} | {r['peak_mb']:.0f} |")
    return "\n".join(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--single", help=argparse.SUPPRESS)
    ap.add_argument("--formulation", default="aggregated", help=argparse.SUPPRESS)
    ap.add_argument("--time-limit", type=float, default=120.0, help="HiGHS time limit per engine run (s)")
    ap.add_argument("--naive-time-limit", type=float, default=300.0, help="HiGHS time limit per naive run (s)")
    ap.add_argument("--instances", default="weekly,month,national")
    ap.add_argument("--variant", default="default", help="koppeling variant (e.g. linear-quota: the form before issue 12)")
    ap.add_argument("--offer-model", default="obligation", choices=("obligation", "lettings"),
                    help="modelled dwelling offers (lettings: the model before issue 12)")
    ap.add_argument("--naive", default="weekly,month", help="instances to also run with the naive formulation")
    ap.add_argument("--quick", action="store_true", help="CI smoke run: one small instance, both formulations")
    ap.add_argument("--markdown", type=Path, help="write the table (and raw JSON) to this markdown file")
    args = ap.parse_args()
    if args.single:
        print(json.dumps(run_single(args.single, args.formulation, args.time_limit, args.variant, args.offer_model)))
        return
    names = ["quick"] if args.quick else [s for s in args.instances.split(",") if s]
    naive = set(names) if args.quick else {s for s in args.naive.split(",") if s}
    rows = []
    for name in names:
        for form in ("aggregated", "per_household") if name in naive else ("aggregated",):
            limit = args.naive_time_limit if form == "per_household" else args.time_limit
            print(f"running {name} / {form} ...", file=sys.stderr, flush=True)
            rows.append(run_child(name, form, limit, args.variant, args.offer_model))
            print(fmt(rows[-1:]).splitlines()[-1], file=sys.stderr, flush=True)
    table = fmt(rows)
    print(table)
    speed = []
    for name in names:
        eng = next((r for r in rows if r["instance"] == name and r["formulation"] == "aggregated" and "total_s" in r), None)
        nai = next((r for r in rows if r["instance"] == name and r["formulation"] == "per_household" and "total_s" in r), None)
        if eng and nai:
            speed.append(f"{name}: engine {eng['total_s']:.1f} s vs naive {nai['total_s']:.1f} s "
                         f"({nai['total_s'] / eng['total_s']:.1f}x), objectives {eng['objective']:.2f} vs {nai['objective']:.2f}")
    if speed:
        print("\n" + "\n".join(speed))
    if args.markdown:
        args.markdown.write_text("## Koppeling benchmark (scripts/bench.py)\n\n" + table + "\n\n" + "\n".join(speed)
                                 + "\n\n```json\n" + json.dumps(rows, indent=1) + "\n```\n", encoding="utf-8")


if __name__ == "__main__":
    main()
