"""The national half-year before and after issue 12: dwelling offers and the quota term.

Runs the ``national`` instance of ``scripts/bench.py`` (8,000 synthetic households, seed 2,
against the whole 2025-H1 taakstelling) twice:

* **before**: dwelling offers from the ``lettings`` model (8 % of corporation lettings) and the
  ``linear-quota`` variant (quota linear in the relative deviation);
* **after**: the defaults, the ``obligation`` offer model and the convex quota term.

and prints (or writes, ``--markdown``) the table of issue 12 for the gemeenten it names plus
the gemeenten at zero, and the fairness headline of both (``optimizer.koppeling.fairness``).

    python scripts/fairness_before_after.py [--markdown out.md] [--time-limit 120]
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

NAMED = ("GM0363", "GM0599", "GM0180", "GM1598")  # Amsterdam, Rotterdam, Staphorst, Koggenland
RUNS = {"before": ("lettings", "linear-quota"), "after": ("obligation", "default")}
PERIOD, AS_OF, N, SEED, GAP = "2025-H1", date(2025, 3, 1), 8000, 2, 5e-3


def run(offer_model: str, variant: str, time_limit: float) -> dict:
    """Solve the national half-year with this offer model and variant; the tables that matter."""
    from optimizer.data import schemas
    from optimizer.data.synthetic import generate_households
    from optimizer.koppeling.fairness import fairness_report
    from optimizer.koppeling.inputs import build_inputs
    from optimizer.koppeling.run import choose_strategy, optimise
    from optimizer.koppeling.tables import gemeenten_table
    from optimizer.koppeling.variant import load_variant
    from optimizer.rules.state import build_state
    from optimizer.solve.highs import SolverOptions

    state = schemas.load_state(build_state(PERIOD, whole_period=True, offer_model=offer_model), "state")
    households = schemas.load_households(generate_households(N, SEED, as_of=AS_OF), "households")
    t0, c0 = time.perf_counter(), time.process_time()
    ctx = build_inputs(households, state, load_variant(variant), as_of=AS_OF)
    sol = optimise(ctx, SolverOptions(time_limit=time_limit, mip_rel_gap=GAP),
                   strategy=choose_strategy("auto", "aggregated", ctx.inputs))
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    gem = gemeenten_table(ctx, sol, households, state)
    headline, far = fairness_report(ctx, sol, gem)
    gem["offered"] = gem[[f"dwellings_offered_c{d}" for d in range(1, 6)]].sum(axis=1)
    gem["fair_share"] = (gem["offered"] / gem["offered"].sum()) / (gem["target"] / gem["target"].sum())
    return {"gemeenten": gem.set_index("gm_code"), "headline": headline, "far": far, "result": sol.result,
            "seconds": seconds, "cpu": cpu}


def _pct(persons: float, target: float) -> str:
    return f"{persons:,.0f} ({(persons - target) / max(target, 1):+.0%})"


def gemeente_table(before: dict, after: dict) -> str:
    b, a = before["gemeenten"], after["gemeenten"]
    zero = sorted(set(before["headline"]["gemeenten_at_zero_codes"]) | set(after["headline"]["gemeenten_at_zero_codes"]))
    codes = list(NAMED) + [c for c in zero if c not in NAMED]
    out = ["| gemeente | target | before: persons linked | before: dwellings offered (x fair share) "
           "| after: persons linked | after: dwellings offered (x fair share) |", "|---|---|---|---|---|---|"]
    for c in codes:
        rb, ra = b.loc[c], a.loc[c]
        out.append(f"| {rb['gm_naam']} | {rb['target']:,.0f} | {_pct(rb['persons'], rb['target'])} | "
                   f"{rb['offered']:,.0f} ({rb['fair_share']:.2f}x) | {_pct(ra['persons'], ra['target'])} | "
                   f"{ra['offered']:,.0f} ({ra['fair_share']:.2f}x) |")
    return "\n".join(out)


def headline_table(before: dict, after: dict) -> str:
    def row(label: str, f) -> str:
        return f"| {label} | {f(before)} | {f(after)} |"

    def extreme(key: str):
        def f(r: dict) -> str:
            x = r["headline"][key]
            return "-" if x is None else f"{x['gm_naam']} {x['persons']:,} of {x['target']:,.0f} ({x['relative_deviation']:+.0%})"
        return f

    res = lambda r: r["result"]  # noqa: E731
    rows = [
        "| | before (lettings offers, linear quota) | after (obligation offers, convex quota) |", "|---|---|---|",
        row("persons linked / target", lambda r: f"{int(r['gemeenten']['persons'].sum()):,} / "
                                                 f"{r['gemeenten']['target'].sum():,.0f}"),
        row("dwellings offered", lambda r: f"{int(r['gemeenten']['offered'].sum()):,}"),
        row("largest over-shoot", extreme("largest_over")),
        row("largest shortfall", extreme("largest_under")),
        row("gemeenten with a target at zero", lambda r: str(r["headline"]["gemeenten_at_zero"])),
        row("share within +-10 % of target", lambda r: f"{r['headline']['share_within_10pct']:.1%}"),
        row("more than 15 % over / under (or zero)",
            lambda r: f"{r['headline']['far_over']} / {r['headline']['far_under_or_zero']}"),
        row("... of them without a binding reason", lambda r: str(r["headline"]["far_off_without_binding_reason"])),
        row("reasons named", lambda r: ", ".join(f"{k} {v}" for k, v in r["headline"]["reasons"].items()) or "-"),
        row("solver", lambda r: f"{res(r).status.value}, gap {res(r).gap:.2%}" if res(r).gap is not None
            else res(r).status.value),
        row("time (inputs + build + solve)", lambda r: f"{r['seconds']:.0f} s wall, {r['cpu']:.0f} s CPU"),
    ]
    return "\n".join(rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--time-limit", type=float, default=120.0)
    ap.add_argument("--markdown", type=Path, help="also write the tables to this file")
    args = ap.parse_args()
    results = {name: run(offer, variant, args.time_limit) for name, (offer, variant) in RUNS.items()}
    text = (gemeente_table(results["before"], results["after"]) + "\n\n"
            + headline_table(results["before"], results["after"]) + "\n")
    print(text)
    for name, r in results.items():
        far = r["far"]
        print(f"\n{name}: far-off gemeenten\n" + (far.to_string(index=False) if len(far) else "(none)"))
    if args.markdown:
        args.markdown.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
