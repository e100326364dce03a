"""The primal heuristic (``optimizer.koppeling.heuristic``) and the any-time solve around it.

On hypothesis-generated small batches (synthetic households with ties and families, some
nareiziger pairs in the batch, random fix/forbid locks, a small random state): the heuristic's
proposal satisfies every constraint of the model, passes the independent checker
(``support.checker.check_proposal``) from its output tables, its objective is the model's at
the values it sets, it is never worse than leaving everyone unplaced, and it is
deterministic. A solve with (almost) no time left never returns less than the heuristic.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pyomo.environ as pyo
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from support.cases import A, B
from support.checker import check_proposal, household_row, state_frame

from models.koppeling import build_model
from optimizer.core.errors import InputError
from optimizer.data import dataset, schemas
from optimizer.data.synthetic import generate_households
from optimizer.koppeling import anytime, heuristic
from optimizer.koppeling.extract import solution_from_model
from optimizer.koppeling.inputs import build_inputs
from optimizer.koppeling.objective import Assignment, evaluate
from optimizer.koppeling.run import optimise
from optimizer.koppeling.tables import gemeenten_table, proposal_table
from optimizer.koppeling.variant import load_variant
from optimizer.solve.highs import SolverOptions

AS_OF = date(2025, 9, 1)
_STATES: dict[int, pd.DataFrame] = {}


def small_state(seed: int, n_live: int = 10) -> pd.DataFrame:
    """A validated state: ``n_live`` random gemeenten with small targets, 0-3 dwellings per class
    and a random cap here and there (cached)."""
    if seed not in _STATES:
        rng = np.random.default_rng(seed)
        live = {}
        for g in rng.choice(dataset.gemeente_codes(), n_live, replace=False):
            d = {"target": int(rng.integers(0, 8)), "pressure": round(float(rng.uniform()), 2)}
            d.update({f"c{k}": int(rng.integers(0, 4)) for k in range(1, 6)})
            if rng.uniform() < 0.3:
                d["cap_persons"] = int(rng.integers(1, 6))
            live[str(g)] = d
        _STATES[seed] = schemas.validate_state(state_frame(live), "state")
    return _STATES[seed].copy()


def households_with_links(n: int, seed: int, pairs: int) -> pd.DataFrame:
    """Validated synthetic households; ``pairs`` of them made nareiziger and referent in the batch."""
    frame = generate_households(n, seed, as_of=AS_OF)
    free = frame.index[(frame["linked_gm"] == "") & (frame["referent_id"] == "")
                       & (frame["has_bsn"] == "true") & (frame["has_iban"] == "true")]
    for i in range(min(pairs, len(free) // 2)):
        frame.loc[free[2 * i + 1], "referent_id"] = frame.loc[free[2 * i], "household_id"]
    return schemas.validate_households(frame, "households")


def random_locks(households: pd.DataFrame, state: pd.DataFrame, seed: int, n: int) -> pd.DataFrame | None:
    """``n`` random fix/forbid locks on decision households and gemeenten with dwellings."""
    rng = np.random.default_rng(seed)
    ids = [h for h, gm, bsn, iban in zip(households.index, households["linked_gm"], households["has_bsn"],
                                        households["has_iban"]) if not gm and bsn and iban]
    live = [g for g in state.index if state.loc[g, [f"dwellings_c{k}" for k in range(1, 6)]].sum() > 0]
    if not n or not ids or not live:
        return None
    rows = {str(rng.choice(ids)): (str(rng.choice(live)), str(rng.choice(["fix", "forbid"]))) for _ in range(n)}
    frame = pd.DataFrame([(h, g, a) for h, (g, a) in rows.items()], columns=["household_id", "gm_code", "action"])
    try:
        return schemas.load_locks(frame, households)
    except InputError:  # e.g. a lock that would separate a family: rejected as input, not a case
        return None


def violated(m: pyo.ConcreteModel, tol: float = 1e-6) -> list[str]:
    """Constraints, bounds and integrality the model's current values violate."""
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


instances = st.tuples(st.integers(8, 30), st.integers(0, 10_000), st.integers(0, 3),  # few states: validating is slow
                      st.sampled_from(("default", "labour-first", "quota-minimax")), st.integers(0, 3),
                      st.integers(0, 4), st.sampled_from(("aggregated", "per_household")))


@settings(max_examples=15, deadline=None, derandomize=True, phases=[Phase.explicit, Phase.generate],
          suppress_health_check=[HealthCheck.too_slow])
@given(instances)
def test_heuristic_proposal_is_feasible_exact_and_deterministic(case):
    n, hh_seed, state_seed, variant_name, pairs, n_locks, formulation = case
    households = households_with_links(n, hh_seed, pairs)
    state = small_state(state_seed)
    locks = random_locks(households, state, hh_seed, n_locks)
    variant = load_variant(variant_name)
    ctx = build_inputs(households, state, variant, locks=locks, as_of=AS_OF)
    inp = ctx.inputs
    proposal = heuristic.propose(inp)
    again = heuristic.propose(inp)
    for field in ("gemeente", "dwelling_class", "shared"):
        assert np.array_equal(getattr(proposal.assignment, field), getattr(again.assignment, field))
    # never worse than everyone unplaced
    nobody = np.full(len(inp.hh_unit), -1)
    unplaced = evaluate(inp, Assignment(nobody, np.zeros_like(nobody), np.zeros(len(nobody), dtype=bool)))
    assert proposal.objective <= unplaced.objective + 1e-9
    # every constraint of the model holds at the values it sets, and the objective is the model's
    m = build_model(inp, formulation)
    heuristic.to_model(m, inp, proposal.assignment)
    assert not violated(m)
    assert float(pyo.value(m.objective)) == pytest.approx(proposal.objective, rel=1e-9, abs=1e-6)
    # and the independent checker accepts its output tables
    sol = solution_from_model(ctx, m, formulation, None, 0.0)
    o = variant.options
    check_proposal(proposal_table(ctx, sol, households), gemeenten_table(ctx, sol, households, state), households,
                   state, locks, ties=o.ties, medical=o.medical, sharing=o.sharing)


def test_greedy_takes_the_constrained_household_first():
    # one class-2 dwelling, in Groningen, and one class-3 dwelling elsewhere: the couple tied
    # (hard) to Groningen gets the class-2 one, although the free couple comes first in the file
    # and would take it (a class-3 dwelling is too large for it); the free couple gets the other
    state = schemas.validate_state(state_frame({A: {"target": 2, "c2": 1}, B: {"target": 2, "c3": 1}}), "state")
    rows = [household_row("H1", 2), household_row("H2", 2, tie_work_gm=A)]
    households = schemas.validate_households(pd.DataFrame(rows), "households")
    ctx = build_inputs(households, state, load_variant("default"), as_of=AS_OF)
    a = heuristic.greedy(ctx.inputs)
    codes = list(state.index)
    assert list(a.gemeente) == [codes.index(B), codes.index(A)]
    assert list(a.dwelling_class) == [3, 2]


def test_a_solve_without_time_never_returns_less_than_the_heuristic():
    households = households_with_links(60, 11, 2)
    ctx = build_inputs(households, small_state(7, n_live=25), load_variant("default"), as_of=AS_OF)
    greedy = evaluate(ctx.inputs, heuristic.greedy(ctx.inputs))
    for limit in (1e-3, 0.5, 30.0):
        sol = optimise(ctx, SolverOptions(time_limit=limit))
        linked = int((sol.households["gm_index"] >= 0).sum())
        start = sol.result.start  # the heuristic's proposal within this solve
        assert sol.result.objective <= start["objective"] + 1e-6 and linked >= start["linked"]
        assert start["objective"] <= greedy.objective + 1e-6
        assert sol.objective == pytest.approx(sol.result.objective, abs=1e-6)  # what is returned is what is reported
    alone = heuristic.propose(ctx.inputs)  # unhurried: the local search runs to its end
    assert sol.result.objective <= alone.objective + 1e-6 and linked >= alone.linked
    # no time at all for HiGHS: the heuristic's proposal is the answer
    m = build_model(ctx.inputs)
    r = anytime.solve(m, ctx.inputs, "aggregated", SolverOptions(time_limit=1.0), deadline=0.0)
    assert r.solver_status == "heuristic" and r.objective == pytest.approx(heuristic.propose(ctx.inputs, 0.0).objective)
    assert r.objective <= evaluate(ctx.inputs, heuristic.greedy(ctx.inputs)).objective + 1e-9
    # with the weak but proven bound of anytime.quick_bound, below the optimum, and its gap
    assert r.limit == "time_limit" and r.bound == pytest.approx(anytime.quick_bound(ctx.inputs))
    best = optimise(ctx, SolverOptions(time_limit=60, mip_rel_gap=0.0)).result
    assert best.status.value == "optimal" and r.bound <= best.objective + 1e-6
    assert r.gap == pytest.approx((r.objective - r.bound) / r.objective)
    # a result that comes without a bound (stopped before one was proven) gets the quick bound too
    start = heuristic.propose(ctx.inputs, 0.0)
    unbounded = anytime._heuristic_result(start, SolverOptions(), "time_limit")
    assert unbounded.bound is None
    kept = anytime.keep_better(m, ctx.inputs, start, unbounded)
    assert kept.bound == pytest.approx(anytime.quick_bound(ctx.inputs)) and kept.gap == pytest.approx(r.gap)


def test_a_batch_too_large_for_the_time_limit_is_refused_up_front():
    clock = anytime.CommandClock(start=0.0, limit=60.0, households=200_000)
    with pytest.raises(InputError) as err:
        clock.check_size("households.csv")
    v = err.value.violations[0]
    assert v.file == "households.csv" and v.value == 200_000
    assert "200,000 households" in v.rule and "60 s" in v.rule and "--time-limit" in v.rule
    # a weekly batch with a 2 s limit runs (the work besides the solve is the documented overhead)
    anytime.CommandClock(start=0.0, limit=2.0, households=450).check_size("households.csv")
    clock = anytime.CommandClock(start=10.0, limit=2.0, households=450, make_map=False)
    reserve = anytime.reserve_seconds(450, make_map=False)
    assert clock.solve_deadline(now=10.5) == pytest.approx(12.0 - reserve)
    # the work before the solve took 4x its estimate (a loaded machine): 4x the reserve after it
    expected = anytime.FIXED_BASE + anytime.FIXED_PER_HOUSEHOLD * 450
    assert clock.solve_deadline(now=10.0 + 4 * expected) == pytest.approx(12.0 - 4 * reserve)
    assert clock.record()["slowdown"] == pytest.approx(4.0)
