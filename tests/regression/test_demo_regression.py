"""Regression: the demo instance against its stored result (like Switch's ``total_cost.txt``).

``spreiding demo`` (seed 1, 450 households, 2025-H2, batch date 2025-08-04) is run in-process
and compared with the committed files next to this test:

* ``demo_objective.txt``: the run's objective (``run.json`` ``objective``); the rerun's objective
  and its objective recomputed from the tables must match it within 1e-6 relative;
* ``demo_gemeenten.csv``: per gemeente ``gm_code, persons, households, target`` as written in
  ``proposal/gemeenten.csv``; they must match exactly.

After a deliberate change of the results (model, inputs, data, variant), refresh the stored
files and review their diff before committing::

    SPREIDING_UPDATE_REGRESSION=1 python -m pytest tests/regression
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from optimizer.cli import app

HERE = Path(__file__).parent
OBJECTIVE = HERE / "demo_objective.txt"
GEMEENTEN = HERE / "demo_gemeenten.csv"
COLUMNS = ["gm_code", "persons", "households", "target"]
DEMO = ["demo", "--seed", "1", "--n", "450", "--period", "2025-H2", "--date", "2025-08-04", "--quiet"]


def test_demo_matches_the_stored_result(tmp_path):
    out = tmp_path / "demo"
    result = CliRunner().invoke(app, [*DEMO, "--out", str(out)])
    assert result.exit_code == 0, result.output
    run = json.loads((out / "proposal" / "run.json").read_text(encoding="utf-8"))
    gem = pd.read_csv(out / "proposal" / "gemeenten.csv", dtype=str, keep_default_na=False)[COLUMNS]
    if os.environ.get("SPREIDING_UPDATE_REGRESSION") == "1":
        OBJECTIVE.write_text(f"{run['objective']!r}\n", encoding="utf-8")
        gem.to_csv(GEMEENTEN, index=False, lineterminator="\n")
        pytest.skip("stored demo result updated: review and commit tests/regression/demo_*")
    stored = float(OBJECTIVE.read_text(encoding="utf-8"))
    assert run["status"] == "optimal"
    assert run["objective"] == pytest.approx(stored, rel=1e-6)
    assert run["objective_from_tables"] == pytest.approx(stored, rel=1e-6)
    expected = pd.read_csv(GEMEENTEN, dtype=str, keep_default_na=False)
    assert list(expected.columns) == COLUMNS
    diff = expected.merge(gem, on="gm_code", how="outer", suffixes=("_stored", "_now"), indicator=True)
    changed = diff[(diff["_merge"] != "both") | (diff[[f"{c}_stored" for c in COLUMNS[1:]]].to_numpy()
                                                 != diff[[f"{c}_now" for c in COLUMNS[1:]]].to_numpy()).any(axis=1)]
    assert changed.empty, f"{len(changed)} gemeenten differ from the stored demo result:\n{changed.head(20)}"
    assert len(gem) == len(expected)
