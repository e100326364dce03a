"""Planning a half-year from the command line (docs/cycle.md): one meaning of ``--date`` in
``taakstelling`` and ``state``, the target rule in the output, ``state --whole-period`` and a small
proposal on it, and ``households --as-of``.

Numbers are recomputed by hand: the linear pace from 1 July to the koppel deadline 1 October
(92 days), rounded up; the dwelling offer of the embedded housing table.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
from typer.testing import CliRunner

from optimizer.cli import app
from optimizer.data import schemas
from optimizer.rules.dwellings import DWELLING_COLUMNS

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args))


def table(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype={"gm_code": str}).set_index("gm_code")


def ceil_div(a: int, b: int) -> int:
    return -((-a) // b)


def test_date_means_the_batch_date_in_taakstelling_and_state(tmp_path):
    t_out, s_out = tmp_path / "t.csv", tmp_path / "s.csv"
    assert invoke("taakstelling", "--period", "2025-H2", "--date", "2025-08-04", "--out", str(t_out), "-q").exit_code == 0
    assert invoke("state", "--period", "2025-H2", "--date", "2025-08-04", "--out", str(s_out), "-q").exit_code == 0
    t, s = table(t_out), table(s_out)
    taak = int(t.loc["GM0014", "target"])
    pace, before = ceil_div(taak * 34, 92), ceil_div(taak * 27, 92)  # by 4 August; by 28 July (a week before)
    assert (t.loc["GM0014", "pace_target"], t.loc["GM0014", "linked"], t.loc["GM0014", "batch_target"]) == \
        (pace, before, pace - before) == (66, 52, 14)
    assert (s["target"] == t["batch_target"]).all() and (s["linked"] == t["linked"]).all()
    assert set(t["target_rule"]) == set(s["target_rule"]) == {"pace"}


def test_batch_days_means_the_same_in_both_commands(tmp_path):
    t_out, s_out = tmp_path / "t.csv", tmp_path / "s.csv"
    common = ("--period", "2025-H2", "--date", "2025-09-15", "--batch-days", "14", "-q")
    assert invoke("taakstelling", *common, "--out", str(t_out)).exit_code == 0
    assert invoke("state", *common, "--out", str(s_out)).exit_code == 0
    t, s = table(t_out), table(s_out)
    taak = int(t.loc["GM0014", "target"])
    assert t.loc["GM0014", "batch_target"] == ceil_div(taak * 76, 92) - ceil_div(taak * 62, 92)
    assert (s["target"] == t["batch_target"]).all()


def test_after_the_deadline_catch_up_needs_linked(tmp_path):
    out = tmp_path / "s.csv"
    r = invoke("state", "--period", "2025-H2", "--date", "2025-11-03", "--out", str(out))
    assert r.exit_code == 2 and "--linked" in r.stderr and "catch-up" in r.stderr and "2025-10-01" in r.stderr
    assert not out.exists()
    linked = tmp_path / "linked.csv"
    linked.write_text("gm_code,linked\nGM0014,150\nGM0034,200\n", encoding="utf-8")
    r = invoke("state", "--period", "2025-H2", "--date", "2025-11-03", "--linked", str(linked), "--out", str(out))
    assert r.exit_code == 0, r.stderr
    assert "catch-up" in r.stderr
    s = table(out)
    assert s.loc["GM0014", "target"] == s.loc["GM0014", "taakstelling"] - 150 == 27
    assert s.loc["GM0034", "target"] == 0  # 165 - 200: ahead, nothing more
    assert (s.drop(index=["GM0014", "GM0034"]).eval("target == taakstelling")).all()
    assert set(s["target_rule"]) == {"catch-up"}


def test_state_needs_a_date_or_whole_period(tmp_path):
    out = tmp_path / "s.csv"
    r = invoke("state", "--period", "2025-H2", "--out", str(out))
    assert r.exit_code == 2 and "--date" in r.stderr and "--whole-period" in r.stderr
    assert not out.exists()


def test_december_state_for_the_next_h1(tmp_path):
    out = tmp_path / "s.csv"
    r = invoke("state", "--period", "2025-H1", "--date", "2024-12-02", "--out", str(out))
    assert r.exit_code == 0, r.stderr
    s = table(out)
    assert set(s["target_rule"]) == {"before-start"}
    assert s.loc["GM0014", "target"] == ceil_div(int(s.loc["GM0014", "taakstelling"]) * 7, 90)
    r = invoke("state", "--period", "2025-H1", "--date", "2024-09-30", "--out", str(out))
    assert r.exit_code == 2 and "2024-10-01" in r.stderr


def test_whole_period_state_and_a_small_proposal_on_it(tmp_path):
    """A whole half-year state scaled down (national 300, rounded to nearest) and 40 households."""
    linked = tmp_path / "linked.csv"
    linked.write_text("gm_code,linked\nGM0363,10\n", encoding="utf-8")
    state = tmp_path / "whole.csv"
    r = invoke("state", "--period", "2025-H2", "--whole-period", "--national", "300", "--rounding", "nearest",
               "--linked", str(linked), "--out", str(state))
    assert r.exit_code == 0, r.stderr
    assert "whole-period" in r.stderr
    s = table(state)
    assert set(s["target_rule"]) == {"whole-period"}
    amsterdam = int(s.loc["GM0363", "taakstelling"])
    assert amsterdam > 10 and s.loc["GM0363", "target"] == amsterdam - 10 and s.loc["GM0363", "linked"] == 10
    assert s["target"].sum() == s["taakstelling"].sum() - 10 < 300
    # the whole half-year's offer of the default (obligation) model on the half-year target (the
    # taakstelling here): ceil((1.15 - 0.15 x pressure) x T / 2) dwellings where T > 0, else none
    t, pressure = s["taakstelling"].astype(float), s["housing_pressure"].astype(float)
    expected = np.where(t > 0, np.ceil((1.15 - 0.15 * pressure) * t / 2 - 1e-9), 0)
    assert (s[list(DWELLING_COLUMNS)].sum(axis=1).to_numpy() == expected).all()
    schemas.load_state(state)

    households = tmp_path / "households.csv"
    assert invoke("households", "--n", "40", "--seed", "4", "--as-of", "2025-07-01", "--out", str(households),
                  "-q").exit_code == 0
    out = tmp_path / "proposal"
    r = invoke("propose", "--households", str(households), "--state", str(state), "--date", "2025-07-01",
               "--out", str(out), "--no-xlsx", "--no-map", "-q", "--time-limit", "30")
    assert r.exit_code == 0, r.output
    gem = table(out / "gemeenten.csv")
    assert (gem["target"] == s["target"].reindex(gem.index)).all()
    provinces = pd.read_csv(out / "provinces.csv")
    assert provinces["fulfilment"].notna().all()
    record = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert record["status"] in ("optimal", "feasible")


def test_households_permit_dates_on_or_before_as_of(tmp_path):
    out = tmp_path / "h.csv"
    for as_of in ("2024-12-02", "2025-07-01", "2026-11-30"):
        assert invoke("households", "--n", "120", "--as-of", as_of, "--out", str(out), "-q").exit_code == 0
        permits = pd.to_datetime(pd.read_csv(out)["permit_date"]).dt.date
        assert (permits <= date.fromisoformat(as_of)).all()
        assert permits.max() >= date.fromisoformat(as_of) - pd.Timedelta(days=60)  # recent ones too
