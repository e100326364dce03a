"""The generic placement example (``examples/generic``, README "Generic placement") run
through the command line: the hand-computed optimum of its README, the run record, and the
errors an analyst gets when a file or column is missing or wrong (exit code 2, nothing written)."""

from __future__ import annotations

import json
import shutil

import pytest
from support.cli import invoke, read_csv

from optimizer.core.paths import REPO_ROOT

EXAMPLE = REPO_ROOT / "examples" / "generic"


def args(out, folder=EXAMPLE, *, scores: bool = True) -> list[str]:
    files = ["--households", str(folder / "households.csv"), "--state", str(folder / "state.csv"),
             "--allowed", str(folder / "allowed.csv"), "--capacities", str(folder / "capacities.csv"),
             "--variant", str(folder / "variant.toml")]
    return ["propose", *files, *(["--scores", str(folder / "scores.csv")] if scores else []),
            "--out", str(out), "--no-map", "--no-xlsx", "--quiet"]


def test_example_reaches_the_hand_computed_optimum(tmp_path):
    out = tmp_path / "out"
    result = invoke(*args(out))
    assert result.exit_code == 0, result.output
    links = {r["household_id"]: (r["status"], r["gm_code"]) for r in read_csv(out / "proposal.csv")}
    assert links == {"F1": ("linked", "GM0014"), "F2": ("unplaced", ""), "S1": ("linked", "GM0037"),
                     "S2": ("linked", "GM0014")}
    gem = {r["gm_code"]: r for r in read_csv(out / "gemeenten.csv")}
    # F1 (2 children) and S2 at GM0014, S1 (1 adult, wheelchair) at GM0037
    assert (float(gem["GM0014"]["children_used"]), float(gem["GM0014"]["children_capacity"])) == (2.0, 2.0)
    assert (float(gem["GM0037"]["adults_used"]), float(gem["GM0037"]["wheelchair_used"])) == (1.0, 1.0)
    assert gem["GM0363"]["adults_capacity"] == "" and float(gem["GM0363"]["adults_used"]) == 0.0
    run = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert run["status"] == "optimal"
    assert run["objective"] == pytest.approx(-8.0) and run["objective_from_tables"] == pytest.approx(-8.0)
    assert run["gap_of_change"]["objective_all_unplaced"] == pytest.approx(0.0)
    assert run["gap_of_change"]["gap"] == pytest.approx(0.0, abs=1e-9)
    assert run["variant"]["objective"]["mode"] == "maximise"
    assert run["inputs"]["capacities"]["sha256"] and run["inputs"]["allowed"]["sha256"]
    # 4 units, 5 options: F1, F2, S1 one zone option each (their only open zone), S2 one gemeente option
    assert (run["model_size"]["units"], run["model_size"]["options"]) == (4, 5)


def test_example_without_scores_names_the_missing_columns(tmp_path):
    out = tmp_path / "out"
    result = invoke(*args(out, scores=False))
    assert result.exit_code == 2
    for column in ("education", "sector", "dutch_level", "english_level", "adult_ages"):
        assert column in result.output
    assert "--scores" in result.output and "Traceback" not in result.output
    assert not out.exists()


def test_bad_capacities_row_is_named(tmp_path):
    folder = tmp_path / "example"
    shutil.copytree(EXAMPLE, folder)
    (folder / "capacities.csv").write_text("gm_code,resource,capacity\nGM0014,children,-2\nGM0014,stairs,1\n",
                                           encoding="utf-8")
    out = tmp_path / "out"
    result = invoke(*args(out, folder))
    assert result.exit_code == 2
    assert "capacities.csv" in result.output and "row 2" in result.output and "capacity" in result.output
    assert "stairs" in result.output  # the resource needs a households column of that name
    assert not out.exists()
