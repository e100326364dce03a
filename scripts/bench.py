"""Koppeling benchmark: the engine (aggregated model) against the naive per-household model.

Instances are built from the synthetic generator with fixed seeds:

* ``small``    - 150 households against the same weekly targets (shortfall in every gemeente);
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
    python scripts/bench.py --instances m1000,month,m4000 --naive ""   # the 4-week pace rows
    python scripts/bench.py --command weekly --repeat 3                # end to end, fresh process (-- --map: also map.png)
    python scripts/bench.py --command m3000 -- --time-limit 2          # any-time behaviour
    python scripts/bench.py --previous national                        # --previous input building
    python scripts/bench.py --instances small,weekly --naive "" --no-quota-secants   # A/B of the secant rows

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
    # name: (households, seed, kind, gap); gap 1e-3 is the default variant's
    "quick": (120, 7, "weekly", 1e-3),
    "small": (150, 21, "weekly", 1e-3),  # few households against the weekly targets: shortfall everywhere
    "weekly": (450, 1, "weekly", 1e-3),
    "m1000": (1000, 3, "month", 1e-3),
    "month": (2000, 3, "month", 1e-3),
    "m3000": (3000, 3, "month", 1e-3),
    "m4000": (4000, 3, "month", 1e-3),
    "national": (8000, 2, "national", 1e-3),
    "n32000": (32000, 2, "national", 1e-3),
}
DATES = {"weekly": "2025-08-04", "month": "2025-08-25", "national": "2025-03-01"}


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
               offer_model: str = "obligation", quota_secants: bool = True) -> dict:
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
                   strategy=strategy, quota_secants=quota_secants)
    r = sol.result
    linked = int((sol.households["gm_index"] >= 0).sum())
    start = r.start or {}
    return {
        "heuristic_objective": start.get("objective"), "heuristic_s": start.get("seconds"),
        "heuristic_linked": start.get("linked"), "cpu_s": time.process_time(),
        "instance": name, "formulation": formulation, "strategy": strategy, "variant": variant,
        "offer_model": offer_model, "households": len(ctx.households),
        "persons": int(ctx.households["persons"].sum()), "linked": linked, "units": len(ctx.inputs.unit_count),
        "variables": r.n_variables, "integers": r.n_integer, "constraints": r.n_constraints,
        "data_s": t_data, "inputs_s": t_inputs, "build_s": sol.build_seconds + r.compile_seconds, "solve_s": r.solve_seconds,
        "total_s": t_inputs + sol.build_seconds + r.compile_seconds + r.solve_seconds,
        "status": r.status.value, "objective": r.objective, "bound": r.bound, "gap": r.gap,
        "gap_target": gap, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "solver_strategy": r.options.get("strategy"), "portfolio": r.options.get("portfolio"),
        "winner_seed": r.options.get("winner_seed"), "lns": r.options.get("lns"), "load": os.getloadavg()[0],
        "quota_secants": quota_secants,
    }


def write_files(name: str, folder: Path) -> tuple[Path, Path, str]:
    """The instance as a households and a state CSV in ``folder`` (for the command-line rows)."""
    from optimizer.data.synthetic import generate_households

    n, seed, kind, _ = INSTANCES[name]
    state, as_of = build_state(kind)
    hh, st = folder / f"{name}_households.csv", folder / f"{kind}_state.csv"
    generate_households(n, seed, as_of=as_of).to_csv(hh, index=False)
    state.to_csv(st, index=False)
    return hh, st, DATES[kind]


def run_command(name: str, folder: Path, extra: list[str]) -> dict:
    """``spreiding propose`` end to end in a fresh process: wall and CPU seconds (user + sys of
    the child), peak memory, and what run.json says."""
    hh, st, day = write_files(name, folder)
    out = folder / f"out_{name}"
    cmd = [sys.executable, "-m", "optimizer", "propose", "--households", str(hh), "--state", str(st), "--date", day,
           "--out", str(out), "-q", *extra]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    row = {"instance": name, "args": " ".join(extra), "exit": proc.returncode, "wall_s": wall,
           "cpu_s": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
           "peak_mb": after.ru_maxrss / 1024, "load": os.getloadavg()[0]}
    if proc.returncode != 0:
        return {**row, "error": proc.stderr.strip().splitlines()[-3:]}
    rec = json.loads((out / "run.json").read_text(encoding="utf-8"))
    return {**row, "status": rec["status"], "objective": rec["objective"], "gap": rec["gap"],
            "linked": rec["households"]["linked"], "timings": rec["timings_seconds"],
            "heuristic": (rec["solver"].get("start") or {}).get("objective"), "highspy": rec["solver"]["solver"]}


def run_previous(name: str) -> dict:
    """Input building without and with a previous proposal that names every household."""
    import numpy as np
    import pandas as pd

    from optimizer.data import schemas
    from optimizer.data.synthetic import generate_households
    from optimizer.koppeling.inputs import build_inputs
    from optimizer.koppeling.variant import load_variant

    n, seed, kind, _ = INSTANCES[name]
    state_df, as_of = build_state(kind)
    state = schemas.load_state(state_df, "state")
    hh = schemas.load_households(generate_households(n, seed, as_of=as_of), "households")
    prev = pd.Series(np.random.default_rng(0).choice(list(state.index), len(hh)), index=hh.index)
    out = {"instance": name}
    for key, previous in (("without_s", None), ("with_previous_s", prev)):
        t0 = time.process_time()
        build_inputs(hh, state, load_variant("default"), previous=previous, as_of=as_of)
        out[key] = time.process_time() - t0
    return out


def run_child(name: str, formulation: str, time_limit: float, variant: str = "default",
              offer_model: str = "obligation", quota_secants: bool = True) -> dict:
    cmd = [sys.executable, __file__, "--single", name, "--formulation", formulation, "--time-limit", str(time_limit),
           "--variant", variant, "--offer-model", offer_model, *([] if quota_secants else ["--no-quota-secants"])]
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
    ap.add_argument("--no-quota-secants", action="store_true",
                    help="build the model without the quota secant rows (valid inequalities; A/B of their effect)")
    ap.add_argument("--naive", default="weekly,month", help="instances to also run with the naive formulation")
    ap.add_argument("--quick", action="store_true", help="CI smoke run: one small instance, both formulations")
    ap.add_argument("--markdown", type=Path, help="write the table (and raw JSON) to this markdown file")
    ap.add_argument("--command", metavar="INSTANCE",
                    help="run `spreiding propose` end to end on INSTANCE in a fresh process (extra options after --)")
    ap.add_argument("--previous", metavar="INSTANCE", help="time input building with a previous proposal")
    ap.add_argument("--repeat", type=int, default=1, help="repeat --command runs")
    args, extra = ap.parse_known_args()
    extra = [a for a in extra if a != "--"]
    if args.command:
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            for _ in range(args.repeat):
                print(json.dumps(run_command(args.command, Path(tmp), extra)), flush=True)
        return
    if args.previous:
        print(json.dumps(run_previous(args.previous)))
        return
    if args.single:
        print(json.dumps(run_single(args.single, args.formulation, args.time_limit, args.variant, args.offer_model,
                                    not args.no_quota_secants)))
        return
    names = ["quick"] if args.quick else [s for s in args.instances.split(",") if s]
    naive = set(names) if args.quick else {s for s in args.naive.split(",") if s}
    rows = []
    for name in names:
        for form in ("aggregated", "per_household") if name in naive else ("aggregated",):
            limit = args.naive_time_limit if form == "per_household" else args.time_limit
            print(f"running {name} / {form} ...", file=sys.stderr, flush=True)
            rows.append(run_child(name, form, limit, args.variant, args.offer_model, not args.no_quota_secants))
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
