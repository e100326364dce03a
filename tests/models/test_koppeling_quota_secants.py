"""The convex quota term's valid inequalities ``quota_secant`` and ``quota_oversize_cost``
(``models.koppeling.add_quota_secants``): hand-computed costs, an LP gap they close by hand, and
properties: they hold at every integer point and never change the optimum.

Gemeenten of target 2 (sigma 2): band ends 0.2, 0.5, 1, 1.5 persons at slopes 1, 2, 4, 8, 16, so
one person off costs 0.2 + 0.6 + 2 = 2.8 and two 2.8 + 4 + 8 = 14.8 (either side).
"""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models.koppeling import HOUSEHOLD_TERMS, KoppelingInputs, build_model, quota_cost
from optimizer.koppeling import anytime
from optimizer.solve import highs, strategies
from optimizer.solve.highs import SolverOptions, Status

CLASS_OF = {1: 1, 2: 2, 3: 3, 4: 3, 5: 4, 6: 4, 7: 5, 8: 5}


def gemeenten(targets: list[float], households: dict[int, int], pressure: float = 0.0) -> KoppelingInputs:
    """Gemeenten with ``targets`` in one zone, dwellings of every class for everyone, and
    ``households`` {persons: count} (one unit per size, free to go to any gemeente): only the
    quota (and pressure) term decides."""
    t = np.array(targets, dtype=float)
    G, sizes = len(t), sorted(p for p, n in households.items() if n > 0)
    counts = np.array([households[p] for p in sizes])
    n = int(counts.sum())
    return KoppelingInputs(
        gemeenten=[f"G{g}" for g in range(G)], target=t, scale=np.maximum(t, 1.0), pressure=np.full(G, pressure),
        dwellings=np.tile([n] * 5, (G, 1)), cap_persons=np.full(G, np.nan), cap_households=np.full(G, np.nan),
        zone_of=np.zeros(G, dtype=int), size_persons=np.array(sizes), size_class=np.array([CLASS_OF[p] for p in sizes]),
        unit_size=np.arange(len(sizes)), unit_count=counts, opt_unit=np.arange(len(sizes)),
        opt_is_zone=np.ones(len(sizes), dtype=bool), opt_target=np.zeros(len(sizes), dtype=int),
        opt_terms={t_: np.zeros(len(sizes)) for t_ in HOUSEHOLD_TERMS},
        hh_unit=np.repeat(np.arange(len(sizes)), counts),
        hh_terms={"unplaced": np.ones(n), "waiting": np.zeros(n)},
        weights={"quota": 1.0, "pressure": 1.0, "unplaced": 100.0})


def solve(m: pyo.ConcreteModel, relax: bool = False) -> float:
    opts = SolverOptions(time_limit=30, mip_rel_gap=1e-9)
    if relax:
        with strategies.relaxed(m):
            r = highs.solve(m, opts)
    else:
        r = highs.solve(m, opts)
    assert r.status == Status.OPTIMAL
    return float(r.objective)


def without_secants(m: pyo.ConcreteModel) -> pyo.ConcreteModel:
    m.quota_secant.deactivate()
    m.quota_oversize_cost.deactivate()
    return m


def test_quota_cost_by_hand():
    inp = gemeenten([2.0, 2.5], {1: 1})
    assert [quota_cost(inp, 0, p) for p in range(5)] == pytest.approx([14.8, 2.8, 0.0, 2.8, 14.8])
    assert [quota_cost(inp, 0, p, "over") for p in range(5)] == pytest.approx([0.0, 0.0, 0.0, 2.8, 14.8])
    # target 2.5 (sigma 2.5: band ends 0.25, 0.625, 1.25, 1.875): persons are whole, so the
    # deviation is 0.5, 1.5, ...; the first half person costs 0.25 x 1 + 0.25 x 2 = 0.75
    assert quota_cost(inp, 1, 2) == pytest.approx(0.75) and quota_cost(inp, 1, 3) == pytest.approx(0.75)


def test_the_rows_close_the_lp_gap_of_one_large_household_by_hand():
    # Two gemeenten of target 2 and one household of 4 persons. Integer: it goes to one of them
    # (2 over there, 2 short in the other: 14.8 + 14.8 = 29.6, pressure 0) rather than nowhere
    # (29.6 + 100). The LP without the rows puts half of it in each (2 persons each, no
    # deviation); the linear quota_oversize row still forces over >= (4 - 2) x 0.5 = 1 person
    # in each, and so 1 short as well (2 persons there): 2 x (2.8 + 2.8) = 11.2. With the secant rows (D = C(0) - C(4) = 0) each gemeente pays its
    # full shortfall cost 14.8 whatever fraction it gets: the LP is the integer optimum, 29.6.
    inp = gemeenten([2.0, 2.0], {4: 1})
    assert solve(build_model(inp)) == pytest.approx(29.6)
    assert solve(without_secants(build_model(inp)), relax=True) == pytest.approx(11.2)
    assert solve(build_model(inp), relax=True) == pytest.approx(29.6)


def test_oversize_cost_row_charges_the_convex_cost_of_a_large_household():
    # One gemeente of target 1 (sigma 1: band ends 0.1, 0.25, 0.5, 0.75), one household of 6
    # and a pressure of 1 (over-shoot charged twice): 5 over costs 0.1 + 0.3 + 1 + 2 + 4.25 x 16
    # = 71.4, so integer: unplaced (quota 2.95 for the shortfall of 1: 0.1 + 0.3 + 1 + 2 + 0.25
    # x 16 = 7.4, plus 100) against placed (71.4 x 2 = 142.8): unplaced, 107.4. The LP with the
    # rows pays Q+ >= 71.4 x H for a fraction H placed: still unplaced, the same 107.4.
    inp = gemeenten([1.0], {6: 1}, pressure=1.0)
    assert quota_cost(inp, 0, 6, "over") == pytest.approx(71.4)
    assert quota_cost(inp, 0, 0) == pytest.approx(7.4)
    assert solve(build_model(inp)) == pytest.approx(107.4)
    assert solve(build_model(inp), relax=True) == pytest.approx(107.4)
    assert solve(without_secants(build_model(inp)), relax=True) < 107.4 - 1


targets_st = st.lists(st.sampled_from([0.0, 1.0, 2.0, 2.5, 3.0, 4.0, 7.0, 12.0]), min_size=1, max_size=3)
households_st = st.dictionaries(st.integers(1, 8), st.integers(0, 3), min_size=1, max_size=4).filter(
    lambda d: sum(d.values()) > 0)


@settings(max_examples=60, deadline=None)
@given(targets=targets_st, n=st.dictionaries(st.integers(1, 8), st.integers(0, 4), max_size=5))
def test_the_rows_hold_at_every_integer_point(targets, n):
    # Q_g = C_g(P) at an integer point; the secant and oversize rows must not cut it off.
    inp = gemeenten(targets, {1: 1})
    P = float(sum(p * k for p, k in n.items()))
    for g in range(len(targets)):
        c0 = quota_cost(inp, g, 0.0)
        assert quota_cost(inp, g, P) >= c0 - sum(k * (c0 - quota_cost(inp, g, p)) for p, k in n.items()) - 1e-9
        assert quota_cost(inp, g, P, "over") >= sum(k * quota_cost(inp, g, p, "over") for p, k in n.items()) - 1e-9


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(targets=targets_st, households=households_st, pressure=st.sampled_from([0.0, 0.5]))
def test_the_rows_never_change_the_optimum_and_never_weaken_the_lp(targets, households, pressure):
    inp = gemeenten(targets, households, pressure)
    with_rows, without = solve(build_model(inp)), solve(without_secants(build_model(inp)))
    assert with_rows == pytest.approx(without, rel=1e-9, abs=1e-6)
    lp_with, lp_without = solve(build_model(inp), relax=True), solve(without_secants(build_model(inp)), relax=True)
    assert lp_without - 1e-6 <= lp_with <= with_rows + 1e-6


def test_quick_bound_by_hand():
    # Gemeenten of target 2, 2 and 2; the third closed to every household (open_pairs), a single
    # and a couple with no own cost (unplaced 100 each). The bound: both households at their
    # cheapest own cost (0) plus the third gemeente's whole shortfall, 14.8 (quota weight 1).
    # The optimum: single and couple in the first two (1 short there: 2.8) or the couple in one
    # (0) and the single in the other (2.8), plus 14.8: 17.6, above the bound.
    inp = gemeenten([2.0, 2.0, 2.0], {1: 1, 2: 1})
    inp.open_pairs = np.array([[True, True, False], [True, True, False]])
    assert anytime.quick_bound(inp) == pytest.approx(14.8)
    assert solve(build_model(inp)) == pytest.approx(17.6)
    inp.weights = {**inp.weights, "sharing": -1.0}  # a negative weight: no bound claimed
    assert anytime.quick_bound(inp) is None
