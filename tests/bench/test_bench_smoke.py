"""Smoke run of the koppeling benchmark (scripts/bench.py): the code path works and the small
instance is solved to its gap. Timings are not asserted here; targets live in the benchmark."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def load_bench():
    spec = importlib.util.spec_from_file_location("bench", ROOT / "scripts" / "bench.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def test_bench_quick_instance_engine_and_naive_agree():
    bench = load_bench()
    engine = bench.run_single("quick", "aggregated", 60.0)
    naive = bench.run_single("quick", "per_household", 120.0)
    for r in (engine, naive):
        assert r["status"] == "optimal"
        assert r["gap"] <= r["gap_target"] + 1e-12
        assert r["bound"] <= r["objective"] + 1e-6
    # both are optimal within the gap, so their objectives differ by at most the gaps
    tol = (engine["gap_target"] + naive["gap_target"]) * max(abs(engine["objective"]), 1.0)
    assert abs(engine["objective"] - naive["objective"]) <= tol
    # the aggregated model is smaller than one binary per household-gemeente pair
    assert engine["variables"] < naive["variables"]
    assert engine["units"] <= engine["households"]
