"""Solve strategies built on the HiGHS wrapper (:mod:`optimizer.solve.highs`).

* :func:`relaxed`: a model's integer variables as reals for the duration of a ``with`` block
  (for LP relaxations).
* :func:`solve_rens`: LP relaxation -> RENS sub-MIP -> (if needed) the full MIP warm-started.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace

import pyomo.environ as pyo

from optimizer.solve.highs import SolveResult, SolverOptions, Status, relative_gap, solve

log = logging.getLogger(__name__)

#: The least time a stage is given once the limit is spent (HiGHS then stops after presolve).
MIN_STAGE_SECONDS = 0.05
#: Share of the time left after RENS that the improvement step may use; the full MIP gets the
#: rest (where the LP bound is weak, e.g. 150 households against national targets, only the full
#: MIP's cuts prove the gap: with the whole rest for the search, a 60 s run under load ended
#: unproven).
IMPROVE_SHARE = 0.5


def integer_variables(model: pyo.ConcreteModel) -> list:
    """The active integer and binary variables of ``model``."""
    return [v for v in model.component_data_objects(pyo.Var, active=True) if v.is_integer() or v.is_binary()]


@contextmanager
def relaxed(model: pyo.ConcreteModel) -> Iterator[list]:
    """Within the block, every integer variable of ``model`` is a real with the same bounds;
    afterwards domains and bounds are restored. Yields the integer variables."""
    int_vars = integer_variables(model)
    domains = [(v.domain, v.lb, v.ub) for v in int_vars]
    try:
        for v, (_, lb, ub) in zip(int_vars, domains):
            v.domain = pyo.Reals
            v.setlb(lb)
            v.setub(ub)
        yield int_vars
    finally:
        for v, (dom, lb, ub) in zip(int_vars, domains):
            v.domain = dom
            v.setlb(lb)
            v.setub(ub)


def _remaining(options: SolverOptions, t_start: float) -> float | None:
    """Time left of ``options.time_limit`` since ``t_start`` (at least ``MIN_STAGE_SECONDS``), None
    without a limit."""
    if options.time_limit is None:
        return None
    return max(MIN_STAGE_SECONDS, options.time_limit - (time.perf_counter() - t_start))


def solve_rens(model: pyo.ConcreteModel, options: SolverOptions | None = None,
               restrict: list | None = None, warm_start: bool = False,
               improve: Callable[[float | None], dict] | None = None,
               full_mip: Callable[..., SolveResult] = solve) -> SolveResult:
    """LP relaxation -> RENS sub-MIP -> (if needed) full MIP warm-started from it.

    1. Solve the LP relaxation: its optimum is a valid lower bound for the MIP.
    2. RENS (relaxation enforced neighbourhood search): bound every integer variable to
       ``[floor(x*), ceil(x*)]`` of its LP value and solve that much smaller MIP.
    3. If the RENS solution is within ``mip_rel_gap`` of the LP bound it is returned as
       optimal-within-gap: objective the sub-MIP's, bound the LP optimum, gap
       ``(objective - bound) / |objective|`` (HiGHS's definition). Otherwise, with ``improve``
       (a function of the deadline, ``time.perf_counter()`` or None, that improves the model's
       current values and returns a record, e.g. the large-neighbourhood search of
       :mod:`optimizer.koppeling.lns`), that is run from the RENS solution first and the same
       test applied to its result; it may use :data:`IMPROVE_SHARE` of the time left, and the
       rest goes to the full MIP.
       Otherwise the full MIP (``full_mip``, default :func:`optimizer.solve.highs.solve`) is
       solved with the RENS solution as a warm start and its result is returned as HiGHS
       gave it; if HiGHS stops (time limit) without a bound of its own, or a weaker one, the
       LP bound and the gap to it are reported instead.

    Where the aggregated koppeling model's LP is tight (national scale) this avoids a long
    root cut loop; where it is weak (small batches) HiGHS's cuts still do the proving.
    ``restrict`` names the variable components whose bounds RENS tightens (default: every
    integer variable); leaving the others free keeps the neighbourhood feasible.
    The returned timings add up all stages; ``options`` records the strategy.
    """
    options = options or SolverOptions()
    t_start = time.perf_counter()
    with relaxed(model) as int_vars:
        lp = solve(model, SolverOptions(threads=options.threads, random_seed=options.random_seed,
                                        verbose=options.verbose, time_limit=options.time_limit))
    if lp.status is not Status.OPTIMAL:  # no valid bound: plain MIP instead
        return solve(model, options, warm_start=warm_start)
    lp_bound = float(lp.objective)
    bounds = [(v.lb, v.ub) for v in int_vars]
    restricted = None if restrict is None else {id(v) for comp in restrict for v in comp.values()}
    for v in int_vars:
        if restricted is not None and id(v) not in restricted:
            continue
        x = 0.0 if v.value is None else v.value
        lo, hi = math.floor(x + 1e-6), math.ceil(x - 1e-6)
        v.setlb(lo if v.lb is None else max(v.lb, lo))
        v.setub(hi if v.ub is None else min(v.ub, hi))
    # the sub-MIP is small: solve it tightly so that its solution is as good as it can be (with
    # the search after it, giving the sub-MIP half the time left was measured worse at national
    # scale under load: RENS stopped at 40,148 instead of 29,062)
    sub = solve(model, replace(options, time_limit=_remaining(options, t_start), mip_rel_gap=options.mip_rel_gap / 3))
    log.info("RENS: LP bound %.4f (%.1fs), sub-MIP %s objective %s (%.1fs, %d of %d integers free)", lp_bound,
             lp.solve_seconds, sub.status.value, sub.objective, sub.solve_seconds,
             sum(1 for v in int_vars if v.lb != v.ub), len(int_vars))
    for v, (lb, ub) in zip(int_vars, bounds):
        v.setlb(lb)
        v.setub(ub)
    strategy = {**options.record(), "strategy": "lp+rens"}
    if sub.has_solution and improve is not None:
        gap = relative_gap(sub.objective, lp_bound)
        if gap > options.mip_rel_gap:
            left = _remaining(options, t_start)
            record = improve(None if left is None else time.perf_counter() + IMPROVE_SHARE * left)
            strategy = {**strategy, "strategy": "lp+rens+lns", "lns": record}
            sub = replace(sub, objective=float(pyo.value(model.objective)))
    if sub.has_solution:
        gap = relative_gap(sub.objective, lp_bound)
        if gap <= options.mip_rel_gap:
            return replace(sub, status=Status.OPTIMAL, solver_status=f"rens:{sub.solver_status}", bound=lp_bound,
                           gap=gap, compile_seconds=lp.compile_seconds + sub.compile_seconds,
                           solve_seconds=time.perf_counter() - t_start, n_integer=len(int_vars),
                           options=strategy, limit=None)
    full = full_mip(model, replace(options, time_limit=_remaining(options, t_start)), warm_start=sub.has_solution)
    # the LP optimum stays a valid bound when the full MIP stops before proving a better one
    bound = lp_bound if full.bound is None else max(full.bound, lp_bound)
    gap = full.gap
    if full.objective is not None and bound != full.bound:
        gap = relative_gap(full.objective, bound)
    status = Status.OPTIMAL if full.has_solution and gap is not None and gap <= options.mip_rel_gap else full.status
    return replace(full, bound=bound, gap=gap, status=status,
                   compile_seconds=full.compile_seconds + lp.compile_seconds + sub.compile_seconds,
                   solve_seconds=full.solve_seconds + lp.solve_seconds + sub.solve_seconds,
                   options={**full.options, **strategy, "strategy": f"{strategy['strategy']}+mip"})
