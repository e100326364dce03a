"""Fairness measures on hand cases; the multi-variant comparison on a small dataset
(in parallel processes), with its table, charts and sweep re-checked from the files."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from optimizer.core.errors import InputError
from optimizer.core.tables import read_table
from optimizer.evaluation import fairness
from optimizer.reception import compare

# ------------------------------------------------------------------------------------------
# fairness
# ------------------------------------------------------------------------------------------

def test_gini_hand_cases():
    assert fairness.gini([1, 1, 1, 1]) == pytest.approx(0.0)
    assert fairness.gini([0, 0, 0, 1]) == pytest.approx(0.75)  # (n-1)/n
    assert fairness.gini([1, 2, 3, 4]) == pytest.approx(0.25)  # sum|yi-yj| / (2 n^2 mean) = 20 / 80
    assert fairness.gini([0, 0, 0]) == 0.0


def test_weighted_gini_equals_replicated_units():
    values, weights = [1.0, 5.0, 2.0], [2, 1, 3]
    replicated = [1.0, 1.0, 5.0, 2.0, 2.0, 2.0]
    assert fairness.gini(values, weights) == pytest.approx(fairness.gini(replicated))
    assert fairness.theil(values, weights) == pytest.approx(fairness.theil(replicated))


def test_theil_hand_case():
    # values 1 and 3: mean 2, T = 0.5 * (0.5 ln 0.5) + 0.5 * (1.5 ln 1.5)
    assert fairness.theil([1, 3]) == pytest.approx(0.25 * math.log(0.5) + 0.75 * math.log(1.5))
    assert fairness.theil([2, 2, 2]) == pytest.approx(0.0)
    assert fairness.theil([0, 0, 4]) == pytest.approx(math.log(3))  # all in one of three: ln n


def test_lorenz_curve_points():
    x, y = fairness.lorenz_curve([3, 1], [1, 1])
    assert x.tolist() == [0.0, 0.5, 1.0] and y.tolist() == pytest.approx([0.0, 0.25, 1.0])


def test_dissimilarity_hand_case():
    assert fairness.dissimilarity([10, 0], [5, 5]) == pytest.approx(0.5)
    assert fairness.dissimilarity([2, 4], [1, 2]) == pytest.approx(0.0)


def test_bad_values_rejected():
    with pytest.raises(ValueError):
        fairness.gini([-1, 2])
    with pytest.raises(ValueError):
        fairness.gini([1, 2], [1, 0])


def test_income_quintile_equal_counts():
    q = compare.income_quintile(pd.Series(np.arange(10, 0, -1, dtype=float)))
    assert q.tolist() == [5, 5, 4, 4, 3, 3, 2, 2, 1, 1]


# ------------------------------------------------------------------------------------------
# compare on a small dataset
# ------------------------------------------------------------------------------------------

def small_data() -> dict:
    n = 10
    idx = pd.Index([f"GM{i + 1:04d}" for i in range(n)], name="gm_code")
    gem = pd.DataFrame({
        "gm_naam": [f"G{i + 1}" for i in range(n)],
        "provincie_code": ["PV20"] * 5 + ["PV21"] * 5,
        "provincie": ["Groningen"] * 5 + ["Friesland"] * 5,
        "population_2024": [2000, 3000, 5000, 8000, 12000, 1500, 2500, 4000, 9000, 15000],
        "income_per_inhabitant_keur": [20, 22, 25, 30, 40, 21, 23, 26, 32, 45],
        "ww_per_100_inhabitants": [2.0] * n,
        "bijstand_per_1000_inhabitants": [30, 25, 20, 15, 10, 35, 28, 22, 14, 9],
        "labour_participation_pct": [65, 67, 70, 72, 76, 64, 66, 69, 73, 78],
    }, index=idx)
    existing = pd.Series([0, 0, 20, 0, 60, 0, 0, 0, 30, 40], index=idx)
    return {"gemeenten": gem, "existing": existing}


VARIANTS = {
    "a-statutory": 'name = "statutory"\n[objective]\nfinancing = 0.0\n',
    "b-malus": 'name = "malus"\n[[financing.shortfall]]\nrate = 20000\n',
    "c-neutral": 'name = "neutral"\n[financing]\nbudget_neutral = true\n[[financing.shortfall]]\nrate = 20000\n',
    "d-eu2015": 'name = "eu2015"\n[key]\nname = "eu2015"\n',
}
SITES = ('[[sites]]\nname = "small"\nmin_size = 15\nmax_size = 60\nmax_sites = 2\ncost_per_site_eur = 40000\n'
         '[[sites]]\nname = "large"\nmin_size = 61\nmax_size = 200\nmax_sites = 1\ndurable = true\n'
         'cost_per_site_eur = 60000\nmin_population = 8000\n')


def variant_files(tmp_path: Path) -> list[Path]:
    """Four variant files: name line first, then the variant's tables, then the sites."""
    paths = []
    for stem, body in VARIANTS.items():
        name_line, _, tables = body.partition("\n")
        p = tmp_path / f"{stem}.toml"
        p.write_text(f'kind = "reception"\n{name_line}\ntotal_places = 300\n{tables}{SITES}', encoding="utf-8")
        paths.append(p)
    return paths


def test_compare_small_dataset_parallel_with_sweep(tmp_path):
    out = tmp_path / "cmp"
    paths = variant_files(tmp_path)
    sweep = compare.check_sweep("site_cost", 0.0, 2.0, 2)
    table = compare.compare(paths, out, sweep=sweep, workers=2, data=small_data())
    for name in ("comparison.csv", "lorenz.png", "payments_by_quintile.png", "payments_by_quintile.csv",
                 "pareto.csv", "pareto.png", "compare.json"):
        assert (out / name).exists(), name
    assert [p.name for p in sorted(out.iterdir()) if p.is_dir()] == ["eu2015", "malus", "neutral", "statutory"]
    comp = read_table(out / "comparison.csv").set_index("variant")
    assert list(comp.index) == ["statutory", "malus", "neutral", "eu2015"]
    assert list(table.columns) == list(compare.METRIC_COLUMNS)
    for name in comp.index:
        p = read_table(out / name / "places.csv")
        places = pd.to_numeric(p["places"])
        pop = pd.to_numeric(p["population"])
        pay = pd.to_numeric(p["payment_eur"])
        malus = pd.to_numeric(p["malus_eur"])
        row = comp.loc[name]
        # every metric re-computed from the variant's own places.csv
        assert int(row["total_places"]) == int(places.sum()) >= 300
        assert float(row["gini"]) == pytest.approx(fairness.gini(1000 * places / pop, pop), abs=1e-6)
        assert float(row["theil"]) == pytest.approx(fairness.theil(1000 * places / pop, pop), abs=1e-6)
        assert int(row["zero_places"]) == int((places == 0).sum())
        assert int(row["gemeenten_paying"]) == int((pay < 0).sum())
        assert int(row["gemeenten_receiving"]) == int((pay > 0).sum())
        assert int(row["net_cost_state_eur"]) == int(pay.sum())
        assert int(row["transfers_total_eur"]) == int(pd.to_numeric(p["bonus_eur"]).sum() + malus.sum())
        poorest = p["gm_code"].isin(["GM0001", "GM0006"])  # lowest income of 10 -> quintile 1
        if malus.sum() > 0:
            assert float(row["malus_share_poorest_quintile"]) == pytest.approx(malus[poorest].sum() / malus.sum(), abs=1e-6)
        else:
            assert row["malus_share_poorest_quintile"] == ""
        stat = pop / pop.sum()
        assert float(row["deviation_statutory"]) == pytest.approx(0.5 * (places / places.sum() - stat).abs().sum(), abs=1e-6)
    assert int(comp.loc["neutral", "net_cost_state_eur"]) == 0
    pareto = read_table(out / "pareto.csv")
    assert len(pareto) == 4 * 2 and set(pareto["weight"].astype(float)) == {0.0, 2.0}
    record = json.loads((out / "compare.json").read_text())
    assert record["workers"] == min(2, __import__("os").cpu_count()) and record["jobs"] == 12


def test_compare_rejects_a_bad_variant_before_solving(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('kind = "reception"\n[key]\nname = "custom"\nweights = {population = 0.6}\n', encoding="utf-8")
    out = tmp_path / "out"
    with pytest.raises(InputError, match="must sum to 1"):
        compare.compare(["statutory", bad], out)
    assert not out.exists()


def test_sweep_arguments_checked():
    with pytest.raises(InputError) as err:
        compare.check_sweep("beauty", None, 1.0, 1)
    report = err.value.report()
    assert "unknown weight" in report and "--from" in report and "at least 2 steps" in report


def test_variant_names_never_become_paths():
    """A variant's name from its file becomes a folder name inside --out: sanitised, never
    ``..`` or a path."""
    from types import SimpleNamespace

    names = compare._unique_names([SimpleNamespace(name=n) for n in ("..", "../../etc", "a/b", ".hidden", "ok", "ok")])
    assert names == ["variant", "etc", "a-b", "hidden", "ok", "ok-2"]
    assert all("/" not in n and not n.startswith(".") for n in names)
