"""Example comparison of reception variants, for docs/reception.md and docs/img/.

Runs ``spreiding compare`` on eight shipped variants (embedded dataset, 342 gemeenten, with the
MODELLED existing places), on six of them again with the published COA capacity of November
2025 as existing places (raw NOS file, only when it is present; see docs/reception.md), and a
fairness-cost sweep of the site-cost weight on two variants. Copies the charts to
``docs/img/reception-*.png`` and prints the tables as Markdown.

    .venv/bin/python scripts/example_comparison.py [--out out/example-comparison] [--workers N]
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

import pandas as pd

from optimizer.core.paths import REPO_ROOT, raw_dir
from optimizer.data import dataset
from optimizer.reception import compare

VARIANTS = ("statutory", "eu2015", "sweden", "bonus-only", "linear-malus", "budget-neutral", "progressive",
            "verevening")
CAPACITY_VARIANTS = ("statutory", "eu2015", "bonus-only", "linear-malus", "budget-neutral", "progressive")
SWEEP_VARIANTS = ("statutory", "linear-malus")
CAPACITY_FILE = "spreidingswet_coa_capaciteit_per_gemeente_2025-11.csv"
SWEEP = ("site_cost", 0.0, 8.0, 5)


def markdown(table: pd.DataFrame) -> str:
    cols = {
        "variant": "variant", "total_places": "places", "gini": "Gini", "theil": "Theil",
        "max_per_1000": "max /1000", "min_per_1000": "min /1000", "zero_places": "zero",
        "gemeenten_paying": "paying", "gemeenten_receiving": "receiving",
        "transfers_total_eur": "transfers MEUR", "net_cost_state_eur": "net cost State MEUR",
        "malus_share_poorest_quintile": "malus share Q1", "deviation_statutory": "dev. statutory",
        "site_cost_eur": "site cost MEUR",
    }
    t = table[list(cols)].copy()
    for c in ("transfers_total_eur", "net_cost_state_eur", "site_cost_eur"):
        t[c] = t[c] / 1e6
    lines = ["| " + " | ".join(cols.values()) + " |", "|" + "---|" * len(cols)]
    for _, r in t.iterrows():
        cells = []
        for c in cols:
            v = r[c]
            if v is None or (isinstance(v, float) and pd.isna(v)):
                cells.append("-")
            elif c in ("gini", "theil", "deviation_statutory", "malus_share_poorest_quintile"):
                cells.append(f"{v:.4f}")
            elif c in ("max_per_1000", "min_per_1000", "transfers_total_eur", "net_cost_state_eur", "site_cost_eur"):
                cells.append(f"{v:,.1f}")
            else:
                cells.append(f"{v:,}" if isinstance(v, (int,)) else str(v))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(REPO_ROOT / "out" / "example-comparison"))
    ap.add_argument("--workers", type=int, default=None)
    ap.add_argument("--no-copy", action="store_true", help="do not copy the charts into docs/img")
    args = ap.parse_args()
    out = Path(args.out)
    img = REPO_ROOT / "docs" / "img"
    table = compare.compare(VARIANTS, out / "variants", workers=args.workers)
    print("## Embedded dataset (modelled existing places)\n")
    print(markdown(table))
    copies = {out / "variants" / "lorenz.png": img / "reception-lorenz.png",
              out / "variants" / "payments_by_quintile.png": img / "reception-payments-by-quintile.png"}

    capacity_file = raw_dir() / CAPACITY_FILE
    if capacity_file.exists():
        existing = dataset.load_spreidingswet(capacity_file)["capacity_total"]
        cap = compare.compare(CAPACITY_VARIANTS, out / "capacity", workers=args.workers, data={"existing": existing})
        print(f"\n## Published COA capacity as existing places ({CAPACITY_FILE})\n")
        print(markdown(cap))
        quint = pd.read_csv(out / "capacity" / "payments_by_quintile.csv").set_index("income_quintile") / 1e6
        print("\nNet payments by income quintile, EUR million per year:\n")
        print(quint.round(1).to_string())
        copies.update({out / "capacity" / "lorenz.png": img / "reception-capacity-lorenz.png",
                       out / "capacity" / "payments_by_quintile.png": img / "reception-capacity-payments-by-quintile.png"})
    else:
        print(f"\n(skipped the published-capacity comparison: {capacity_file} not found)")

    sweep = compare.check_sweep(*SWEEP)
    compare.compare(SWEEP_VARIANTS, out / "sweep", sweep=sweep, workers=args.workers)
    copies[out / "sweep" / "pareto.png"] = img / "reception-pareto.png"
    pareto = pd.read_csv(out / "sweep" / "pareto.csv")
    print("\n## Sweep\n")
    print(pareto[["variant", "weight", "gini", "deviation_key", "site_cost_eur", "net_cost_state_eur", "cost_total_eur",
                  "new_sites", "status", "gap"]].to_string(index=False))
    if not args.no_copy:
        img.mkdir(parents=True, exist_ok=True)
        for src, dst in copies.items():
            shutil.copy(src, dst)


if __name__ == "__main__":
    main()
