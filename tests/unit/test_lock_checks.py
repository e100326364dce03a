"""Locks that cannot be honoured are rejected before the solve (exit 2, naming the lock rows);
the rest are reported per lock in the run record. Tiny frames, no solver except the CLI case."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from support.checker import household_row, state_frame
from typer.testing import CliRunner

from optimizer.cli import app
from optimizer.data import schemas
from optimizer.koppeling.run import locks_report

A, B = "GM0014", "GM0037"


def _households(*rows: dict) -> pd.DataFrame:
    return schemas.load_households(pd.DataFrame(list(rows)), "households")


def _state(live: dict) -> pd.DataFrame:
    return schemas.load_state(state_frame(live), "state")


def _locks(rows: list[tuple[str, str, str]], hh: pd.DataFrame) -> pd.DataFrame:
    return schemas.load_locks(pd.DataFrame(rows, columns=["household_id", "gm_code", "action"]), hh, "locks.csv")


def _problems(rows, hh, live) -> list:
    return schemas.check_locks_can_be_honoured(_locks(rows, hh), "locks.csv", hh, _state(live))


def test_fix_to_a_gemeente_without_a_fitting_dwelling_is_rejected():
    hh = _households(household_row("H7", persons=7, children=5), household_row("H1"))
    found = _problems([("H7", A, "fix"), ("H1", A, "fix")], hh, {A: {"c1": 3, "c4": 2}})
    assert [(v.row, v.column, v.value) for v in found] == [(2, "gm_code", A)]
    assert "needs a dwelling of class 5 or larger" in found[0].rule and "H7" in found[0].rule


def test_referent_and_nareiziger_fixed_apart_or_against_a_forbid_are_rejected():
    hh = _households(household_row("R"), household_row("N", referent_id="R"))
    apart = _problems([("R", A, "fix"), ("N", B, "fix")], hh, {A: {"c1": 2}, B: {"c1": 2}})
    assert sorted(v.row for v in apart) == [2, 3] and all("one gemeente" in v.rule for v in apart)
    against = _problems([("R", A, "fix"), ("N", A, "forbid")], hh, {A: {"c1": 2}})
    assert [v.row for v in against] == [2] and "forbid" in against[0].rule
    together = _problems([("R", A, "fix"), ("N", A, "fix")], hh, {A: {"c1": 2}})
    assert together == []


def test_more_fixed_households_than_dwellings_and_caps_are_rejected():
    hh = _households(*(household_row(f"H{i}", persons=3, children=1) for i in range(3)))
    rows = [(f"H{i}", A, "fix") for i in range(3)]
    found = _problems(rows, hh, {A: {"c3": 1, "c4": 1}})
    assert sorted(v.row for v in found) == [2, 3, 4] and "3 households fixed" in found[0].rule
    assert _problems(rows, hh, {A: {"c3": 3}}) == []
    capped = _problems(rows[:1], hh, {A: {"c3": 3, "cap_persons": 2}})
    assert [v.row for v in capped] == [2] and "cap" in capped[0].rule


def test_singles_may_share_class_2_dwellings_so_two_fit_one():
    hh = _households(household_row("S1"), household_row("S2"))
    assert _problems([("S1", A, "fix"), ("S2", A, "fix")], hh, {A: {"c2": 1}}) == []


def test_locks_report_lists_every_lock_not_honoured():
    locks = pd.DataFrame({"household_id": ["H1", "H2", "H3"], "gm_code": [A, B, A], "action": ["fix", "fix", "forbid"]})
    proposal = pd.DataFrame({"household_id": ["H1", "H2", "H3"], "status": ["linked", "unplaced", "linked"],
                             "gm_code": [A, "", A]})
    report = locks_report(locks, proposal)
    assert (report["fix"], report["forbid"]) == (2, 1)
    assert [(x["household_id"], x["action"], x["proposed"]) for x in report["not_honoured"]] == [
        ("H2", "fix", ""), ("H3", "forbid", A)]
    assert locks_report(None, proposal) == {"fix": 0, "forbid": 0, "not_honoured": []}


def _propose(tmp_path, rows: list[dict], live: dict, locks: list[tuple[str, str, str]], *extra: str):
    """``spreiding propose`` on tiny files (households, a state of ``live`` gemeenten, locks)."""
    hh, state, lock_file, out = (tmp_path / n for n in ("hh.csv", "state.csv", "locks.csv", "out"))
    pd.DataFrame(rows).to_csv(hh, index=False)
    state_frame(live).to_csv(state, index=False)
    pd.DataFrame(locks, columns=["household_id", "gm_code", "action"]).to_csv(lock_file, index=False)
    result = CliRunner().invoke(app, ["propose", "--households", str(hh), "--state", str(state), "--lock",
                                      str(lock_file), "--date", "2025-08-04", "--out", str(out), *extra])
    return result, lock_file, out


def test_cli_rejects_an_impossible_lock_before_solving(tmp_path):
    r, locks, out = _propose(tmp_path, [household_row("H7", persons=7, children=5)], {A: {"target": 7, "c1": 2}},
                             [("H7", A, "fix")])
    assert r.exit_code == 2, r.output
    assert f"{locks}, row 2, column 'gm_code': value '{A}'" in r.stderr and "class 5" in r.stderr
    assert not out.exists()


def test_run_record_reports_locks(tmp_path):
    r, _, out = _propose(tmp_path, [household_row("H1"), household_row("H2")],
                         {A: {"target": 2, "c1": 2}, B: {"target": 1, "c1": 1}},
                         [("H1", A, "fix"), ("H2", B, "forbid")], "--no-xlsx", "--no-map")
    assert r.exit_code == 0, r.output
    record = json.loads((out / "run.json").read_text(encoding="utf-8"))
    cost = record["locks"].pop("cost")  # what the locks cost: objective with them minus without
    assert record["locks"] == {"fix": 1, "forbid": 1, "not_honoured": []}
    assert cost["cost_points"] == pytest.approx(cost["objective_with_locks"] - cost["objective_without_locks"])
    assert cost["cost_points"] >= -1e-6
    assert record["objective_unit"].startswith("points")  # the unit of every number called points


def test_reasons_say_what_the_locks_did(tmp_path):
    """Every reason is true of its household: a fixed household's reason says the lock fixed
    it there, a household with a forbid names the forbidden gemeente, others say nothing of locks."""
    r, _, out = _propose(tmp_path, [household_row("H1", tie_family_gm=B), household_row("H2"), household_row("H3")],
                         {A: {"target": 2, "c1": 3}, B: {"target": 1, "c1": 1}},
                         [("H1", A, "fix"), ("H2", B, "forbid")], "--no-xlsx", "--no-map")
    assert r.exit_code == 0, r.output
    proposal = pd.read_csv(out / "proposal.csv", dtype=str, keep_default_na=False).set_index("household_id")
    codes = proposal["reason_codes"].str.split(";")
    assert proposal.at["H1", "gm_code"] == A and "lock_fixed_here" in codes["H1"]
    assert "tie_overridden_by_lock" in codes["H1"] and "tie_not_honoured_soft" not in codes["H1"]
    assert proposal.at["H2", "gm_code"] != B and f'{{"code":"lock_forbids","gm_codes":["{B}"]}}' in \
        proposal.at["H2", "reason_values"]
    assert not any("lock" in c for c in codes["H3"])
    # in the run's language (Dutch by default)
    assert "vastgezet door een vergrendeling van de planner" in proposal.at["H1", "reason"]
    assert f"een vergrendeling van de planner verbiedt {B}" in proposal.at["H2", "reason"]
