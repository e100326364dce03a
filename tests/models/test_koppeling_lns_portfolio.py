"""The large-neighbourhood search (``optimizer.koppeling.lns``) and the HiGHS portfolio
(``optimizer.solve.portfolio``): hand-checkable cases, the winner rule, determinism, and that a
time-limited run with both never returns fewer links than the heuristic alone."""

from __future__ import annotations

import highspy
import numpy as np
import pandas as pd
import pyomo.environ as pyo
import pytest
from support.cases import AS_OF, A, B, C, small_target_batch, validated_state
from support.checker import household_row, variant_toml, weights

from models.koppeling import build_model
from optimizer.data import schemas
from optimizer.koppeling import heuristic, lns
from optimizer.koppeling.inputs import build_inputs
from optimizer.koppeling.run import optimise
from optimizer.koppeling.variant import load_variant
from optimizer.solve import highs, portfolio
from optimizer.solve.highs import SolverOptions, Status


def _batch(n: int, seed: int, live: int):
    return small_target_batch(n, seed, live)


def _three_singles(tmp_path):
    """Three singles; A (target 2) and C (target 1) in different zones, B (target 0) in A's;
    class-1 dwellings enough; linear quota at weight 100 (100 x relative deviation), unplaced 1,000."""
    rows = [household_row(f"H{i}") for i in (1, 2, 3)]
    households = schemas.validate_households(pd.DataFrame(rows), "households")
    state = validated_state({A: dict(target=2, c1=3), B: dict(target=0, c1=3), C: dict(target=1, c1=3)})
    variant = load_variant(variant_toml(tmp_path / "v.toml", weights(quota=100, unplaced=1000), quota_form="linear"))
    ctx = build_inputs(households, state, variant, as_of=AS_OF)
    return ctx.inputs


def _all_in(inp, code: str) -> heuristic.Assignment:
    g = inp.gemeenten.index(code)
    n = len(inp.hh_unit)
    return heuristic.Assignment(gemeente=np.full(n, g), dwelling_class=np.ones(n, dtype=int),
                                shared=np.zeros(n, dtype=bool))


def test_one_step_over_both_zones_moves_the_household(tmp_path):
    # incumbent: all three in A -> A over by 1 of 2 (0.5), C short 1 of 1 (1.0): 100 x 1.5 = 150.
    # A step over A's zone alone can only unlink (1,000 points): no improvement. A step over both
    # zones moves one single to C: 0. (Moving one to B, target 0, costs 100 for B + 100 for C.)
    inp = _three_singles(tmp_path)
    m = build_model(inp)
    heuristic.to_model(m, inp, _all_in(inp, A))
    assert pyo.value(m.objective) == pytest.approx(150.0)
    c = highs._compile(m)
    x = np.array([v.value for v in c.columns], dtype=float)
    touch = lns.column_gemeenten(c.columns, inp)
    zone_a = inp.zone_of == inp.zone_of[inp.gemeenten.index(A)]
    assert lns.step(c, x, lns.free_mask(touch, zone_a), SolverOptions(), 5.0) is None
    y = lns.step(c, x, lns.free_mask(touch, np.ones(inp.n_gemeenten, dtype=bool)), SolverOptions(), 5.0)
    assert y is not None and highs.objective_value(c, y) == pytest.approx(0.0, abs=1e-9)
    # the loop does the same and writes the result into the model
    heuristic.to_model(m, inp, _all_in(inp, A))
    rec = lns.improve(m, inp, SolverOptions(), deadline=None, zones_per_step=len(set(inp.zone_of)))
    assert rec.start_objective == pytest.approx(150.0) and rec.objective == pytest.approx(0.0, abs=1e-9)
    assert pyo.value(m.objective) == pytest.approx(0.0, abs=1e-9)
    assert rec.improving_steps == 1 and rec.rounds == 1 + lns.IDLE_ROUNDS  # all zones already: no growth, stop


def test_fixed_columns_are_those_outside_the_neighbourhood(tmp_path):
    inp = _three_singles(tmp_path)
    m = build_model(inp)
    c = highs._compile(m)
    touch = lns.column_gemeenten(c.columns, inp)
    only_c = np.array([g == C for g in inp.gemeenten])
    free = lns.free_mask(touch, only_c)
    for v, f, t in zip(c.columns, free, touch):
        if not (v.is_integer() or v.is_binary()):
            assert t is None and not f  # continuous variables are never fixed: the step leaves them alone
        elif f:
            assert inp.gemeenten.index(C) in set(t.tolist())


class _Info:
    def __init__(self, objective: float, bound: float, gap: float):
        self.objective_function_value, self.mip_dual_bound, self.mip_gap = objective, bound, gap
        self.primal_solution_status = 2 if np.isfinite(objective) else 0
        self.mip_node_count = 1


class _FakeHighs:
    def __init__(self, optimal: bool, objective: float, bound: float):
        self.optimal, self.info = optimal, _Info(objective, bound, (objective - bound) / max(abs(objective), 1e-9))

    def getModelStatus(self):
        return highspy.HighsModelStatus.kOptimal if self.optimal else highspy.HighsModelStatus.kTimeLimit

    def getInfo(self):
        return self.info


def _member(i: int, optimal: bool, objective: float) -> portfolio.Member:
    """Member i (seed 10 + i); a proven one has bound 99.99 (gap <= 0.07%), else 90."""
    m = portfolio.Member(i, 10 + i, SolverOptions(random_seed=10 + i))
    m.highs = _FakeHighs(optimal, objective, 99.99 if optimal else 90.0)  # type: ignore[assignment]
    return m


def test_the_winner_is_the_first_member_in_seed_order_that_proved_the_gap():
    # both proved 0.1%: seed 10 wins although seed 11's objective is lower
    assert portfolio.winner([_member(0, True, 100.05), _member(1, True, 100.0)], 1e-3).seed == 10
    # only the second proved it: it wins
    assert portfolio.winner([_member(0, False, 120.0), _member(1, True, 100.05)], 1e-3).seed == 11
    # nobody proved it: the lowest objective, ties to the earlier seed
    assert portfolio.winner([_member(0, False, 120.0), _member(1, False, 110.0)], 1e-3).seed == 11
    assert portfolio.winner([_member(0, False, 110.0), _member(1, False, 110.0)], 1e-3).seed == 10
    assert portfolio.winner([_member(0, False, np.inf), _member(1, False, np.inf)], 1e-3) is None


def test_portfolio_returns_the_single_runs_optimum_and_is_deterministic():
    ctx = _batch(60, 11, 25)
    single = optimise(ctx, SolverOptions(time_limit=60, portfolio=1))
    assert single.result.status is Status.OPTIMAL
    runs = [optimise(ctx, SolverOptions(time_limit=60, portfolio=2)) for _ in range(2)]
    for r in runs:
        assert r.result.status is Status.OPTIMAL
        assert r.result.options["winner_seed"] is not None
        assert [m["seed"] for m in r.result.options["portfolio"]] == [0, 1]
        # seed 0 proves the gap within the limit: the portfolio returns exactly its answer
        if r.result.options["portfolio"][0]["status"] == "Optimal":
            assert r.result.objective == pytest.approx(single.result.objective, abs=1e-9)
            assert list(r.households["gm_index"]) == list(single.households["gm_index"])
    assert list(runs[0].households["gm_index"]) == list(runs[1].households["gm_index"])


@pytest.mark.parametrize("strategy", ["mip", "rens"])
def test_a_time_limited_run_never_links_fewer_than_the_heuristic(strategy):
    ctx = _batch(80, 5, 30)
    alone = heuristic.propose(ctx.inputs)
    for limit in (0.3, 2.0):
        sol = optimise(ctx, SolverOptions(time_limit=limit, portfolio=2), strategy=strategy)
        linked = int((sol.households["gm_index"] >= 0).sum())
        assert sol.result.objective <= sol.result.start["objective"] + 1e-6
        assert linked >= min(alone.linked, sol.result.start["linked"])
        assert sol.objective == pytest.approx(sol.result.objective, abs=1e-6)


def test_a_second_member_only_for_large_batches_and_a_spare_core(monkeypatch):
    monkeypatch.setattr(portfolio.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(portfolio.os, "getloadavg", lambda: (9.0, 9.0, 9.0))  # load never counts
    assert portfolio.default_members(2000) == 2
    assert portfolio.default_members(450, cores=8) == 1  # weekly: one run proves it in seconds
    assert portfolio.default_members(2000, cores=2) == 2  # a second core for a second seed
    assert portfolio.default_members(2000, cores=1) == 1  # no second core
    assert portfolio.default_members(2000, threads=2, cores=2) == 1  # HiGHS uses both cores
    assert portfolio.default_members(2000, threads=2, cores=4) == 2
