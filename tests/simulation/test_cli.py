"""``spreiding simulate`` end to end (serial, tiny) and its bad input (exit 2, nothing written)."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from support.cli import invoke


def test_simulate_writes_keyed_results_charts_and_report(tmp_path):
    out = tmp_path / "sim"
    r = invoke("simulate", "--out", str(out), "--weeks", "2", "--scale", "0.2", "--seeds", "1,2",
               "--policies", "baseline,weekly", "--serial", "--quiet")
    assert r.exit_code == 0, r.output
    results = pd.read_parquet(out / "results.parquet")
    assert set(results["policy"]) == {"baseline", "weekly", "hindsight"}
    assert len(results) == 6 and not results[["scenario", "policy", "variant", "seed"]].duplicated().any()
    hs = results[results["policy"] == "hindsight"].set_index("seed")
    for _, row in results[results["policy"] != "hindsight"].iterrows():
        assert hs.loc[row["seed"], "bound"] <= row["hindsight_objective"] + 1e-6
        assert row["labour_ratio"] == pytest.approx(row["labour"] / hs.loc[row["seed"], "labour"])
    for name in ("weekly", "gemeenten", "comparison", "households", "household_types"):
        assert (out / f"{name}.parquet").exists() and (out / f"{name}.csv").exists()
    for name in ("fulfilment", "waiting", "comparison"):
        assert (out / f"{name}.png").stat().st_size > 0 and (out / f"{name}.svg").exists()
    assert (out / "report.html").exists()
    record = json.loads((out / "run.json").read_text())
    assert record["command"] == "simulate" and record["tasks"]["failed"] == []
    # a rerun resumes: same table
    r2 = invoke("simulate", "--out", str(out), "--weeks", "2", "--scale", "0.2", "--seeds", "1,2",
                "--policies", "baseline,weekly", "--serial", "--quiet")
    assert r2.exit_code == 0
    pd.testing.assert_frame_equal(results, pd.read_parquet(out / "results.parquet"))


@pytest.mark.parametrize(("args", "option", "value"), [
    (["--weeks", "0"], "--weeks", "0"),
    (["--scale", "1.5"], "--scale", "1.5"),
    (["--seeds", "a-b"], "--seeds", "a-b"),
    (["--policies", "weekly,random"], "--policies", "random"),
    (["--provinces", "PV99"], "--provinces", "PV99"),
    (["--period", "2025-H3"], "--period", "2025-H3"),
    (["--variants", "nope"], "nope", ""),
    (["--national", "-5"], "--national", "-5"),
    (["--serial", "--scheduler", "tcp://x:1"], "--scheduler", "tcp://x:1"),
])
def test_bad_input_exits_2_and_writes_nothing(tmp_path, args, option, value):
    out = tmp_path / "sim"
    r = invoke("simulate", "--out", str(out), *args)
    assert r.exit_code == 2, r.output
    assert option in r.output and value in r.output
    assert "Traceback" not in r.output
    assert not out.exists() and not (tmp_path / ".sim.tasks").exists()


def test_all_problems_reported_at_once(tmp_path):
    r = invoke("simulate", "--out", str(tmp_path / "x"), "--weeks", "0", "--scale", "0", "--seeds", "-")
    assert r.exit_code == 2
    assert "3 problems" in r.output
