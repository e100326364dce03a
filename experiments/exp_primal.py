"""Experiment: heuristic warm start (heuristic.warm_start) for the koppeling model.

For each instance of scripts/bench.py (default: weekly, month), builds the aggregated model
as the benchmark does, runs the heuristic (LP-guided rounding + zone MIPs + local search, and
the greedy + local search for comparison), checks that the start satisfies every constraint,
then solves with HiGHS without and with the warm start (same time limit and gap) and prints
objective, bound, gap and time.

    python scripts/exp_primal.py                       # weekly and month, 120 s limit
    python scripts/exp_primal.py --instances month --time-limit 60
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import numpy as np  # noqa: E402
import pyomo.environ as pyo  # noqa: E402


def violations(m: pyo.ConcreteModel, tol: float = 1e-6) -> list[tuple]:
    """Constraints and variable bounds/integrality violated by the current values."""
    bad = []
    for c in m.component_data_objects(pyo.Constraint, active=True):
        body = pyo.value(c.body)
        if (c.has_lb() and body < pyo.value(c.lower) - tol) or (c.has_ub() and body > pyo.value(c.upper) + tol):
            bad.append((c.name, body))
    for v in m.component_data_objects(pyo.Var, active=True):
        x = v.value
        if x is None or (v.lb is not None and x < v.lb - tol) or (v.ub is not None and x > v.ub + tol) \
                or (v.is_integer() and abs(x - round(x)) > tol):
            bad.append((v.name, x))
    return bad


def build_ctx(name: str):
    import bench

    from optimizer.data import schemas
    from optimizer.data.synthetic import generate_households
    from optimizer.koppeling.inputs import build_inputs
    from optimizer.koppeling.variant import load_variant

    n, seed, kind, gap = bench.INSTANCES[name]
    state_df, as_of = bench.build_state(kind)
    state = schemas.load_state(state_df, "state")
    households = schemas.load_households(generate_households(n, seed, as_of=as_of), "households")
    return build_inputs(households, state, load_variant("default"), as_of=as_of), gap


def main() -> None:
    from heuristic import warm_start

    from models.koppeling import build_model
    from optimizer.solve.highs import SolverOptions, solve

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--instances", default="weekly,month")
    ap.add_argument("--time-limit", type=float, default=120.0)
    ap.add_argument("--ls-time", type=float, default=10.0, help="local search time budget (s)")
    ap.add_argument("--no-highs", action="store_true", help="heuristics only")
    args = ap.parse_args()
    for name in args.instances.split(","):
        ctx, gap = build_ctx(name)
        inp = ctx.inputs
        prio = np.arange(len(inp.hh_unit))
        print(f"== {name}: {len(inp.hh_unit)} households, {len(inp.unit_count)} units, gap target {gap:g}", flush=True)
        for method in ("greedy-only", "greedy", "lp"):
            m = build_model(inp)
            info: dict = {}
            t = time.perf_counter()
            obj = warm_start(m, inp, prio, method=method, time_limit=args.ls_time, info=info)
            dt = time.perf_counter() - t
            bad = violations(m)
            stages = ", ".join(f"{k} {v:.2f}" for k, v in info.items())
            print(f"heuristic {method:11s}: objective {obj:10.2f}  {dt:5.1f} s  violations {len(bad)}  [{stages}]",
                  flush=True)
        if args.no_highs:
            continue
        for ws in (False, True):
            m = build_model(inp)
            t = time.perf_counter()
            h_obj = warm_start(m, inp, prio, method="lp", time_limit=args.ls_time) if ws else None
            t_h = time.perf_counter() - t
            r = solve(m, SolverOptions(time_limit=args.time_limit, mip_rel_gap=gap), warm_start=ws)
            total = time.perf_counter() - t
            label = f"warm start ({h_obj:.2f}, {t_h:.1f} s)" if ws else "no warm start"
            print(f"HiGHS {label:32s}: {r.status.value:9s} objective {r.objective:10.2f} bound {r.bound:10.2f} "
                  f"gap {r.gap:.3%}  solve {r.solve_seconds:6.1f} s  total incl. heuristic+compile {total:6.1f} s",
                  flush=True)


if __name__ == "__main__":
    main()
