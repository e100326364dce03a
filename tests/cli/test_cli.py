"""Tests of the command-line interface (optimizer.cli) without solving any model.

Bad input must give exit code 2, a report on stderr naming file/row/column, no traceback and no
output. Numbers are checked against the art. 29 formula recomputed with Fraction from
data/population.csv.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from support.cli import formula, invoke, population, read_csv

from optimizer.data import schemas

POP = population("2024-01-01")


# --------------------------------------------------------------------------------------------
# taakstelling
# --------------------------------------------------------------------------------------------

def test_taakstelling_writes_342_rows_matching_formula(tmp_path):
    out = tmp_path / "t.csv"
    r = invoke("taakstelling", "--period", "2025-H2", "--out", str(out), "--quiet")
    assert r.exit_code == 0, r.stderr
    rows = read_csv(out)
    assert len(rows) == 342
    expected = formula(13_000, POP)
    assert {row["gm_code"]: int(row["taakstelling"]) for row in rows} == expected
    assert {row["rounding"] for row in rows} == {"up"}
    assert {row["national"] for row in rows} == {"13000"}
    assert {row["reference_date"] for row in rows} == {"2024-01-01"}
    assert all(int(row["target"]) == int(row["taakstelling"]) for row in rows)
    assert [p.name for p in tmp_path.iterdir()] == ["t.csv"]  # no temp file left


def test_taakstelling_nearest_and_national_override(tmp_path):
    out = tmp_path / "t.csv"
    r = invoke("taakstelling", "--period", "2025-H1", "--out", str(out), "--rounding", "nearest",
               "--national", "12000", "-q")
    assert r.exit_code == 0, r.stderr
    rows = read_csv(out)
    assert {row["gm_code"]: int(row["taakstelling"]) for row in rows} == formula(12_000, POP, "nearest")
    assert {row["rounding"] for row in rows} == {"nearest"}
    assert {row["national"] for row in rows} == {"12000"}


def test_taakstelling_with_swaps_realised_date_and_linked(tmp_path):
    (tmp_path / "swaps.csv").write_text("swap_id,gm_code,delta\nA,GM0014,-7\nA,GM0034,7\n", encoding="utf-8")
    (tmp_path / "realised.csv").write_text("gm_code;period;housed;target\nGM0014;2025-H1;100;150\n",
                                           encoding="utf-8")
    (tmp_path / "linked.csv").write_text("gm_code,linked\nGM0014,20\n", encoding="utf-8")
    out = tmp_path / "t.xlsx"
    r = invoke("taakstelling", "--period", "2025-H2", "--out", str(out), "--swaps", str(tmp_path / "swaps.csv"),
               "--realised", str(tmp_path / "realised.csv"), "--date", "2025-08-04",
               "--linked", str(tmp_path / "linked.csv"), "-q")
    assert r.exit_code == 0, r.stderr
    t = pd.read_excel(out).set_index("gm_code")
    base = formula(13_000, POP)
    target = base["GM0014"] - 7 + 50
    assert t.loc["GM0014", "target"] == target
    assert t.loc["GM0034", "target"] == base["GM0034"] + 7
    assert int(t["target"].sum()) == sum(base.values()) + 50
    pace = -((-target * 34) // 92)
    assert t.loc["GM0014", "pace_target"] == pace
    assert t.loc["GM0014", "batch_target"] == max(0, pace - 20)


@pytest.mark.parametrize("period", ["2025-H3", "2025H2", "25-H1"])
def test_taakstelling_bad_period(tmp_path, period):
    out = tmp_path / "t.csv"
    r = invoke("taakstelling", "--period", period, "--out", str(out))
    assert r.exit_code == 2
    assert "--period" in r.stderr and period in r.stderr and "YYYY-H1 or YYYY-H2" in r.stderr
    assert "nothing was written" in r.stderr
    assert r.stdout == ""
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_taakstelling_bad_rounding(tmp_path):
    out = tmp_path / "t.csv"
    r = invoke("taakstelling", "--period", "2025-H2", "--out", str(out), "--rounding", "sideways")
    assert r.exit_code == 2
    assert "--rounding" in r.stderr and "sideways" in r.stderr
    assert not out.exists()


def test_taakstelling_missing_reference_population(tmp_path):
    out = tmp_path / "t.csv"
    r = invoke("taakstelling", "--period", "2027-H1", "--national", "14000", "--out", str(out))
    assert r.exit_code == 2
    assert "2026-01-01" in r.stderr and "--population" in r.stderr and "--population-year" in r.stderr
    assert not out.exists()


def test_taakstelling_bad_output_suffix(tmp_path):
    out = tmp_path / "t.json"
    r = invoke("taakstelling", "--period", "2025-H2", "--out", str(out))
    assert r.exit_code == 2 and "unsupported output type" in r.stderr
    assert not out.exists()


def test_taakstelling_date_outside_period(tmp_path):
    out = tmp_path / "t.csv"
    r = invoke("taakstelling", "--period", "2025-H2", "--out", str(out), "--date", "2025-03-01")
    assert r.exit_code == 2 and "--date" in r.stderr and "2025-03-01" in r.stderr
    assert not out.exists()


def test_taakstelling_bad_swaps_file_names_file_row_column(tmp_path):
    swaps = tmp_path / "swaps.csv"
    swaps.write_text("swap_id,gm_code,delta\nA,GM0014,-7\nA,GM9999,7\n", encoding="utf-8")
    out = tmp_path / "t.csv"
    r = invoke("taakstelling", "--period", "2025-H2", "--out", str(out), "--swaps", str(swaps))
    assert r.exit_code == 2
    assert f"{swaps}, row 3, column 'gm_code': value 'GM9999'" in r.stderr
    assert not out.exists()


def test_taakstelling_realised_current_period_names_the_file(tmp_path):
    realised = tmp_path / "my_realised.csv"
    realised.write_text("gm_code,period,housed\nGM0014,2025-H1,3\nGM0034,2025-H2,4\n", encoding="utf-8")
    out = tmp_path / "t.csv"
    r = invoke("taakstelling", "--period", "2025-H2", "--out", str(out), "--realised", str(realised))
    assert r.exit_code == 2
    assert not out.exists()
    assert f"{realised}, row 3, column 'period': value '2025-H2'" in r.stderr


def test_taakstelling_negative_swap_names_the_file(tmp_path):
    n = formula(13_000, POP)["GM0037"] + 1
    swaps = tmp_path / "my_swaps.csv"
    swaps.write_text(f"swap_id,gm_code,delta\nA,GM0037,-{n}\nA,GM0014,{n}\n", encoding="utf-8")
    out = tmp_path / "t.csv"
    r = invoke("taakstelling", "--period", "2025-H2", "--out", str(out), "--swaps", str(swaps))
    assert r.exit_code == 2
    assert not out.exists()
    assert "GM0037" in r.stderr and "negative" in r.stderr
    assert str(swaps) in r.stderr


def test_taakstelling_failure_keeps_existing_output(tmp_path):
    out = tmp_path / "t.csv"
    out.write_text("previous\n", encoding="utf-8")
    r = invoke("taakstelling", "--period", "2025-H2", "--out", str(out), "--rounding", "sideways")
    assert r.exit_code == 2
    assert out.read_text(encoding="utf-8") == "previous\n"


# --------------------------------------------------------------------------------------------
# households, state
# --------------------------------------------------------------------------------------------

def test_households_is_deterministic(tmp_path):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    for f in (a, b):
        r = invoke("households", "--n", "20", "--seed", "3", "--out", str(f), "-q")
        assert r.exit_code == 0, r.stderr
    assert a.read_bytes() == b.read_bytes()
    hh = schemas.load_households(a)
    assert len(hh) >= 20  # 20 awaiting households plus any referent rows
    c = tmp_path / "c.csv"
    assert invoke("households", "--n", "20", "--seed", "4", "--out", str(c), "-q").exit_code == 0
    assert c.read_bytes() != a.read_bytes()


def test_households_rejects_n_zero(tmp_path):
    out = tmp_path / "h.csv"
    r = invoke("households", "--n", "0", "--out", str(out))
    assert r.exit_code == 2 and "--n" in r.stderr
    assert not out.exists()


def test_state_writes_342_valid_rows(tmp_path):
    out = tmp_path / "s.csv"
    r = invoke("state", "--period", "2025-H2", "--date", "2025-08-04", "--out", str(out), "-q")
    assert r.exit_code == 0, r.stderr
    rows = read_csv(out)
    assert len(rows) == 342
    state = schemas.load_state(out)
    assert len(state) == 342
    assert sorted(state.index) == sorted(POP)
    assert (state["target"] >= 0).all()
    expected = formula(13_000, POP)
    assert {g: int(v) for g, v in state["taakstelling"].items()} == expected


def test_state_bad_date(tmp_path):
    out = tmp_path / "s.csv"
    r = invoke("state", "--period", "2025-H2", "--date", "4-8-2025", "--out", str(out))
    assert r.exit_code == 2 and "--date" in r.stderr and "YYYY-MM-DD" in r.stderr
    assert not out.exists()


# --------------------------------------------------------------------------------------------
# propose: input errors only (no model is solved)
# --------------------------------------------------------------------------------------------

def _bad_households(tmp_path: Path) -> Path:
    path = tmp_path / "hh.csv"
    assert invoke("households", "--n", "6", "--seed", "2", "--out", str(path), "-q").exit_code == 0
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df.loc[2, "coa_location_gm"] = "GM9999"
    df.to_csv(path, index=False)
    return path


def test_propose_bad_households_exit_2_and_no_output(tmp_path):
    hh = _bad_households(tmp_path)
    out = tmp_path / "proposal"
    r = invoke("propose", "--households", str(hh), "--period", "2025-H2", "--date", "2025-08-04",
               "--out", str(out), "-q")
    assert r.exit_code == 2
    assert f"{hh}, row 4, column 'coa_location_gm': value 'GM9999'" in r.stderr
    assert "gemeente code" in r.stderr
    assert "Traceback" not in r.stderr
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hh.csv"]


def test_propose_needs_state_or_period_and_date(tmp_path):
    hh = _bad_households(tmp_path)
    out = tmp_path / "proposal"
    r = invoke("propose", "--households", str(hh), "--out", str(out))
    assert r.exit_code == 2 and "--state" in r.stderr
    assert not out.exists()


def test_console_script_reports_without_traceback(tmp_path):
    exe = Path(sys.executable).with_name("spreiding")
    if not exe.exists():
        pytest.skip(f"console script not installed next to {sys.executable}")
    hh = _bad_households(tmp_path)
    out = tmp_path / "proposal"
    proc = subprocess.run([str(exe), "propose", "--households", str(hh), "--period", "2025-H2",
                           "--date", "2025-08-04", "--out", str(out)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "error: 1 problem in the input; nothing was written." in proc.stderr
    assert f"{hh}, row 4, column 'coa_location_gm': value 'GM9999'" in proc.stderr
    assert not out.exists()


@pytest.mark.parametrize("command", ["propose", "reception", "compare"])
def test_bad_out_folder_is_refused_before_any_solve(tmp_path, command):
    """--out at an existing file: exit 2 naming --out, nothing written, no temp folder left."""
    out = tmp_path / "out"
    out.write_text("not a folder", encoding="utf-8")
    if command == "propose":
        hh = tmp_path / "hh.csv"
        assert invoke("households", "--n", "5", "--out", str(hh)).exit_code == 0
        args = ["propose", "--households", str(hh), "--period", "2025-H2", "--date", "2025-08-04"]
    elif command == "reception":
        args = ["reception", "--variant", "bonus-only"]
    else:
        args = ["compare", "statutory", "eu2015"]
    before = sorted(p.name for p in tmp_path.iterdir())
    r = invoke(*args, "--out", str(out))
    assert r.exit_code == 2, r.output
    assert "--out" in r.stderr and "is a file" in r.stderr and "Traceback" not in r.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    assert out.read_text(encoding="utf-8") == "not a folder"
