"""The bulk paths of explain and write (issue 13, 32,000 households) give what the one-at-a-time
paths give.

* alternatives of households that move alone, computed as (households x gemeenten) arrays,
  equal the one-household computation bit for bit (codes, deltas, flags), with and without the
  minimax term, for linked and unplaced households;
* ``explain.records`` equals ``DataFrame.to_dict("records")``; ``explain.best_scores`` equals
  ``explain.best_score`` per household;
* ``report.columns.cells`` equals ``cell`` per value for every kind of column;
* reasons rendered in bulk (each distinct clause once) equal reasons rendered one by one;
* report.xlsx repeats the households only up to ``XLSX_HOUSEHOLDS`` when proposal.xlsx is
  written next to it; above, its sheet and the run's notes say where they are.
"""

from __future__ import annotations

import json
import math
from datetime import date

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from optimizer.data import schemas
from optimizer.data.synthetic import generate_households
from optimizer.koppeling import explain, heuristic
from optimizer.koppeling import report as koppeling_report
from optimizer.koppeling.clauses import clause, render, render_all
from optimizer.koppeling.explain import _Moves, best_score, best_scores, records
from optimizer.koppeling.extract import Solution, gemeenten_frame, households_frame
from optimizer.koppeling.inputs import build_inputs
from optimizer.koppeling.objective import Assignment, evaluate
from optimizer.koppeling.run import ProposeConfig, run_propose
from optimizer.koppeling.variant import load_variant
from optimizer.report.columns import cell, cells, column_kind
from optimizer.rules.state import build_state

DAY = date(2025, 8, 4)


@pytest.fixture(scope="module")
def instance():
    """A weekly state with 300 households; the greedy heuristic's assignment with every fifth
    household that does not share a dwelling left unplaced, as the solution."""
    state = schemas.load_state(build_state("2025-H2", DAY), "state")
    households = schemas.load_households(generate_households(300, 5, as_of=DAY), "households")
    ctx = build_inputs(households, state, load_variant("default"), as_of=DAY)
    a = heuristic.greedy(ctx.inputs)
    out = (np.arange(len(a.gemeente)) % 5 == 0) & ~a.shared
    ev = evaluate(ctx.inputs, Assignment(np.where(out, -1, a.gemeente), np.where(out, 0, a.dwelling_class), a.shared))
    sol = Solution(evaluation=ev, households=households_frame(ctx, ev), gemeenten=gemeenten_frame(ctx.inputs, ev),
                   result=None, model=None, formulation="aggregated")
    return ctx, sol, households, state


@pytest.mark.parametrize("minimax", [0.0, 7.5])
def test_moves_alone_in_bulk_equal_one_at_a_time(instance, minimax):
    ctx, sol, _, _ = instance
    weights = ctx.inputs.weights
    saved = weights.get("minimax", 0.0)
    weights["minimax"] = minimax
    try:
        moves = _Moves(ctx, sol)
        groups = ctx.inputs.link_groups()
        alone = np.array([h for h in range(len(moves.gm_of)) if len(groups.get(h, [h])) <= 1])
        g0 = moves.gm_of[alone]
        assert (g0 >= 0).any() and (g0 < 0).any()  # linked and unplaced households both checked
        codes, deltas, flags = moves.top_alone(alone, 3)
        for i, h in enumerate(alone.tolist()):
            c, d, f = moves._compute([h], int(moves.gm_of[h]), (int(moves.need[h]),), float(moves.persons[h]), 3)
            assert list(codes[i]) == list(c), h
            assert np.array_equal(deltas[i], d, equal_nan=True), (h, deltas[i], d)
            assert list(flags[i]) == list(f), h
    finally:
        weights["minimax"] = saved


def test_alternatives_table_equals_one_household_at_a_time(instance):
    # groups (a referent with its nareizigers in the batch) take the one-at-a-time path: tested
    # with the exact re-evaluation in tests/models (test_reasons, test_koppeling_small)
    ctx, sol, _, _ = instance
    alts = explain.alternatives(ctx, sol)
    moves = _Moves(ctx, sol)
    assert len(alts) == len(sol.households)
    for h, row in enumerate(alts.to_dict("records")):
        c, d, f = moves._compute([h], int(moves.gm_of[h]), (int(moves.need[h]),), float(moves.persons[h]), 3)
        assert [row[f"alt{i}_gm_code"] for i in (1, 2, 3)] == list(c)
        assert np.array_equal([row[f"alt{i}_delta"] for i in (1, 2, 3)], d, equal_nan=True)
        assert [row["_allowed_somewhere"], row["_dwelling_somewhere"], row["_placeable_somewhere"]] == list(f)


def test_records_and_best_scores_equal_the_row_wise_forms(instance):
    ctx, _, households, _ = instance
    cols = ["household_id", "persons", "tie_work_gm", "referent_id", "has_bsn", "linked_gm"]
    frame = households[cols].copy()
    frame.loc[frame.index[0], "tie_work_gm"] = np.nan
    assert records(frame, cols) == frame.to_dict("records")
    assert records(frame, []) == [{}] * len(frame)
    scores = explain.labour_scores(ctx)[0].copy()
    scores[0, :] = np.nan
    scores[1, 1:] = np.nan
    best = best_scores(scores)
    for h in range(len(scores)):
        assert (math.isnan(best[h]) and math.isnan(best_score(scores, h))) or best[h] == best_score(scores, h)
    assert len(best_scores(np.zeros((3, 0)))) == 3 and np.isnan(best_scores(np.zeros((3, 0)))).all()


@pytest.mark.parametrize("values", [
    [1.0, np.nan, np.inf, -2.5, 3.0], [1, 2, 3], [0.25, 12.0, np.nan], ["a", "b", ""], ["a", None, "c"],
    ["", "0.25", 3], [True, False, True], pd.array([1, None, 3], dtype="Int64"), [2**60 + 0.0, 1.0],
])
def test_cells_equal_cell_by_cell(values):
    col = pd.Series(values)
    kind = column_kind("c", col)
    assert cells(col, kind) == [cell(v, kind) for v in col.tolist()]
    if pd.api.types.is_string_dtype(col):
        as_str = col.astype("str")
        assert cells(as_str, column_kind("c", as_str)) == [cell(v, column_kind("c", as_str)) for v in as_str.tolist()]


@pytest.mark.parametrize("formats", [("csv", "xlsx"), ("csv",)])
def test_report_xlsx_points_to_proposal_xlsx_above_the_limit(instance, tmp_path, monkeypatch, formats):
    _, _, households, state = instance
    monkeypatch.setattr(koppeling_report, "XLSX_HOUSEHOLDS", 50)
    out = tmp_path / "out"
    run_propose(ProposeConfig(households=households.reset_index(drop=True), state=state.reset_index(), out=out,
                              as_of=DAY, time_limit=10, formats=formats))
    sheets = load_workbook(out / "report.xlsx", read_only=True)
    rows = list(sheets["Huishoudens"].iter_rows(values_only=True))
    notes = json.loads((out / "run.json").read_text(encoding="utf-8"))["notes"]
    if "xlsx" in formats:
        n = len(pd.read_csv(out / "proposal.csv"))
        assert rows[0] == ("Huishoudens",) and len(rows) == 2 and "proposal.xlsx" in rows[1][0]
        assert f"{n:,}".replace(",", ".") in rows[1][0]
        assert any(note.startswith("report.xlsx: ") and "proposal.xlsx" in note for note in notes)
        assert "proposal.xlsx" in (out / "report.html").read_text(encoding="utf-8")
        assert len(list(load_workbook(out / "proposal.xlsx", read_only=True)["data"].iter_rows())) == n + 1
    else:  # no proposal.xlsx: report.xlsx keeps every household
        assert rows[0][0] == "household_id" and len(rows) == len(pd.read_csv(out / "proposal.csv")) + 1
        assert not any(note.startswith("report.xlsx") for note in notes)


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_reasons_rendered_in_bulk_equal_one_by_one(instance, lang):
    ctx, sol, _, _ = instance
    why = explain.reasons(ctx, sol, explain.alternatives(ctx, sol))
    extra = [[clause("not_linked"), clause("solver_stopped", stop="time_limit", gm_code="GM0014", gm_naam="A",
                                           points=0.0)],
             [clause("not_linked"), clause("solver_stopped", stop="time_limit", gm_code="GM0014", gm_naam="A",
                                           points=-0.0)],
             [clause("not_linked"), clause("no_gemeente_rules", rules=[clause("rule_hard_tie", gm_codes=["GM0014"]),
                                                                       clause("rule_locks_forbid", gm_codes=["GM0014"])])],
             [clause("linked", gm_code="GM0014", gm_naam="A"), clause("tie_there", ties=["work", "family"])],
             []]
    reasons_ = why + extra
    assert render_all(reasons_, lang) == [render(r, lang) for r in reasons_]
    assert len({c["code"] for r in why for c in r}) >= 5  # many kinds of clause in the batch
