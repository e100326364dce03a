"""A deterministic limit: HiGHS's node limit (``[solver] node_limit`` / ``--node-limit``, HiGHS
``mip_max_nodes``) stops branch-and-bound at the same point on every run, and the result says
that it was the node limit (not the time limit) that stopped it."""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo
import pytest
from support.checker import variant_toml, weights

from optimizer.core.errors import InputError
from optimizer.koppeling.variant import load_variant
from optimizer.solve.highs import SolverOptions, Status, solve


def _knapsack() -> pyo.ConcreteModel:
    """A 0-1 knapsack HiGHS cannot close at the root (presolve off): random weights 10..99,
    values weight +- 5, capacity half the total."""
    rng = np.random.default_rng(0)
    w = [float(x) for x in rng.integers(10, 100, 40)]
    v = [x + float(d) for x, d in zip(w, rng.integers(-5, 5, 40))]
    m = pyo.ConcreteModel()
    m.x = pyo.Var(range(40), within=pyo.Binary)
    m.cap = pyo.Constraint(expr=sum(w[i] * m.x[i] for i in range(40)) <= sum(w) / 2 + 0.5)
    m.obj = pyo.Objective(expr=-sum(v[i] * m.x[i] for i in range(40)))
    return m


def test_node_limit_stops_the_solve_and_is_recorded_as_such():
    options = SolverOptions(time_limit=60, mip_rel_gap=0.0, presolve="off", extra={"mip_max_nodes": 2})
    first = solve(_knapsack(), options)
    assert first.limit == "node_limit" and first.status is Status.FEASIBLE
    assert first.node_count >= 2 and first.solver_status == "kSolutionLimit"
    again = solve(_knapsack(), options)  # deterministic: the same point, the same numbers
    assert (again.objective, again.bound, again.node_count) == (first.objective, first.bound, first.node_count)


def test_without_a_node_limit_a_solution_limit_is_not_called_a_node_limit():
    result = solve(_knapsack(), SolverOptions(mip_rel_gap=0.0, presolve="off", extra={"mip_max_improving_sols": 1}))
    assert result.limit in (None, "solution_limit")


def test_variant_and_override_set_mip_max_nodes(tmp_path):
    v = load_variant(variant_toml(tmp_path / "v.toml", weights(quota=1)))
    assert "mip_max_nodes" not in v.solver.options().extra
    assert v.solver.options(node_limit=50).extra["mip_max_nodes"] == 50
    path = tmp_path / "n.toml"
    path.write_text(path.with_name("v.toml").read_text() + "\n[solver]\nnode_limit = 7\n", encoding="utf-8")
    assert load_variant(path).solver.options().extra["mip_max_nodes"] == 7
    path.write_text(path.with_name("v.toml").read_text() + "\n[solver]\nnode_limit = 0\n", encoding="utf-8")
    with pytest.raises(InputError, match="node_limit"):
        load_variant(path)
