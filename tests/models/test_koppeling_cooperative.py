"""HiGHS and the large-neighbourhood search side by side (``optimizer.koppeling.cooperative``)
and the LP-guided zone groups of the search (``optimizer.koppeling.lns``): the answer is never
worse than the start, feasible, its bound valid (at most the proven optimum) and its gap
computed against it; hand-checkable disagreement and groups; determinism."""

from __future__ import annotations

import time

import numpy as np
import pyomo.environ as pyo
import pytest
from support.cases import small_target_batch as _batch

from models.koppeling import build_model
from optimizer.koppeling import anytime, cooperative, heuristic, lns
from optimizer.koppeling.run import optimise
from optimizer.solve import highs
from optimizer.solve.highs import SolverOptions, Status


def _violations(m: pyo.ConcreteModel, tol: float = 1e-6) -> list[str]:
    """Constraints of ``m`` that its variables' values break, and integer variables off integers
    (an independent feasibility check of whatever values were loaded)."""
    bad = []
    for con in m.component_data_objects(pyo.Constraint, active=True):
        body = pyo.value(con.body)
        if (con.has_lb() and body < pyo.value(con.lower) - tol) or (con.has_ub() and body > pyo.value(con.upper) + tol):
            bad.append(con.name)
    for v in m.component_data_objects(pyo.Var, active=True):
        if v.value is None:
            continue
        if (v.lb is not None and v.value < v.lb - tol) or (v.ub is not None and v.value > v.ub + tol):
            bad.append(v.name)
        if (v.is_integer() or v.is_binary()) and abs(v.value - round(v.value)) > tol:
            bad.append(v.name)
    return bad


def _optimum(inp) -> float:
    """The proven optimum (gap 0, no limit) of the model of ``inp``."""
    m = build_model(inp)
    r = highs.solve(m, SolverOptions(mip_rel_gap=0.0))
    assert r.status is Status.OPTIMAL
    return float(r.objective)


@pytest.mark.parametrize("strategy", ["mip", "rens"])
def test_never_worse_than_the_start_feasible_and_the_gap_against_a_valid_bound(strategy):
    ctx = _batch(120, 5, 30)
    inp = ctx.inputs
    m = build_model(inp)
    start = heuristic.propose(inp, 0.5)
    heuristic.to_model(m, inp, start.assignment)
    assert pyo.value(m.objective) == pytest.approx(start.objective, abs=1e-6)
    r = cooperative.solve(m, inp, SolverOptions(mip_rel_gap=1e-3), strategy, time.perf_counter() + 3.0)
    assert r.has_solution and r.objective <= start.objective + 1e-6
    assert pyo.value(m.objective) == pytest.approx(r.objective, abs=1e-6)  # the answer is in the model
    assert _violations(m) == []
    opt = _optimum(inp)
    assert r.bound is not None and r.bound <= opt + 1e-6 * max(1.0, abs(opt))
    assert r.objective >= opt - 1e-6 * max(1.0, abs(opt))
    assert r.gap == pytest.approx(max(0.0, r.objective - r.bound) / abs(r.objective), abs=1e-12)
    assert (r.status is Status.OPTIMAL) == (r.gap <= 1e-3)
    assert r.options["strategy"] == ("mip+lns" if strategy == "mip" else "lp+rens+lns")


def test_when_highs_proves_the_gap_the_answer_is_exactly_highs_alone():
    ctx = _batch(60, 11, 25)
    inp = ctx.inputs
    start = heuristic.propose(inp, 0.5)
    alone = build_model(inp)
    heuristic.to_model(alone, inp, start.assignment)
    single = highs.solve(alone, SolverOptions(mip_rel_gap=1e-3), warm_start=True)
    assert single.status is Status.OPTIMAL
    values = []
    for _ in range(2):
        m = build_model(inp)
        heuristic.to_model(m, inp, start.assignment)
        r = cooperative.solve(m, inp, SolverOptions(mip_rel_gap=1e-3), "mip", time.perf_counter() + 60.0)
        assert r.status is Status.OPTIMAL
        if r.options["winner"] == "highs (proved)":
            assert r.objective == pytest.approx(single.objective, abs=1e-9)
            assert [v.value for v in m.assign_count.values()] == [v.value for v in alone.assign_count.values()]
        values.append((r.options["winner"], [v.value for v in m.assign_count.values()]))
    if values[0][0] == values[1][0] == "highs (proved)":
        assert values[0] == values[1]


def test_the_search_is_deterministic():
    ctx = _batch(150, 3, 30)
    inp = ctx.inputs
    start = heuristic.propose(inp, 0.3)
    answers = []
    for _ in range(2):
        m = build_model(inp)
        heuristic.to_model(m, inp, start.assignment)
        rec = lns.improve(m, inp, SolverOptions(), deadline=None, max_rounds=2)
        assert rec.objective <= rec.start_objective + 1e-9
        assert pyo.value(m.objective) == pytest.approx(rec.objective, abs=1e-6)
        assert _violations(m) == []
        answers.append([v.value for v in m.component_data_objects(pyo.Var)])
    assert answers[0] == answers[1]


def test_disagreement_counts_households_the_lp_would_move_between_zones():
    # columns: unit 0 via zone 0, unit 0 via zone 2, unit 1 via zone 1. The incumbent has both
    # households of unit 0 in zone 0, the LP one in zone 0 and one in zone 2; unit 1 agrees.
    opt = (np.array([0, 1, 2]), np.array([0, 0, 1]), np.array([0, 2, 1]))
    x = np.array([2.0, 0.0, 1.0])
    x_lp = np.array([1.0, 1.0, 1.0])
    d = lns.disagreement(x, x_lp, opt, n_zones=4)
    expected = np.zeros((4, 4))
    expected[0, 2] = 1.0
    assert np.allclose(d, expected)
    # half a household: the LP splits unit 1 over zones 1 and 3 (0.5 each)
    d = lns.disagreement(np.array([2.0, 0.0, 1.0, 0.0]), np.array([1.0, 1.0, 0.5, 0.5]),
                         (np.array([0, 1, 2, 3]), np.array([0, 0, 1, 1]), np.array([0, 2, 1, 3])), n_zones=4)
    assert d[0, 2] == pytest.approx(1.0) and d[1, 3] == pytest.approx(0.5) and d.sum() == pytest.approx(1.5)


def test_guided_groups_put_exchanging_zones_together_most_disagreeing_first():
    d = np.zeros((5, 5))
    d[0, 3] = 5.0  # zone 0 sends 5 households to zone 3 in the LP's picture
    d[4, 1] = 2.0
    groups = lns.guided_groups(d, np.arange(5), 2, np.random.default_rng(0))
    assert sorted(groups[0].tolist()) == [0, 3]
    assert sorted(groups[1].tolist()) == [1, 4]
    assert groups[2].tolist() == [2]
    assert sorted(int(z) for g in groups for z in g) == [0, 1, 2, 3, 4]  # a partition of the zones


def test_zones_per_step_follows_the_households_a_zone():
    ctx = _batch(150, 3, 30)
    inp = ctx.inputs
    n_zones = len(np.unique(inp.zone_of))
    expected = round(lns.HOUSEHOLDS_PER_STEP / (len(inp.hh_unit) / n_zones))
    assert lns.default_zones_per_step(inp) == min(max(expected, 1), lns.MAX_ZONES_PER_STEP)


def test_large_batches_take_the_cooperative_path_and_keep_the_heuristics_links(monkeypatch):
    monkeypatch.setattr(lns, "MIN_HOUSEHOLDS", 50)
    ctx = _batch(80, 5, 30)
    alone = heuristic.propose(ctx.inputs)
    for strategy, side_by_side in (("mip", None), ("rens", True)):  # RENS side by side only when asked
        sol = optimise(ctx, SolverOptions(time_limit=2.0, cooperative=side_by_side), strategy=strategy)
        assert sol.result.options["strategy"] == ("mip+lns" if strategy == "mip" else "lp+rens+lns")
        assert sol.result.objective <= sol.result.start["objective"] + 1e-6
        assert int((sol.households["gm_index"] >= 0).sum()) >= min(alone.linked, sol.result.start["linked"])
        assert sol.objective == pytest.approx(sol.result.objective, abs=1e-6)


def test_who_runs_side_by_side(monkeypatch):
    monkeypatch.setattr(lns, "MIN_HOUSEHOLDS", 50)
    use = anytime.use_cooperative
    assert use(SolverOptions(), 50, "mip") and not use(SolverOptions(), 49, "mip")
    assert not use(SolverOptions(), 500, "rens")  # LP + RENS: sequential unless asked
    assert use(SolverOptions(cooperative=True), 500, "rens")
    assert not use(SolverOptions(cooperative=False), 500, "mip")
    assert not use(SolverOptions(portfolio=2), 500, "mip") and not use(SolverOptions(cooperative=True), 10, "mip")


class _Ran:
    """A HiGHS stand-in whose every method call fails: nothing of an abandoned run may be read."""

    def __getattr__(self, name):
        raise AssertionError(f"read {name} of a HiGHS run that is still going")


def test_an_abandoned_highs_run_is_not_read_and_its_last_seen_bound_is_used():
    run = cooperative.HighsRun({}, np.zeros(1), np.zeros(1))
    run.h, run.abandoned, run.dual_bound = _Ran(), True, 95.0  # type: ignore[assignment]
    assert run.highs() is None and run.proved() is False
    assert run.record()["bound"] == 95.0
    assert cooperative._bound(run, "mip", 90.0) == 95.0  # HiGHS's bound seen by a callback, above the LP's
    assert cooperative._bound(run, "rens", 90.0) == 90.0  # a RENS sub-MIP's bound is not one of the model
