"""Every reason kind is true of the household it is printed for (``support.reasons`` verifies each
clause by its code and values, independently; an unknown code fails too). Each test builds an
instance in which one kind of clause must appear, asserts that it does (by code and values, not
by words), and checks every reason of the proposal."""

from __future__ import annotations

import numpy as np
import pandas as pd
from support.cases import A, B, C, run_case
from support.checker import evaluate, household_row, weights
from support.reasons import reason_problems

from optimizer.data import dataset
from optimizer.koppeling.clauses import codes, from_json, render, to_json
from optimizer.koppeling.explain import alternatives, reasons
from optimizer.koppeling.extract import Solution, gemeenten_frame, households_frame
from optimizer.koppeling.objective import Assignment
from optimizer.koppeling.objective import evaluate as engine_evaluate
from optimizer.solve.highs import SolveResult, Status

W = weights(quota=100, size_fit=4, sharing=2, unplaced=1000, waiting=1, continuity=3)
LIVE = {A: dict(target=2, c1=2, c2=1), B: dict(target=1, c1=1, c3=1), C: dict(target=2, c1=2, c3=1)}


def _reason(r, hid: str) -> str:
    return str(r.row(hid)["reason"])


def _clauses(r, hid: str) -> list[dict]:
    return from_json(str(r.row(hid)["reason_values"]))


def _codes(r, hid: str) -> list[str]:
    return [c["code"] for c in _clauses(r, hid)]


def _clause(r, hid: str, code: str) -> dict:
    return next(c for c in _clauses(r, hid) if c["code"] == code)


def _all_codes(r) -> set[str]:
    return {code for cell in r.proposal["reason_codes"] for code in str(cell).split(";")}


def _check(r) -> None:
    assert not reason_problems(r.inst, r.proposal, r.gemeenten), r.proposal[["household_id", "reason"]].to_string()


def test_no_gemeente_allowed_when_the_hard_tie_gemeente_is_forbidden(tmp_path):
    r = run_case(tmp_path, [household_row("H1", tie_work_gm=A), household_row("H2")], LIVE, W,
                 locks=[("H1", A, "forbid")])
    assert _codes(r, "H1")[:2] == ["not_linked", "no_gemeente_rules"]
    assert _clause(r, "H1", "no_gemeente_rules")["rules"] == [{"code": "rule_hard_tie", "gm_codes": [A]},
                                                              {"code": "rule_locks_forbid", "gm_codes": [A]}]
    assert _reason(r, "H1").startswith("Niet geplaatst: geen enkele gemeente is toegestaan (harde binding aan GM0014 "
                                       "en vergrendelingen die GM0014 verbieden laten er geen over)")
    assert render(_clauses(r, "H1"), "en").startswith("Not linked: no gemeente is allowed for it (hard tie to GM0014 "
                                                       "and locks forbidding GM0014 leave none)")
    _check(r)


def test_no_gemeente_allowed_for_a_referent_and_nareiziger_with_different_hard_ties(tmp_path):
    rows = [household_row("R", tie_family_gm=A), household_row("N", referent_id="R", tie_work_gm=B)]
    r = run_case(tmp_path, rows, LIVE, W)
    assert _clauses(r, "R")[1] == {"code": "no_common_gemeente_nareiziger", "nareiziger_id": "N"}
    assert _clauses(r, "N")[1] == {"code": "no_common_gemeente_referent", "referent_id": "R"}
    assert "zijn nareiziger N" in _reason(r, "R") and "no_free_dwelling" not in _codes(r, "R") + _codes(r, "N")
    _check(r)


def test_no_free_dwelling_of_the_class_needed(tmp_path):
    # five persons need a large dwelling; only class 1-2 dwellings exist
    rows = [household_row("H1", 5, children=3), household_row("H2")]
    r = run_case(tmp_path, rows, {A: dict(target=2, c1=2, c2=1), B: dict(target=1, c1=1)}, W)
    assert _clauses(r, "H1")[1] == {"code": "no_free_dwelling", "needed_class": 4}
    _check(r)


def test_every_fitting_gemeente_at_its_cap(tmp_path):
    rows = [household_row("H1", 3, children=1), household_row("H2")]
    r = run_case(tmp_path, rows, {A: dict(target=2, c1=2, c3=1, cap_persons=2), B: dict(target=1, c1=1)}, W)
    assert _codes(r, "H1")[1] == "caps_reached"
    _check(r)


def test_linking_costs_more_than_waiting(tmp_path):
    # unplaced is cheap (1 point), every gemeente is at its target: a link costs 100 * 1 / 1
    rows = [household_row("H1"), household_row("H2")]
    r = run_case(tmp_path, rows, {A: dict(target=1, c1=2), B: dict(target=0, c1=1)},
                 weights(quota=100, unplaced=1))
    unplaced = r.proposal[r.proposal["status"] == "unplaced"]["household_id"].tolist()
    assert unplaced and _codes(r, unplaced[0])[1] == "costs_more_than_waiting"
    _check(r)


def test_solver_stopped_is_said_when_a_link_would_have_lowered_the_objective(tmp_path):
    """A solution cut short by a limit (here: everybody unplaced, as the start HiGHS gets) does not
    claim that linking would cost more; it names the link that would lower the objective."""
    rows = [household_row("H1"), household_row("H2")]
    r = run_case(tmp_path, rows, {A: dict(target=1, c1=2), B: dict(target=1, c1=1)}, weights(quota=100, unplaced=1000))
    ctx = r.ctx
    n = len(ctx.inputs.hh_unit)
    ev = engine_evaluate(ctx.inputs, Assignment(np.full(n, -1), np.zeros(n, dtype=int), np.zeros(n, dtype=bool)))
    stopped = SolveResult(status=Status.FEASIBLE, solver_status="kTimeLimit", solver="HiGHS", objective=ev.objective,
                          bound=0.0, gap=1.0, compile_seconds=0, solve_seconds=0, n_variables=0, n_integer=0,
                          n_constraints=0, n_nonzeros=0, node_count=0, options={}, limit="time_limit")
    sol = Solution(evaluation=ev, households=households_frame(ctx, ev), gemeenten=gemeenten_frame(ctx.inputs, ev),
                   result=stopped, model=None, formulation="aggregated")
    alts = alternatives(ctx, sol)
    why = dict(zip(ctx.households.index, reasons(ctx, sol, alts)))
    names = dataset.load_gemeenten()["gm_naam"]
    for hid in ("H1", "H2"):
        stopped_clause = why[hid][1]
        assert stopped_clause["code"] == "solver_stopped" and stopped_clause["stop"] == "time_limit", why[hid]
        # true: the named link lowers the objective by the stated points (independent evaluation)
        code = str(alts.set_index("household_id").loc[hid, "alt1_gm_code"])
        base, _ = evaluate(r.inst, {})
        moved, _ = evaluate(r.inst, {hid: code})
        assert stopped_clause["gm_code"] == code and stopped_clause["gm_naam"] == names[code]
        assert abs(stopped_clause["points"] - (base - moved)) < 1e-3
        assert render(why[hid], "en").startswith(
            f"Not linked: the solver stopped (time limit) before linking it: linking it to {names[code]} ({code}) "
            f"would lower the objective by {base - moved:.1f} points")
        assert render(why[hid], "nl").startswith("Niet geplaatst: de solver stopte (tijdslimiet) voordat")


def test_hard_tie_overridden_by_the_medical_region_is_not_called_soft(tmp_path):
    # work tie in Groningen (AM01), treatment in AM18 (Amsterdam): the medical region wins
    r = run_case(tmp_path, [household_row("H1", tie_work_gm=A, tie_medical_amr="AM18"), household_row("H2")], LIVE, W)
    assert r.gm("H1") == C
    assert {"code": "hard_tie_overridden_medical", "amr_code": "AM18"} in _clauses(r, "H1")
    assert "tie_not_honoured_soft" not in _codes(r, "H1")
    _check(r)


def test_soft_tie_and_soft_medical_region(tmp_path):
    # soft: the tie gemeente B is full of target, linking there costs more than the tie
    rows = [household_row("H1", tie_family_gm=B, tie_medical_amr="AM18"), household_row("H2"), household_row("H3")]
    r = run_case(tmp_path, rows, {A: dict(target=3, c1=3), B: dict(target=0, c1=1)},
                 weights(quota=100, tie=1, unplaced=1000), ties="soft", medical="soft")
    assert r.gm("H1") == A
    assert "tie_not_honoured_soft" in _codes(r, "H1")
    assert {"code": "medical_outside_soft", "amr_code": "AM18"} in _clauses(r, "H1")
    _check(r)


def test_tie_there_medical_inside_and_referent(tmp_path):
    rows = [household_row("H1", tie_family_gm=C, tie_study_gm=C, tie_medical_amr="AM18"),
            household_row("R"), household_row("N", referent_id="R")]
    r = run_case(tmp_path, rows, LIVE, W)
    assert {"code": "tie_there", "ties": ["family", "study"]} in _clauses(r, "H1")
    assert {"code": "medical_inside", "amr_code": "AM18"} in _clauses(r, "H1")
    assert "binding hier: familie en studie" in _reason(r, "H1")
    assert {"code": "joins_referent", "referent_id": "R"} in _clauses(r, "N")
    _check(r)


def test_hard_tie_overridden_by_a_family_linked_earlier(tmp_path):
    rows = [household_row("R", linked_gm=A), household_row("N", referent_id="R", tie_work_gm=B)]
    r = run_case(tmp_path, rows, LIVE, W)
    assert r.gm("N") == A
    assert {"code": "joins_referent", "referent_id": "R"} in _clauses(r, "N")
    _check(r)


def test_dwellings_as_needed_larger_and_shared(tmp_path):
    # A: two singles, one class-2 dwelling only (sharing cheaper than nothing); B: one single in a class-3
    rows = [household_row("H1"), household_row("H2"), household_row("H3"), household_row("H4", 2, children=1)]
    live = {A: dict(target=2, c2=1), B: dict(target=1, c3=1), C: dict(target=2, c2=1)}
    r = run_case(tmp_path, rows, live, weights(quota=100, size_fit=4, sharing=2, unplaced=1000))
    assert {"dwelling_shared", "dwelling_larger_none_smaller", "dwelling_as_needed"} <= _all_codes(r)
    _check(r)


def test_locks_and_labour_scores(tmp_path):
    amrs = sorted(dataset.load_gemeenten()["amr_code"].unique())
    scores = pd.DataFrame({a: [0.1, 0.1, 0.1] for a in amrs}, index=pd.Index(["H1", "H2", "H3"]))
    scores.loc[["H1", "H2"], "AM18"] = 0.9
    scores.loc["H3", "AM01"] = 0.7
    rows = [household_row("H1"), household_row("H2"), household_row("H3")]
    r = run_case(tmp_path, rows, LIVE, weights(quota=100, labour=10, unplaced=1000), scores=scores,
                 locks=[("H1", B, "fix"), ("H2", A, "forbid")])
    assert "lock_fixed_here" in _codes(r, "H1")
    assert {"code": "lock_forbids", "gm_codes": [A]} in _clauses(r, "H2")
    assert {"labour_best", "labour_worse", "next_best"} <= _all_codes(r)
    _check(r)


def test_the_checker_catches_an_untrue_value_an_unknown_code_and_a_text_that_says_more(tmp_path):
    """The checker is not vacuous: one wrong value, code or word in a reason is reported."""
    rows = [household_row("H1", tie_family_gm=C), household_row("H2"), household_row("X", has_bsn=False)]
    r = run_case(tmp_path, rows, LIVE, W)
    assert not reason_problems(r.inst, r.proposal, r.gemeenten)

    def problems_after(hid: str, change) -> list[str]:
        bad = r.proposal.copy()
        i = bad.index[bad["household_id"] == hid][0]
        clauses = from_json(bad.at[i, "reason_values"])
        change(clauses)
        bad.at[i, "reason_values"] = to_json(clauses)
        if all(c["code"] != "no_such_clause" for c in clauses):  # an unknown code has no words
            bad.at[i, "reason"] = render(clauses, "nl")
        bad.at[i, "reason_codes"] = codes(clauses)
        return reason_problems(r.inst, bad, r.gemeenten)

    def clause_of(clauses, code):
        return next(c for c in clauses if c["code"] == code)

    assert problems_after("H1", lambda cs: clause_of(cs, "target_progress").update(
        before=clause_of(cs, "target_progress")["before"] + 1))
    assert problems_after("H2", lambda cs: clause_of(cs, "next_best").update(
        points=clause_of(cs, "next_best")["points"] - 1))
    assert problems_after("H1", lambda cs: clause_of(cs, "tie_there").update(ties=["work"]))
    assert problems_after("H1", lambda cs: cs.append({"code": "lock_fixed_here"}))
    assert problems_after("H1", lambda cs: cs.append({"code": "no_such_clause"}))
    assert problems_after("X", lambda cs: cs[1].update(missing=["BSN", "IBAN"]))
    # a text that is not the rendering of the checked clauses
    bad = r.proposal.copy()
    bad.loc[bad["household_id"] == "H2", "reason"] += " Extra."
    assert any("not the rendering" in p for p in reason_problems(r.inst, bad, r.gemeenten))
