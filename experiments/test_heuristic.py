"""The heuristic warm start (heuristic.warm_start) gives a feasible solution of the
koppeling model whose objective is the model's objective, on small synthetic instances."""

from __future__ import annotations

from datetime import date

import numpy as np
import pyomo.environ as pyo
import pytest
from heuristic import LocalSearch, greedy, warm_start

from models.koppeling import build_model
from optimizer.data import schemas
from optimizer.data.synthetic import generate_households
from optimizer.koppeling.extract import solution_from_model
from optimizer.koppeling.inputs import build_inputs
from optimizer.koppeling.variant import load_variant
from optimizer.rules.state import build_state

AS_OF = date(2025, 8, 4)
_STATE = {}


def _ctx(n: int, seed: int, variant: str = "default", links: int = 0):
    if "s" not in _STATE:
        _STATE["s"] = schemas.load_state(build_state("2025-H2", AS_OF), "state")
    frame = generate_households(n, seed, as_of=AS_OF)
    if links:  # make households nareizigers of others in the same batch (the generator never does)
        free = frame.index[(frame["linked_gm"] == "") & (frame["referent_id"] == "")
                           & (frame["has_bsn"] == "true") & (frame["has_iban"] == "true")]
        for i in range(links):
            frame.loc[free[2 * i + 1], "referent_id"] = frame.loc[free[2 * i], "household_id"]
    hh = schemas.validate_households(frame, "households")
    return build_inputs(hh, _STATE["s"], load_variant(variant), as_of=AS_OF)


def _violations(m: pyo.ConcreteModel, tol: float = 1e-6) -> list[str]:
    bad = []
    for c in m.component_data_objects(pyo.Constraint, active=True):
        body = pyo.value(c.body)
        if (c.has_lb() and body < pyo.value(c.lower) - tol) or (c.has_ub() and body > pyo.value(c.upper) + tol):
            bad.append(f"{c.name}: {body}")
    for v in m.component_data_objects(pyo.Var, active=True):
        x = v.value
        if x is None or (v.lb is not None and x < v.lb - tol) or (v.ub is not None and x > v.ub + tol) \
                or (v.is_integer() and abs(x - round(x)) > tol):
            bad.append(f"{v.name}: {x}")
    return bad


CASES = [(40, 1, "default", 0), (80, 2, "default", 3), (60, 5, "quota-minimax", 0), (120, 7, "labour-first", 2)]


@pytest.mark.parametrize("n,seed,variant,links", CASES)
@pytest.mark.parametrize("method", ["greedy-only", "greedy", "lp"])
def test_warm_start_feasible_and_exact(n, seed, variant, links, method):
    ctx = _ctx(n, seed, variant, links)
    assert len(ctx.inputs.links) == links
    inp = ctx.inputs
    m = build_model(inp)
    info: dict = {}
    obj = warm_start(m, inp, np.arange(len(inp.hh_unit)), method=method, time_limit=2.0, info=info)
    assert _violations(m) == []
    assert obj == pytest.approx(pyo.value(m.objective), abs=1e-6)
    # the objective evaluator on the disaggregated solution (optimizer.koppeling.objective)
    sol = solution_from_model(ctx, m, "aggregated", None)
    assert sol.objective == pytest.approx(obj, abs=1e-6)
    if method != "greedy-only" and inp.weights.get("minimax", 0.0) == 0:
        # the local search's own bookkeeping is the model objective (minimax is not modelled)
        assert info["heuristic"] == pytest.approx(obj, abs=1e-6)
        assert info["heuristic"] <= info["start"] + 1e-6


def test_local_search_improves_greedy():
    ctx = _ctx(80, 2)
    inp = ctx.inputs
    gm = greedy(inp, np.arange(len(inp.hh_unit)))[0]
    ls = LocalSearch(inp, gm)
    start = ls.objective()
    assert ls.run(2.0) <= start + 1e-9
    # no improving one-household move is left
    for h in np.flatnonzero(ls.movable):
        assert ls.move_deltas(int(h)).min() >= -1e-6


def test_per_household_formulation():
    ctx = _ctx(40, 3)
    inp = ctx.inputs
    m = build_model(inp, "per_household")
    obj = warm_start(m, inp, np.arange(len(inp.hh_unit)), method="lp", time_limit=1.0)
    assert _violations(m) == []
    sol = solution_from_model(ctx, m, "per_household", None)
    assert sol.objective == pytest.approx(obj, abs=1e-6)
