"""Against ``--previous`` the run says how many links changed, and with ``--lock`` what the locks
cost (objective with them minus without), in run.json and in the printed summary; the numbers
are checked by hand and against two independent brute-force optima."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from support.checker import Instance, brute_force, household_row, state_frame, variant_toml, weights
from support.cli import invoke

from optimizer.data import schemas

A, B, C = "GM0014", "GM0037", "GM0363"
ROWS = [household_row(f"H{i}") for i in (1, 2, 3, 4)]
LIVE = {A: dict(target=2, c1=2), B: dict(target=1, c1=2), C: dict(target=1, c1=2)}
W = weights(quota=100, unplaced=1000, change=10)


def _files(tmp_path):
    hh, st = tmp_path / "hh.csv", tmp_path / "st.csv"
    pd.DataFrame(ROWS).to_csv(hh, index=False)
    state_frame(LIVE).to_csv(st, index=False)
    return hh, st, variant_toml(tmp_path / "v.toml", W)


def _optimum(locks=None, previous=None) -> float:
    households = schemas.validate_households(pd.DataFrame(ROWS), "households")
    state = schemas.validate_state(state_frame(LIVE), "state")
    lock_df = pd.DataFrame(locks, columns=["household_id", "gm_code", "action"]) if locks else None
    return brute_force(Instance(households, state, W, locks=lock_df, previous=previous))[0]


def test_links_changed_and_lock_cost_in_run_json_and_summary(tmp_path):
    hh, st, v = _files(tmp_path)
    # previous: H1, H2 in A, H3 in B, H4 in C (the optimum, 0 points). Locks: H3 fixed to A and
    # H1 forbidden A -> H1 must move (B or C); 0 points is no longer possible.
    previous = {"H1": A, "H2": A, "H3": B, "H4": C}
    prev = tmp_path / "prev.csv"
    pd.DataFrame({"household_id": list(previous), "status": "linked", "gm_code": list(previous.values())}).to_csv(
        prev, index=False)
    locks = [("H3", A, "fix"), ("H1", A, "forbid")]
    lock = tmp_path / "locks.csv"
    pd.DataFrame(locks, columns=["household_id", "gm_code", "action"]).to_csv(lock, index=False)
    out = tmp_path / "out"
    r = invoke("propose", "--households", str(hh), "--state", str(st), "--variant", str(v), "--previous", str(prev),
               "--lock", str(lock), "--out", str(out), "--gap", "0", "--no-xlsx", "--no-map")
    assert r.exit_code == 0, r.output
    record = json.loads((out / "run.json").read_text(encoding="utf-8"))
    proposal = pd.read_csv(out / "proposal.csv", dtype=str, keep_default_na=False).set_index("household_id")
    now = proposal["gm_code"].where(proposal["status"].eq("linked"), "")
    changed = sum(now[h] not in ("", g) for h, g in previous.items())
    ap = record["against_previous"]
    assert ap["households_decided_again"] == 4 and ap["newly_linked"] == 0
    assert ap["kept"] == sum(now[h] == g for h, g in previous.items())
    assert ap["linked_elsewhere"] == changed >= 2  # H3 (fixed to A) and H1 (forbidden A) moved at least
    assert ap["change_term_points"] == pytest.approx(10.0 * changed)
    cost = record["locks"]["cost"]
    with_locks, without = _optimum(locks, previous), _optimum(None, previous)
    assert without == pytest.approx(0.0)
    assert cost["objective_with_locks"] == pytest.approx(with_locks, abs=1e-6)
    assert cost["objective_without_locks"] == pytest.approx(without, abs=1e-6)
    assert cost["cost_points"] == pytest.approx(with_locks - without, abs=1e-6) and cost["cost_points"] > 0
    assert f"{changed} linked elsewhere" in r.stdout and f"the locks cost {with_locks - without:+.2f} points" in r.stdout


def test_no_previous_no_locks_nothing_said(tmp_path):
    hh, st, v = _files(tmp_path)
    out = tmp_path / "out"
    r = invoke("propose", "--households", str(hh), "--state", str(st), "--variant", str(v), "--out", str(out),
               "--no-xlsx", "--no-map")
    assert r.exit_code == 0, r.output
    record = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert record["against_previous"] is None and "cost" not in record["locks"]
    assert "against --previous" not in r.stdout and "the locks cost" not in r.stdout
    # the unit of the points columns is in the outputs themselves
    for name in ("proposal.csv", "gemeenten.csv"):
        table = pd.read_csv(out / name, dtype=str, keep_default_na=False)
        assert table["points_unit"].str.contains("in punten, de eenheid van de doelfunctie").all()  # Dutch by default
